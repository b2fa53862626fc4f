import { escapeHtml } from "./escape-html.ts";
import { fillPlaceholders } from "./fill-placeholders.ts";
import { mjmlDocument, textDocument } from "./layout.ts";
import { linksFor } from "./links.ts";
import { compileMjml } from "./mjml-compiler.ts";
import { type TemplateData, templateDataSchemas } from "./schemas.ts";
import { type TemplateName, templateNames } from "./template-names.ts";
import { emailTemplates } from "./templates/index.ts";

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** A template with its MJML already turned into HTML; only placeholders are left to fill. */
interface CompiledEmail {
  subject: string;
  html: string;
  text: string;
}

// Holds the promise rather than the result so that concurrent first sends share one compile.
const compiled = new Map<TemplateName, Promise<CompiledEmail>>();

function compiledEmail(name: TemplateName): Promise<CompiledEmail> {
  let entry = compiled.get(name);
  if (!entry) {
    entry = compile(name);
    compiled.set(name, entry);
    // A failed compile is a template bug; forgetting it makes the next send report it again
    // instead of replaying a stale rejection.
    entry.catch(() => compiled.delete(name));
  }
  return entry;
}

async function compile(name: TemplateName): Promise<CompiledEmail> {
  const template = emailTemplates[name];
  return {
    subject: template.subject,
    html: await compileMjml(mjmlDocument({ preview: template.preview, body: template.html, reason: template.reason })),
    text: textDocument({ body: template.text, reason: template.reason }),
  };
}

/** Compiles every template now, so that no send waits for MJML (call it at startup). */
export async function warmTemplates(): Promise<void> {
  await Promise.all(templateNames.map(compiledEmail));
}

/**
 * Renders one email. The data is validated first (a ZodError names the bad field); every value is
 * HTML-escaped in the HTML part and inserted as is in the text part.
 */
export async function render<T extends TemplateName>(
  template: T,
  data: TemplateData<T>,
  options: { appUrl: string },
): Promise<RenderedEmail> {
  const valid = templateDataSchemas[template].parse(data);
  const values = emailTemplates[template].values(valid, linksFor(options.appUrl));
  const email = await compiledEmail(template);
  const subject = fillPlaceholders(email.subject, values, asIs);
  const withSubject = { ...values, subject };
  return {
    subject,
    html: fillPlaceholders(email.html, withSubject, escapeHtml),
    text: fillPlaceholders(email.text, withSubject, asIs),
  };
}

const asIs = (value: string) => value;
