import { userBehaviours } from "@tidings/ai";
import { templateDataSchemas, templateNames } from "@tidings/email";
import { z } from "zod";

const emailSend = z
  .object({
    template: z.enum(templateNames),
    to: z.email().max(320),
    data: z.record(z.string(), z.unknown()),
  })
  .superRefine((value, ctx) => {
    // The template's own schema, so a bad payload is refused when it is written, not when it is sent.
    const result = templateDataSchemas[value.template].safeParse(value.data);
    for (const issue of result.error?.issues ?? []) {
      ctx.addIssue({ code: "custom", path: ["data", ...issue.path.map(String)], message: issue.message });
    }
  });

/** Messages one action teaches from at most (a long thread archived is one decision, not hundreds). */
export const maxLessonMessages = 50;

const mailMessageState = z.object({
  id: z.uuid(),
  accountId: z.uuid(),
  threadId: z.uuid(),
  folderId: z.uuid(),
  uid: z.number().int(),
  seen: z.boolean(),
  flagged: z.boolean(),
});

/** One account's share of a `mail.update`, applied locally already: the worker carries it to IMAP. */
const mailApplyAction = z.object({
  userId: z.uuid(),
  accountId: z.uuid(),
  change: z.object({ seen: z.boolean().optional(), flagged: z.boolean().optional(), folderId: z.uuid().optional() }),
  before: z.array(mailMessageState).min(1).max(5_000),
});

/**
 * Every queue and the jobs it carries, with the payload schema shared by producers and workers.
 * A payload is validated when it is enqueued and again when it is processed.
 */
export const jobDefinitions = {
  email: {
    send: emailSend,
  },
  mail: {
    "apply-action": mailApplyAction,
  },
  "mail-send": {
    /** Sends one outgoing message (after its undo window), files it in Sent, marks the parent answered. */
    send: z.object({ outgoingId: z.uuid() }),
    /** Puts the draft's current revision in the account's Drafts folder, replacing the older copy. */
    draft: z.object({ draftId: z.uuid() }),
  },
  ai: {
    /** Analyses one new message with the user's provider (local checks first) and stores the Analysis. */
    analyze: z.object({
      userId: z.uuid(),
      messageId: z.uuid(),
      /** Mail stored by an account's first sync: waits behind new mail and takes fewer slots. */
      firstSync: z.boolean().optional(),
    }),
    /** Teaches the user's local model what they did with these messages (implicit feedback). */
    learn: z.object({
      userId: z.uuid(),
      behaviour: z.enum(userBehaviours),
      messageIds: z.array(z.uuid()).min(1).max(maxLessonMessages),
      /** When the user acted (an "opened soon" is measured from the message's arrival to this). */
      at: z.iso.datetime(),
    }),
  },
  maintenance: {
    /** Round trip through the queue: shows that a worker is consuming (used by checks and tests). */
    ping: z.object({ sentAt: z.iso.datetime() }),
  },
} as const;

export interface RetryPolicy {
  attempts: number;
  /** First retry after this many ms, doubling each time. */
  backoffMs: number;
}

/** How often each queue's jobs are tried; a PermanentJobError ends the tries at once. */
export const retryPolicies: Record<QueueName, RetryPolicy> = {
  email: { attempts: 5, backoffMs: 1_000 },
  // A mailbox's SMTP server that is briefly away: 5 s, 10 s, 20 s, 40 s before the message fails.
  "mail-send": { attempts: 5, backoffMs: 5_000 },
  maintenance: { attempts: 1, backoffMs: 0 },
  // An unreachable server is tried again for about a minute; a refusal ends the job at its first try.
  mail: { attempts: 5, backoffMs: 2_000 },
  // A provider that is down or rate-limiting us (after the SDK's own retries with Retry-After):
  // tried again after 30 s, 1, 2, 4 and 8 minutes; the analysis shows as failed meanwhile.
  ai: { attempts: 6, backoffMs: 30_000 },
};

export type QueueName = keyof typeof jobDefinitions;
export type JobName<Q extends QueueName> = keyof (typeof jobDefinitions)[Q] & string;
export type JobData<Q extends QueueName, N extends JobName<Q>> = z.infer<(typeof jobDefinitions)[Q][N]>;

export const queueNames = Object.keys(jobDefinitions) as QueueName[];

export function isQueueName(name: string): name is QueueName {
  return Object.hasOwn(jobDefinitions, name);
}

/** A job as a processor sees it: `name` tells which payload `data` is (already validated). */
export type Job<Q extends QueueName> = {
  [N in JobName<Q>]: {
    id: string;
    queue: Q;
    name: N;
    data: JobData<Q, N>;
    /** 1 on the first try. */
    attempt: number;
    /** True when a failure of this try will not be retried. */
    lastAttempt: boolean;
  };
}[JobName<Q>];

/** What a worker runs for each queue. */
export type Processors = { [Q in QueueName]: (job: Job<Q>) => Promise<unknown> };

/** Thrown by a processor when trying again cannot help (e.g. an SMTP 5xx): the job fails at once. */
export class PermanentJobError extends Error {
  override name = "PermanentJobError";
}

/** Validates a payload against its job's schema and returns the job as processors receive it. */
export function toJob<Q extends QueueName>(
  queue: Q,
  fields: { id: string; name: string; data: unknown; attempt: number },
): Job<Q> {
  const schema = (jobDefinitions[queue] as Record<string, z.ZodType>)[fields.name];
  if (!schema) throw new PermanentJobError(`unknown job "${fields.name}" on queue "${queue}"`);
  const lastAttempt = fields.attempt >= retryPolicies[queue].attempts;
  return { ...fields, queue, lastAttempt, data: schema.parse(fields.data) } as Job<Q>;
}

export function runProcessor<Q extends QueueName>(processors: Processors, job: Job<Q>): Promise<unknown> {
  return (processors[job.queue] as (job: Job<Q>) => Promise<unknown>)(job);
}
