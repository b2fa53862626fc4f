import { learnBehaviourAndStore, type UserBehaviour } from "@tidings/ai";
import { type Database, type Executor, findMessageForAi, type Kysely, type MailMessageState } from "@tidings/db";
import { maxLessonMessages } from "../definitions.ts";
import { addToOutbox } from "../outbox.ts";
import { emailForAi, recipientContextFor } from "./user-ai.ts";

// Implicit feedback (issue 18): what the user does with mail teaches their local model, at a lower
// weight than a correction. The actions write `ai:learn` jobs in their own transaction, so a lesson
// exists exactly when the action does; the `ai` queue learns from them off the request path.

/** Opening a message within this long of its arrival says it mattered to the user. */
export const openedSoonMs = 2 * 60 * 60 * 1000;
// Clocks of other mail servers run ahead a little; a date slightly in the future still counts.
const clockSkewMs = 5 * 60 * 1000;

export interface MailChangeForLessons {
  seen?: boolean | undefined;
  flagged?: boolean | undefined;
  /** The folder the messages are moved to, with its role (archive and trash teach). */
  moveTo?: { folderId: string; role: string | null } | undefined;
}

/** The behaviours a change to these messages shows, each with the ids of the messages showing it. */
export function behavioursOf(
  messages: readonly MailMessageState[],
  change: MailChangeForLessons,
): Map<UserBehaviour, string[]> {
  const found = new Map<UserBehaviour, string[]>();
  const add = (behaviour: UserBehaviour, id: string) => found.set(behaviour, [...(found.get(behaviour) ?? []), id]);
  for (const message of messages) {
    if (change.flagged === true && !message.flagged) add("starred", message.id);
    // Only a candidate: the job compares the message's arrival with the time it was opened.
    if (change.seen === true && !message.seen) add("openedSoon", message.id);
    const leftUnread = !message.seen && change.seen !== true;
    const moved = change.moveTo && change.moveTo.folderId !== message.folderId ? change.moveTo.role : null;
    if (leftUnread && moved === "archive") add("archivedUnread", message.id);
    if (leftUnread && moved === "trash") add("deletedUnread", message.id);
  }
  return found;
}

/** Writes the lessons of a `mail.update` to the outbox, in the update's transaction. */
export async function queueBehaviourLessons(
  trx: Executor,
  userId: string,
  messages: readonly MailMessageState[],
  change: MailChangeForLessons,
  now = new Date(),
): Promise<void> {
  for (const [behaviour, ids] of behavioursOf(messages, change)) {
    await addToOutbox(trx, "ai", "learn", {
      userId,
      behaviour,
      messageIds: ids.slice(0, maxLessonMessages),
      at: now.toISOString(),
    });
  }
}

/** A reply to one of the user's messages (mail.send with inReplyTo) says it needed one and mattered. */
export async function queueReplyLesson(db: Executor, userId: string, messageId: string, now = new Date()) {
  await addToOutbox(db, "ai", "learn", {
    userId,
    behaviour: "replied",
    messageIds: [messageId],
    at: now.toISOString(),
  });
}

/**
 * The `ai:learn` job: the messages that still exist and were written by someone else (the user's
 * own mail says nothing about what arrives), opened ones only if opened soon after arrival.
 */
export async function learnFromBehaviour(
  db: Kysely<Database>,
  lesson: { userId: string; behaviour: UserBehaviour; messageIds: readonly string[]; at: string },
): Promise<string[]> {
  const at = new Date(lesson.at).getTime();
  const messages = [];
  for (const messageId of lesson.messageIds) {
    const row = await findMessageForAi(db, lesson.userId, messageId);
    if (!row) continue;
    const email = emailForAi(row, row.attachmentTypes);
    const recipient = await recipientContextFor(db, lesson.userId, email);
    if (recipient.ownAddresses.includes(email.from.email.toLowerCase())) continue;
    if (lesson.behaviour === "openedSoon") {
      const waited = at - email.date.getTime();
      if (waited > openedSoonMs || waited < -clockSkewMs) continue;
    }
    messages.push({ email, recipient });
  }
  return learnBehaviourAndStore(db, { userId: lesson.userId, behaviour: lesson.behaviour, messages });
}
