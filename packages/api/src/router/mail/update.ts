import {
  applyMailMessageChange,
  findMailActionTargets,
  findMailFolder,
  findMailFoldersByRole,
  type MailMessageState,
} from "@tidings/db";
import { addToOutbox, queueBehaviourLessons } from "@tidings/jobs";
import type { z } from "zod";
import type { InnerContext } from "../../context.ts";
import { AppError } from "../../errors.ts";
import { invalidField } from "./read.ts";
import type { mailUpdateInput } from "./schema.ts";

const MESSAGES_PER_JOB = 1_000;

/**
 * `mail.update`: the change is applied locally at once (flags, folder, thread counts) and, in the
 * same transaction, one `mail:apply-action` job per account is written to the outbox, so the worker
 * carries it to the IMAP server exactly when the local change commits. The worker puts back what
 * the server refuses (carryMailAction). Any id not the caller's: NOT_FOUND and nothing changes (S27).
 */
export async function updateMail(
  { ctx, userId }: { ctx: InnerContext; userId: string },
  input: z.infer<typeof mailUpdateInput>,
): Promise<{ updated: number }> {
  const { updated, threads } = await ctx.db.transaction().execute(async (trx) => {
    const targets = await findMailActionTargets(trx, userId, {
      threadIds: input.threadIds ?? [],
      messageIds: input.messageIds ?? [],
    });
    if (!targets.complete) throw new AppError("NOT_FOUND", "No such thread or message");
    const byAccount = new Map<string, MailMessageState[]>();
    for (const message of targets.messages) {
      byAccount.set(message.accountId, [...(byAccount.get(message.accountId) ?? []), message]);
    }
    const destinations = new Map<string, string>();
    const moveTo = input.moveTo;
    // The destination's role, for the local model's lessons (archived or deleted unread).
    let destinationRole: string | null = moveTo && "role" in moveTo ? moveTo.role : null;
    if (moveTo && "folderId" in moveTo) {
      const folder = await findMailFolder(trx, userId, moveTo.folderId);
      if (!folder) throw new AppError("NOT_FOUND", "No such folder");
      destinationRole = folder.role;
      if ([...byAccount.keys()].some((accountId) => accountId !== folder.account_id)) {
        throw invalidField("moveTo", "the folder is in another account than the messages");
      }
      destinations.set(folder.account_id, folder.id);
    } else if (moveTo) {
      const folders = await findMailFoldersByRole(trx, [...byAccount.keys()], moveTo.role);
      for (const accountId of byAccount.keys()) {
        const folder = folders.get(accountId);
        if (!folder) throw invalidField("moveTo", `an account has no ${moveTo.role} folder`);
        destinations.set(accountId, folder.id);
      }
    }
    for (const [accountId, messages] of byAccount) {
      const change = { seen: input.seen, flagged: input.flagged, folderId: destinations.get(accountId) };
      await applyMailMessageChange(trx, messages, change);
      const moved = change.folderId ? { folderId: change.folderId, role: destinationRole } : undefined;
      await queueBehaviourLessons(trx, userId, messages, { ...change, moveTo: moved });
      // Threads can be long: the server gets the change in jobs of a bounded size.
      for (let start = 0; start < messages.length; start += MESSAGES_PER_JOB) {
        const before = messages.slice(start, start + MESSAGES_PER_JOB);
        await addToOutbox(trx, "mail", "apply-action", { userId, accountId, change, before });
      }
    }
    const threads = new Map(targets.messages.map((message) => [message.threadId, message.accountId]));
    return { updated: targets.messages.length, threads };
  });
  // Other tabs of the user show the change at once (events carry ids only).
  for (const [threadId, accountId] of threads) {
    await ctx.mailEvents.publish(userId, { type: "thread.updated", accountId, threadId });
  }
  return { updated };
}
