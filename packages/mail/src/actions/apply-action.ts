import {
  type Database,
  findMailAccount,
  type Kysely,
  listMailFoldersById,
  type MailFolderRow,
  type MailMessageChange,
  type MailMessageState,
  recordMailAccountError,
  restoreMailMessages,
  setMovedMailMessageUid,
} from "@tidings/db";
import { ImapFlow } from "imapflow";
import type { ConnectionLimits } from "../connection.ts";
import { MailError } from "../errors.ts";
import type { MailEventBus } from "../events.ts";
import { imapOptionsWithAuth, noMailOAuthClients, withMailAuth } from "../oauth/mail-auth.ts";
import type { MailOAuthClients } from "../oauth/providers.ts";

/** A user's change to one account's messages, applied locally already, to carry to the IMAP server. */
export interface MailAction {
  userId: string;
  accountId: string;
  change: MailMessageChange;
  /** The messages as they were before the change (folder, UID, flags): what a refusal restores. */
  before: MailMessageState[];
}

export interface MailActionDeps {
  db: Kysely<Database>;
  /** The key that opens the accounts' sealed credentials (ENCRYPTION_KEY), asked for when first needed. */
  encryptionKey: () => Promise<Buffer>;
  /** `config.mail.oauth`, for OAuth2 accounts' token refreshes (XOAUTH2); unset: only password accounts work. */
  oauthClients?: MailOAuthClients;
  limits: ConnectionLimits;
  events: MailEventBus;
}

export type MailActionOutcome =
  | { status: "applied"; messages: number }
  /** The account or every message is gone: nothing left to change. */
  | { status: "skipped" }
  /** The server refused (or stayed unreachable on the last try): local state put back, user told. */
  | { status: "reverted"; code: string; message: string; restored: number };

/** The server could not be reached this time; the job is tried again unless this was its last try. */
export class MailActionRetry extends Error {
  override name = "MailActionRetry";
}

/** A refusal by the server (IMAP NO/BAD), as opposed to a lost connection. */
class Refused extends Error {}

/**
 * Carries a user's change (flags, move) to the IMAP server by UID, folder by folder: flags first,
 * then the move, whose new UIDs (UIDPLUS COPYUID) replace the local placeholders. When the server
 * refuses part of it, what it did not carry out is put back locally exactly as it was, flags it had
 * already changed in that folder are changed back on the server, the account notes the error and
 * the user gets an `action.failed` event. A connection that fails throws MailActionRetry (the job
 * is retried) unless `lastAttempt`, which reverts like a refusal.
 */
export async function carryMailAction(
  deps: MailActionDeps,
  action: MailAction,
  options: { lastAttempt: boolean },
): Promise<MailActionOutcome> {
  const account = await findMailAccount(deps.db, action.userId, action.accountId);
  if (!account || !action.before.length) return { status: "skipped" };
  const done = new Set<string>();
  let client: ImapFlow | undefined;
  try {
    const folders = new Map(
      (
        await listMailFoldersById(deps.db, [
          ...new Set([...action.before.map((message) => message.folderId), ...optional(action.change.folderId)]),
        ])
      ).map((folder) => [folder.id, folder]),
    );
    const target = action.change.folderId === undefined ? undefined : folders.get(action.change.folderId);
    if (action.change.folderId !== undefined && !target) throw new Refused("The destination folder no longer exists");
    client = await withMailAuth(
      deps.db,
      await deps.encryptionKey(),
      account,
      deps.oauthClients ?? noMailOAuthClients,
      "imap",
      async (auth) => {
        const attempt = new ImapFlow(await imapOptionsWithAuth(account, auth, deps.limits));
        attempt.on("error", () => {});
        await attempt.connect();
        return attempt;
      },
    );
    if (target) await requireMailbox(client, target);
    for (const [folderId, messages] of groupBy(action.before, (message) => message.folderId)) {
      const folder = folders.get(folderId);
      if (!folder) throw new Refused("A source folder no longer exists");
      await carryInFolder(deps, client, folder, messages, action.change, target, done);
    }
    return { status: "applied", messages: done.size };
  } catch (error) {
    // An OAuth2 grant the provider no longer honours: the account is in error until the user
    // reconnects it, so retrying the job cannot help.
    if (error instanceof MailError && error.code === "MAIL_AUTH_FAILED") {
      return revert(deps, action, done, { code: error.code, message: error.message });
    }
    const refused = error instanceof Refused;
    if (!refused && !options.lastAttempt) throw new MailActionRetry(describe(error), { cause: error });
    const message = refused ? error.message : `The mail server could not be reached: ${describe(error)}`;
    return revert(deps, action, done, { code: refused ? "MAIL_ACTION_REFUSED" : "MAIL_CONNECTION_FAILED", message });
  } finally {
    await client?.logout().catch(() => client?.close());
  }
}

