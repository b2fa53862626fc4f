export { createEmailProcessor } from "./email-processor.ts";
export { createProcessors, type ProcessorDeps } from "./processors.ts";
export { createMailTransport } from "./transport.ts";
