// What every Tidings process (server, worker) runs on: where logs go, the metrics both export,
// bounded waits.
export { createLogDestination, type LogDestination } from "./log-destination.ts";
export { createMetricsRegistry, dependencies, metricsAccessAllowed, registerSharedGauges } from "./metrics.ts";
export { withTimeout } from "./timeout.ts";