async function carryInFolder(
  deps: MailActionDeps,
  client: ImapFlow,
  folder: MailFolderRow,
  messages: MailMessageState[],
  change: MailMessageChange,
  target: MailFolderRow | undefined,
  done: Set<string>,
): Promise<void> {
  // A placeholder UID (below 1) is a message whose own earlier move is still on its way: it has no
  // UID here yet, so this change waits for the next sync to show where it is.
  const onServer = messages.filter((message) => message.uid > 0);
  if (!onServer.length) return;
  let lock: Awaited<ReturnType<ImapFlow["getMailboxLock"]>>;
  try {
    lock = await client.getMailboxLock(folder.path);
  } catch (error) {
    if (isNoResponse(error)) throw new Refused(`The folder ${folder.name} no longer exists on the server`);
    throw error;
  }
  try {
    const flagged = await setFlags(client, onServer, change);
    const moving = target ? onServer.filter((message) => message.folderId !== target.id) : [];
    if (target && moving.length) {
      const moved = await client.messageMove(uidsOf(moving), target.path, { uid: true });
      if (!moved) {
        // Leave the folder as it was: the flags just set go back too.
        await restoreFlags(client, flagged, change);
        throw new Refused(`The server refused to move the messages to ${target.name}`);
      }
      for (const message of moving) {
        const uid = moved.uidMap?.get(message.uid);
        if (uid !== undefined) await setMovedMailMessageUid(deps.db, message.id, target.id, uid);
      }
    }
    for (const message of onServer) done.add(message.id);
  } finally {
    lock.release();
  }
}

/** Adds or removes \Seen and \Flagged as the change says; answers the messages it changed. */
async function setFlags(
  client: ImapFlow,
  messages: MailMessageState[],
  change: Pick<MailMessageChange, "seen" | "flagged">,
): Promise<MailMessageState[]> {
  if (!messages.length) return [];
  for (const [flag, wanted] of [
    ["\\Seen", change.seen],
    ["\\Flagged", change.flagged],
  ] as const) {
    if (wanted === undefined) continue;
    const uids = uidsOf(messages);
    const ok = wanted
      ? await client.messageFlagsAdd(uids, [flag], { uid: true })
      : await client.messageFlagsRemove(uids, [flag], { uid: true });
    if (!ok) throw new Refused(`The server refused to change the ${flag.slice(1).toLowerCase()} flag`);
  }
  return messages;
}

/** Sets each flag the change touched back to what each message had before (best effort). */
async function restoreFlags(client: ImapFlow, messages: MailMessageState[], change: MailMessageChange): Promise<void> {
  for (const [flag, wanted, had] of [
    ["\\Seen", change.seen, (message: MailMessageState) => message.seen],
    ["\\Flagged", change.flagged, (message: MailMessageState) => message.flagged],
  ] as const) {
    if (wanted === undefined) continue;
    const changed = messages.filter((message) => had(message) !== wanted);
    if (!changed.length) continue;
    const uids = uidsOf(changed);
    await (wanted
      ? client.messageFlagsRemove(uids, [flag], { uid: true })
      : client.messageFlagsAdd(uids, [flag], { uid: true }));
  }
}

async function revert(
  deps: MailActionDeps,
  action: MailAction,
  done: ReadonlySet<string>,
  error: { code: string; message: string },
): Promise<MailActionOutcome> {
  const undone = action.before.filter((message) => !done.has(message.id));
  await deps.db.transaction().execute(async (trx) => {
    await restoreMailMessages(trx, undone);
    await recordMailAccountError(trx, action.accountId, error);
  });
  await deps.events.publish(action.userId, {
    type: "action.failed",
    accountId: action.accountId,
    threadIds: [...new Set(undone.map((message) => message.threadId))],
    message: error.message,
  });
  return { status: "reverted", ...error, restored: undone.length };
}

/** Refuses up front when the destination is gone, before any message is touched. */
async function requireMailbox(client: ImapFlow, folder: MailFolderRow): Promise<void> {
  let found: unknown;
  try {
    found = await client.status(folder.path, { messages: true });
  } catch (error) {
    if (!isNoResponse(error)) throw error;
  }
  if (!found) throw new Refused(`The folder ${folder.name} no longer exists on the server`);
}

/** The server answered NO/BAD (or imapflow found the mailbox missing), as opposed to a lost connection. */
function isNoResponse(error: unknown): boolean {
  const { responseStatus, code } = (error ?? {}) as { responseStatus?: unknown; code?: unknown };
  return responseStatus === "NO" || responseStatus === "BAD" || code === "NotFound";
}

function uidsOf(messages: MailMessageState[]): string {
  return messages.map((message) => message.uid).join(",");
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

function optional<T>(value: T | undefined): T[] {
  return value === undefined ? [] : [value];
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string") return code;
  return error instanceof Error ? error.message : String(error);
}
