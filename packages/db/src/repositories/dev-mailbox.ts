import type { Executor } from "../executor.ts";
import type { DevMailboxEmail } from "../schema.ts";

export interface NewDevMailboxEmail {
  messageId: string;
  sender: string;
  recipient: string;
  subject: string;
  html: string;
  text: string;
}

export async function insertDevMailboxEmail(db: Executor, email: NewDevMailboxEmail): Promise<string> {
  const row = await db
    .insertInto("dev_mailbox")
    .values({
      message_id: email.messageId,
      sender: email.sender,
      recipient: email.recipient,
      subject: email.subject,
      html: email.html,
      text: email.text,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export type DevMailboxSummary = Pick<DevMailboxEmail, "id" | "sender" | "recipient" | "subject" | "created_at">;

/** Newest first. */
export function listDevMailbox(db: Executor, limit: number): Promise<DevMailboxSummary[]> {
  return db
    .selectFrom("dev_mailbox")
    .select(["id", "sender", "recipient", "subject", "created_at"])
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

export function findDevMailboxEmail(db: Executor, id: string): Promise<DevMailboxEmail | undefined> {
  return db.selectFrom("dev_mailbox").selectAll().where("id", "=", id).executeTakeFirst();
}
