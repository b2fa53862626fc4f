import { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import { type Executor, listMailAccounts, type MailAccountRow } from "@tidings/db";
import type { ImapFlow } from "imapflow";
import { ZipFile } from "yazl";
import { MailError } from "../errors.ts";
import { isMailAuthFailure } from "../oauth/mail-auth.ts";
import { type AccountAccess, connectImap, logOut } from "../send/account-connection.ts";
import { accountMbox, type MboxReport } from "./account-mbox.ts";

export interface ExportArchiveDeps extends AccountAccess {
  db: Executor;
}

/**
 * The account export as a ZIP, streamed as it is made: `account.json` (the account data, as
 * given), then per mail account `<address>.mbox` with its messages fetched from its IMAP server
 * now, one account and one batch at a time. An account whose server cannot be reached, or whose
 * messages are not all there, gets `<address>.note.txt` saying so instead of failing the download.
 * The mail servers are signed in to with the stored password or OAuth2 token (refreshed when due);
 * neither goes into the archive.
 */
export function accountExportArchive(deps: ExportArchiveDeps, userId: string, data: unknown): Readable {
  const zip = new ZipFile();
  const output = zip.outputStream as Readable;
  let current: Readable | undefined;
  let abandoned = false;
  // The download was abandoned: stop reading mailboxes (the account being read is logged out).
  output.once("close", () => {
    if (output.readableEnded) return;
    abandoned = true;
    current?.destroy();
  });
  zip.addBuffer(Buffer.from(`${JSON.stringify(data, null, 2)}\n`), "account.json");

  const addAccounts = async () => {
    const taken = new Set<string>();
    for (const account of await listMailAccounts(deps.db, userId)) {
      if (abandoned) return;
      const name = uniqueName(fileNameFor(account.email), taken);
      let client: ImapFlow;
      try {
        client = await connectImap(deps, account);
      } catch (error) {
        zip.addBuffer(Buffer.from(unreachableNote(account, error)), `${name}.note.txt`);
        continue;
      }
      if (abandoned) {
        await logOut(client);
        return;
      }
      const report: MboxReport = { messages: 0, problems: [] };
      let failure: unknown;
      // A failure mid-way ends the file where it got to (the note tells), rather than the whole ZIP.
      const untilFailure = async function* () {
        try {
          yield* accountMbox(deps.db, client, account.id, report);
        } catch (error) {
          failure = error;
        }
      };
      current = Readable.from(untilFailure(), { objectMode: false });
      zip.addReadStream(current, `${name}.mbox`);
      try {
        await finished(current);
      } catch {
        return; // destroyed: the download was abandoned
      } finally {
        await logOut(client);
      }
      const note = incompleteNote(account, name, report, failure);
      if (note) zip.addBuffer(Buffer.from(note), `${name}.note.txt`);
    }
  };
  addAccounts().then(
    () => {
      if (!abandoned) zip.end();
    },
    (error: unknown) => output.destroy(error instanceof Error ? error : new Error(String(error))),
  );
  return output;
}

/** The address as a file name that unzips the same everywhere. */
function fileNameFor(email: string): string {
  return email.replace(/[^A-Za-z0-9@._+-]/g, "_").replace(/^\.+/, "_") || "mailbox";
}

function uniqueName(name: string, taken: Set<string>): string {
  let unique = name;
  for (let n = 2; taken.has(unique.toLowerCase()); n += 1) unique = `${name}-${n}`;
  taken.add(unique.toLowerCase());
  return unique;
}

function unreachableNote(account: MailAccountRow, error: unknown): string {
  return [
    `The messages of ${account.email} are not in this download: ${reasonOf(error)}.`,
    "Everything else in the download is complete. Make a new download later to get the messages.",
    "",
  ].join("\n");
}

function incompleteNote(
  account: MailAccountRow,
  name: string,
  report: MboxReport,
  failure: unknown,
): string | undefined {
  const lines = [...report.problems];
  if (failure !== undefined) {
    lines.unshift(
      `The export of ${account.email} stopped after ${report.messages} message${report.messages === 1 ? "" : "s"}: ${reasonOf(failure)}.`,
      `${name}.mbox holds the messages up to that point; make a new download later for the rest.`,
    );
  }
  return lines.length ? `${lines.join("\n")}\n` : undefined;
}

/** Why a mail server failed, in words for the owner; never a password or token. */
function reasonOf(error: unknown): string {
  if (error instanceof MailError) return error.message.replace(/\.$/, "");
  if (isMailAuthFailure(error)) return "the mail server refused the sign-in (update the account's password in Tidings)";
  const code = (error as { code?: unknown } | null)?.code;
  return `the mail server could not be reached${typeof code === "string" ? ` (${code})` : ""}`;
}
