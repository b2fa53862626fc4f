import { categories as mailCategories, priorities as mailPriorities } from "@tidings/ai/schemas";
import { z } from "zod";
import { plainText } from "../text-input.ts";

// The mail inputs (API.md `mail`). Browser-safe: the web app checks what it sends with these very
// schemas (through `@tidings/api/schemas`).

export const mailFolderRoles = ["inbox", "sent", "drafts", "trash", "junk", "archive", "all"] as const;
// The analysis' priorities and categories, as the AI package defines them (zod only, browser-safe).
export { mailCategories, mailPriorities };

const mailFolderRole = z.enum(mailFolderRoles);

export const mailFoldersInput = z.object({ accountId: z.uuid().optional() }).default({});
export const mailThreadsInput = z
  .object({
    accountId: z.uuid().optional(),
    folderId: z.uuid().optional(),
    role: mailFolderRole.optional(),
    query: plainText(1000).optional(),
    filter: z
      .object({
        unread: z.boolean().optional(),
        starred: z.boolean().optional(),
        needsReply: z.boolean().optional(),
        priority: z.enum(mailPriorities).optional(),
        category: z.enum(mailCategories).optional(),
        hasAttachments: z.boolean().optional(),
      })
      .optional(),
    /** Only these threads, of those the rest matches (an open list checking the threads an event named). */
    threadIds: z.array(z.uuid()).min(1).max(100, "At most 100 threads at once").optional(),
    sort: z.enum(["date", "priority"]).default("date"),
    /** Opaque: the `nextCursor` of the previous page (same filters and sort). */
    cursor: z.string().min(1).max(300).optional(),
    limit: z.number().int().min(1).max(100).default(50),
  })
  .default({ sort: "date", limit: 50 });
/** `lastEventId`: the id of the last event seen, to resume after it (tRPC's links fill it in). */
export const mailEventsInput = z
  .object({ lastEventId: z.string().max(64, "lastEventId is not an event id").optional() })
  .default({});
export const mailThreadInput = z.object({
  threadId: z.uuid(),
  /** Every message's remote content. */
  loadRemote: z.boolean().default(false),
  /** Only these messages' remote content (the reading pane's "load remote images" per message). */
  loadRemoteFor: z.array(z.uuid()).max(500, "At most 500 messages").optional(),
});
/** "Always load remote images from this sender", or no longer. */
export const mailRemoteContentSenderInput = z.object({
  sender: z
    .string()
    .trim()
    .min(3, "Enter the sender's email address")
    .max(320, "Use at most 320 characters")
    .pipe(z.email("Enter the sender's email address")),
  always: z.boolean(),
});
export const mailUpdateInput = z
  .object({
    threadIds: z.array(z.uuid()).max(100, "At most 100 threads at once").optional(),
    messageIds: z.array(z.uuid()).max(500, "At most 500 messages at once").optional(),
    seen: z.boolean().optional(),
    flagged: z.boolean().optional(),
    moveTo: z.union([z.strictObject({ role: mailFolderRole }), z.strictObject({ folderId: z.uuid() })]).optional(),
  })
  .superRefine((value, ctx) => {
    if (!value.threadIds?.length && !value.messageIds?.length) {
      ctx.addIssue({ code: "custom", path: ["threadIds"], message: "Give threadIds or messageIds" });
    }
    if (value.seen === undefined && value.flagged === undefined && value.moveTo === undefined) {
      ctx.addIssue({ code: "custom", path: ["seen"], message: "Give a change: seen, flagged or moveTo" });
    }
  });
