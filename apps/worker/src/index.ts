export { createEmailProcessor } from "./email-processor.ts";
export { createLogDestination, type LogDestination } from "./log-destination.ts";
export {
  createMetricsRegistry,
  dependencies,
  metricsAccessAllowed,
  registerSharedGauges,
  withTimeout,
} from "./metrics-common.ts";
export { createProcessors, type ProcessorDeps } from "./processors.ts";
export { createMailTransport } from "./transport.ts";
