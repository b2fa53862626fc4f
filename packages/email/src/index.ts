export { mjmlCompileCount } from "./mjml-compiler.ts";
export { type RenderedEmail, render, warmTemplates } from "./render.ts";
export { type TemplateData, templateDataSchemas } from "./schemas.ts";
export { isTemplateName, type TemplateName, templateNames } from "./template-names.ts";
export { createDevMailboxTransport } from "./transports/dev-mailbox.ts";
export { createMailTransport } from "./transports/from-settings.ts";
export { createSmtpTransport } from "./transports/smtp.ts";
export { isPermanentSendError, type MailTransport, type OutgoingEmail } from "./transports/transport.ts";
