import type { Executor } from "../executor.ts";
import type { MailAddress } from "../schema-mail.ts";
import type { MailOutgoingRow } from "../schema-mail-outgoing.ts";
import { markDeliveredCountingRecipients } from "./mail-contacts.ts";

export interface NewMailOutgoing {
  userId: string;
  accountId: string;
  draftId: string | null;
  sendAt: Date;
  messageId: string;
  from: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  subject: string;
  text: string;
  html: string | null;
  inReplyTo: string | null;
  references: string[];
  replyToMessageId: string | null;
  forwardOfMessageId?: string | null;
  attachmentIds: string[];
}

export function insertMailOutgoing(db: Executor, message: NewMailOutgoing): Promise<MailOutgoingRow> {
  return db
    .insertInto("mail_outgoing")
    .values({
      user_id: message.userId,
      account_id: message.accountId,
      draft_id: message.draftId,
      send_at: message.sendAt,
      message_id: message.messageId,
      from_name: message.from.name,
      from_email: message.from.email,
      to: JSON.stringify(message.to),
      cc: JSON.stringify(message.cc),
      bcc: JSON.stringify(message.bcc),
      subject: message.subject,
      text_body: message.text,
      html_body: message.html,
      in_reply_to: message.inReplyTo,
      references: message.references,
      reply_to_message_id: message.replyToMessageId,
      forward_of_message_id: message.forwardOfMessageId ?? null,
      attachment_ids: message.attachmentIds,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** For the worker, which acts for whoever owns the message. */
export function findMailOutgoing(db: Executor, outgoingId: string): Promise<MailOutgoingRow | undefined> {
  return db.selectFrom("mail_outgoing").selectAll().where("id", "=", outgoingId).executeTakeFirst();
}

export function findMailOutgoingForUser(
  db: Executor,
  userId: string,
  outgoingId: string,
): Promise<MailOutgoingRow | undefined> {
  return db
    .selectFrom("mail_outgoing")
    .selectAll()
    .where("id", "=", outgoingId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
}

/**
 * Cancels the user's message while it still waits for its undo window (the database clock
 * decides); false when it is another user's, already on its way, or past the window.
 */
export async function cancelMailOutgoing(db: Executor, userId: string, outgoingId: string): Promise<boolean> {
  const row = await db
    .updateTable("mail_outgoing")
    .set((eb) => ({ status: "cancelled", updated_at: eb.fn("now") }))
    .where("id", "=", outgoingId)
    .where("user_id", "=", userId)
    .where("status", "=", "queued")
    .where("send_at", ">", (eb) => eb.fn("now"))
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Takes the message for one sending attempt: only a queued one, or one whose earlier attempt
 * failed; a cancelled, sent or failed message is left alone (undefined).
 */
export function claimMailOutgoing(db: Executor, outgoingId: string): Promise<MailOutgoingRow | undefined> {
  return db
    .updateTable("mail_outgoing")
    .set((eb) => ({ status: "sending", attempts: eb("attempts", "+", 1), updated_at: eb.fn("now") }))
    .where("id", "=", outgoingId)
    .where("status", "in", ["queued", "sending"])
    .returningAll()
    .executeTakeFirst();
}

/** Messages still to be sent (queued, or between attempts), for re-queueing after a restart. */
export function listPendingMailOutgoing(db: Executor): Promise<{ id: string; send_at: Date }[]> {
  return db
    .selectFrom("mail_outgoing")
    .select(["id", "send_at"])
    .where("status", "in", ["queued", "sending"])
    .orderBy("send_at")
    .execute();
}

/**
 * SMTP accepted it: later attempts only finish the filing. Its recipients become correspondents
 * the user wrote to (address autocomplete), in the same statement.
 */
export async function markMailOutgoingDelivered(db: Executor, outgoingId: string): Promise<void> {
  await markDeliveredCountingRecipients(db, outgoingId);
}

export async function markMailOutgoingSent(db: Executor, outgoingId: string): Promise<void> {
  await db
    .updateTable("mail_outgoing")
    .set((eb) => ({ status: "sent", sent_at: eb.fn("now"), error: null, updated_at: eb.fn("now") }))
    .where("id", "=", outgoingId)
    .execute();
}

/** Records an attempt's failure; `final` makes the message failed (shown to the user). */
export async function markMailOutgoingFailed(
  db: Executor,
  outgoingId: string,
  error: string,
  final: boolean,
): Promise<void> {
  await db
    .updateTable("mail_outgoing")
    .set((eb) => ({ status: final ? "failed" : "sending", error, updated_at: eb.fn("now") }))
    .where("id", "=", outgoingId)
    .where("status", "in", ["queued", "sending"])
    .execute();
}

/** What a reply or forward needs of the message it answers, if it is the user's (S27). */
export interface ComposeParent {
  id: string;
  account_id: string;
  folder_id: string;
  folder_path: string;
  uid: number;
  message_id: string | null;
  references: string[];
  subject: string;
  from_name: string;
  from_email: string;
  date: Date;
  text_body: string | null;
}

export function findComposeParent(db: Executor, userId: string, messageId: string): Promise<ComposeParent | undefined> {
  return db
    .selectFrom("mail_messages as m")
    .innerJoin("mail_folders as f", "f.id", "m.folder_id")
    .select([
      "m.id",
      "m.account_id",
      "m.folder_id",
      "f.path as folder_path",
      "m.uid",
      "m.message_id",
      "m.references",
      "m.subject",
      "m.from_name",
      "m.from_email",
      "m.date",
      "m.text_body",
    ])
    .where("m.id", "=", messageId)
    .where("m.user_id", "=", userId)
    .executeTakeFirst();
}

/** Where the answered message lives, for setting \Answered on the server and locally. */
export function findAnsweredMessage(
  db: Executor,
  messageId: string,
): Promise<{ id: string; account_id: string; folder_path: string; uid: number } | undefined> {
  return db
    .selectFrom("mail_messages as m")
    .innerJoin("mail_folders as f", "f.id", "m.folder_id")
    .select(["m.id", "m.account_id", "f.path as folder_path", "m.uid"])
    .where("m.id", "=", messageId)
    .executeTakeFirst();
}

export async function markMailMessageAnswered(db: Executor, messageId: string): Promise<void> {
  await db.updateTable("mail_messages").set({ answered: true }).where("id", "=", messageId).execute();
}
