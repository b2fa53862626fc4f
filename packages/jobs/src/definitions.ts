import { z } from "zod";

/**
 * Every queue and the jobs it carries, with the payload schema shared by producers and workers.
 * A payload is validated when it is enqueued and again when it is processed.
 */
export const jobDefinitions = {
  maintenance: {
    /** Round trip through the queue: shows that a worker is consuming (used by checks and tests). */
    ping: z.object({ sentAt: z.iso.datetime() }),
  },
} as const;

export type QueueName = keyof typeof jobDefinitions;
export type JobName<Q extends QueueName> = keyof (typeof jobDefinitions)[Q] & string;
export type JobData<Q extends QueueName, N extends JobName<Q>> = z.infer<(typeof jobDefinitions)[Q][N]>;

export const queueNames = Object.keys(jobDefinitions) as QueueName[];

/** A job as a processor sees it: `name` tells which payload `data` is (already validated). */
export type Job<Q extends QueueName> = {
  [N in JobName<Q>]: { id: string; queue: Q; name: N; data: JobData<Q, N>; attempt: number };
}[JobName<Q>];

/** What a worker runs for each queue. */
export type Processors = { [Q in QueueName]: (job: Job<Q>) => Promise<unknown> };

/** Validates a payload against its job's schema and returns the job as processors receive it. */
export function toJob<Q extends QueueName>(
  queue: Q,
  fields: { id: string; name: string; data: unknown; attempt: number },
): Job<Q> {
  const schema = (jobDefinitions[queue] as Record<string, z.ZodType>)[fields.name];
  if (!schema) throw new Error(`unknown job "${fields.name}" on queue "${queue}"`);
  return { ...fields, queue, data: schema.parse(fields.data) } as Job<Q>;
}

export function runProcessor<Q extends QueueName>(processors: Processors, job: Job<Q>): Promise<unknown> {
  return (processors[job.queue] as (job: Job<Q>) => Promise<unknown>)(job);
}
