import type { Processors } from "@tidings/jobs";

/** What each queue's jobs do; the same functions run in the worker process and in embedded mode. */
export function createProcessors(): Processors {
  return {
    maintenance: async (job) => {
      switch (job.name) {
        case "ping":
          return { pong: true, receivedAt: new Date().toISOString() };
        default:
          throw new Error(`maintenance: no processor for job "${job.name}"`);
      }
    },
  };
}
