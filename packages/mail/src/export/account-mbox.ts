import { type Executor, listMailFoldersForExport, listMailMessageUidsForExport } from "@tidings/db";
import type { ImapFlow } from "imapflow";
import { mboxrdEntry } from "./mboxrd.ts";

/** What one account's mbox holds, and what it could not, for the note beside it. */
export interface MboxReport {
  messages: number;
  problems: string[];
}

// A page of UIDs from the database, then fetches of at most this many messages or bytes: the
// export holds one batch in memory at a time, never a whole folder.
const UID_PAGE = 500;
const BATCH_MESSAGES = 50;
const BATCH_BYTES = 8 * 1024 * 1024;

/**
 * The account's stored messages as mboxrd entries, folder by folder in UID order, each source
 * fetched from the IMAP server on `client` (signed in, read-only) as the consumer asks for more.
 * A folder gone from the server, or renumbered since the last sync (UIDVALIDITY), is skipped and a
 * message no longer there is left out; `report` says which. A lost connection throws.
 */
export async function* accountMbox(
  db: Executor,
  client: ImapFlow,
  accountId: string,
  report: MboxReport,
): AsyncGenerator<Buffer> {
  for (const folder of await listMailFoldersForExport(db, accountId)) {
    let lock: Awaited<ReturnType<ImapFlow["getMailboxLock"]>>;
    try {
      lock = await client.getMailboxLock(folder.path, { readOnly: true });
    } catch (error) {
      if (!isNoResponse(error)) throw error;
      report.problems.push(
        `The folder "${folder.name}" is no longer on the mail server; its messages are not included.`,
      );
      continue;
    }
    try {
      const serverValidity = client.mailbox ? Number(client.mailbox.uidValidity) : undefined;
      if (folder.uid_validity !== null && serverValidity !== folder.uid_validity) {
        report.problems.push(
          `The folder "${folder.name}" was renumbered on the mail server since Tidings last read it; its messages are not included. Export again after the next sync.`,
        );
        continue;
      }
      let missing = 0;
      let afterUid = 0;
      for (;;) {
        const page = await listMailMessageUidsForExport(db, folder.id, afterUid, UID_PAGE);
        const last = page.at(-1);
        if (!last) break;
        afterUid = last.uid;
        for (const batch of batches(page)) {
          const fetched = await client.fetchAll(
            batch.join(","),
            { uid: true, source: true, envelope: true, internalDate: true },
            { uid: true },
          );
          const byUid = new Map(fetched.map((message) => [message.uid, message]));
          for (const uid of batch) {
            const message = byUid.get(uid);
            if (!message?.source) {
              missing += 1;
              continue;
            }
            report.messages += 1;
            yield mboxrdEntry(
              message.source,
              message.envelope?.from?.[0]?.address,
              new Date(message.internalDate ?? message.envelope?.date ?? 0),
            );
          }
        }
      }
      if (missing) {
        report.problems.push(
          `${missing} message${missing === 1 ? "" : "s"} of the folder "${folder.name}" ${missing === 1 ? "was" : "were"} no longer on the mail server.`,
        );
      }
    } finally {
      lock.release();
    }
  }
}

/** The page's UIDs in fetches of bounded count and size. */
function* batches(page: { uid: number; size: number }[]): Generator<number[]> {
  let batch: number[] = [];
  let bytes = 0;
  for (const { uid, size } of page) {
    if (batch.length && (batch.length >= BATCH_MESSAGES || bytes + size > BATCH_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(uid);
    bytes += size;
  }
  if (batch.length) yield batch;
}

function isNoResponse(error: unknown): boolean {
  const { responseStatus, code } = (error ?? {}) as { responseStatus?: unknown; code?: unknown };
  return responseStatus === "NO" || responseStatus === "BAD" || code === "NotFound";
}
