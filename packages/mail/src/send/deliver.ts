import {
  claimMailOutgoing,
  deleteMailDraft,
  type Executor,
  findAnsweredMessage,
  findMailAccount,
  findMailDraftById,
  findMailOutgoing,
  findMailUploads,
  type MailOutgoingRow,
  markMailMessageAnswered,
  markMailOutgoingDelivered,
  markMailOutgoingFailed,
  markMailOutgoingSent,
} from "@tidings/db";
import { MailError } from "../errors.ts";
import type { MailEventBus } from "../events.ts";
import { type AccountAccess, addFlag, deleteMessage, specialFolder, withImap, withSmtp } from "./account-connection.ts";
import { composeMessage, envelopeRecipients, type OutgoingMessage } from "./compose.ts";
import { forwardedAttachments } from "./forwarded-attachments.ts";

export interface SendDeps extends AccountAccess {
  db: Executor;
  /** Where the outcome is told to the user's open tabs (outgoing.status), when this process has a bus. */
  events?: MailEventBus;
}

/** A sending attempt that failed; `permanent` when trying again cannot help (a 5xx, a refused host or password). */
export class SendFailure extends Error {
  override name = "SendFailure";
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export type SendOutcome = "sent" | "cancelled" | "already-done" | "missing";

/**
 * Sends one outgoing message through its account's SMTP server, files a copy in Sent by IMAP
 * APPEND (not for Gmail, which files it itself), sets \Answered on the message it replies to, and
 * removes the draft it came from. SMTP acceptance is recorded first, so a retry after a later step
 * failed never sends the message twice. On the last attempt a failure marks the message failed.
 */
export async function sendOutgoing(
  deps: SendDeps,
  outgoingId: string,
  attempt: { lastAttempt: boolean },
): Promise<SendOutcome> {
  const waiting = await findMailOutgoing(deps.db, outgoingId);
  if (!waiting) return "missing";
  if (waiting.status === "cancelled") return "cancelled";
  if (waiting.status === "sent" || waiting.status === "failed") return "already-done";
  // A queue that woke early still respects the undo window (bounded: the window is at most minutes).
  const early = waiting.send_at.getTime() - Date.now();
  if (early > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(early, 5 * 60_000)));

  // Atomic against mail.cancelSend: whichever changes the queued row first wins.
  const row = await claimMailOutgoing(deps.db, outgoingId);
  if (!row) return (await findMailOutgoing(deps.db, outgoingId))?.status === "cancelled" ? "cancelled" : "already-done";

  let delivered = row.delivered_at !== null;
  try {
    const account = await findMailAccount(deps.db, row.user_id, row.account_id);
    if (!account) throw new SendFailure("the mail account was removed", true);
    const message = await outgoingMessage(deps, row);

    if (!delivered) {
      const raw = await composeMessage(message);
      await withSmtp(deps, account, (transport) =>
        transport.sendMail({ envelope: { from: row.from_email, to: envelopeRecipients(message) }, raw }),
      );
      await markMailOutgoingDelivered(deps.db, row.id);
      delivered = true;
    }

    const answered = row.reply_to_message_id ? await findAnsweredMessage(deps.db, row.reply_to_message_id) : undefined;
    const draft = row.draft_id ? await findMailDraftById(deps.db, row.draft_id) : undefined;
    await withImap(deps, account, async (client) => {
      if (account.provider !== "gmail") {
        const sent = await specialFolder(client, "\\Sent");
        await client.append(sent, await composeMessage(message, { keepBcc: true }), ["\\Seen"]);
      }
      if (answered && answered.account_id === account.id) {
        await addFlag(client, answered.folder_path, answered.uid, "\\Answered");
      }
      if (draft?.server_folder && draft.server_uid !== null) {
        await deleteMessage(client, draft.server_folder, Number(draft.server_uid));
      }
    });
    if (answered) await markMailMessageAnswered(deps.db, answered.id);
    if (draft) await deleteMailDraft(deps.db, draft.id);
    await markMailOutgoingSent(deps.db, row.id);
    await announce(deps, row, "sent");
    return "sent";
  } catch (error) {
    const failure = asSendFailure(error);
    // Once SMTP took it, the message is out: a filing step that keeps failing does not make it "failed".
    if (delivered && attempt.lastAttempt) {
      await markMailOutgoingSent(deps.db, row.id);
      await announce(deps, row, "sent");
      return "sent";
    }
    const final = failure.permanent || attempt.lastAttempt;
    await markMailOutgoingFailed(deps.db, row.id, failure.message, final);
    if (final) await announce(deps, row, "failed", failure.message);
    throw failure;
  }
}

/** Tells the user; a bus that fails must not turn a sent message into a retried one. */
async function announce(deps: SendDeps, row: MailOutgoingRow, status: "sent" | "failed", error?: string) {
  await deps.events
    ?.publish(row.user_id, {
      type: "outgoing.status",
      accountId: row.account_id,
      outgoingId: row.id,
      status,
      ...(error ? { error } : {}),
    })
    .catch(() => {});
}

async function outgoingMessage(deps: SendDeps, row: MailOutgoingRow): Promise<OutgoingMessage> {
  const uploads = await findMailUploads(deps.db, row.user_id, row.attachment_ids);
  const forwarded = row.forward_of_message_id
    ? await forwardedAttachments(deps, row.user_id, row.forward_of_message_id)
    : [];
  return {
    from: { name: row.from_name, email: row.from_email },
    to: row.to,
    cc: row.cc,
    bcc: row.bcc,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    messageId: row.message_id,
    inReplyTo: row.in_reply_to,
    references: row.references,
    attachments: [
      ...forwarded,
      ...uploads.map((upload) => ({
        filename: upload.filename,
        contentType: upload.content_type,
        content: upload.content,
      })),
    ],
    date: row.send_at,
  };
}

/** Our wording, never a password: SMTP 5xx and refused hosts or logins are permanent. */
function asSendFailure(error: unknown): SendFailure {
  if (error instanceof SendFailure) return error;
  // An OAuth2 token endpoint out of reach may answer later; a refused grant or password will not.
  if (error instanceof MailError) return new SendFailure(error.message, error.code !== "MAIL_CONNECTION_FAILED");
  const smtp = error as { responseCode?: number; code?: string };
  if (smtp.code === "EAUTH") return new SendFailure("The mail server refused the account's login", true);
  if (typeof smtp.responseCode === "number" && smtp.responseCode >= 500) {
    return new SendFailure(`The mail server refused the message (${smtp.responseCode})`, true);
  }
  if (typeof smtp.responseCode === "number") {
    return new SendFailure(`The mail server could not take the message now (${smtp.responseCode})`, false);
  }
  return new SendFailure(`Could not reach the mail server${smtp.code ? ` (${smtp.code})` : ""}`, false);
}
