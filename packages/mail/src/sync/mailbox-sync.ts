import {
  clearMailFolder,
  type Database,
  type Kysely,
  listMailMessageUids,
  type MailAccountRow,
  type MailFolderRole,
  type MailFolderRow,
  refreshMailThreads,
  removeMailMessagesByUid,
  setMailAccountStatus,
  setMailFolderSyncState,
  setMailMessageFlags,
  upsertMailFolder,
} from "@tidings/db";
import { type FetchMessageObject, ImapFlow, type ListResponse } from "imapflow";
import type { ConnectionLimits } from "../connection.ts";
import { MailError } from "../errors.ts";
import { imapOptionsWithAuth, type MailAuth, type MailSignIn } from "../oauth/mail-auth.ts";
import { fetchAndParse, slicesBySize, storeMessages } from "./store-batch.ts";
import { flagsOf, type MessageToStore } from "./store-message.ts";
import { StoreQueue } from "./store-queue.ts";

export interface MailboxSyncOptions {
  db: Kysely<Database>;
  account: MailAccountRow;
  /** The IMAP password, opened from the account's sealed credentials by the caller (password accounts). */
  imapPassword?: string;
  /**
   * How to sign in instead of `imapPassword`: mailSignIn for the account, which also serves OAuth2
   * accounts (XOAUTH2, the access token refreshed when due or once after the server refused it).
   */
  signIn?: MailSignIn;
  limits: ConnectionLimits;
  /** UIDs per fetch in the initial sync; default 200. */
  batchSize?: number;
  /** Use QRESYNC VANISHED for deletions where the server has it (default); else compare UIDs. */
  useQresync?: boolean;
  now?: () => Date;
  /** Called after each batch of the first pass is stored (progress; tests stop the server here). */
  onBatch?: (progress: { path: string; stored: number; remaining: number }) => Promise<void> | void;
  /** Which folders this pass syncs (the folder list is always refreshed); default all. */
  folders?: (path: string) => boolean;
  /** Told of each stored change, so a live runner can publish events. */
  onChange?: (change: SyncChange) => Promise<void> | void;
  /**
   * Stores the account's status (syncing, ready, error); default setMailAccountStatus. A sync
   * worker passes one that respects its lease and the user's pause.
   */
  setStatus?: (status: "syncing" | "ready" | "error", error?: { code: string; message: string }) => Promise<void>;
  /** Stops the pass between batches (the lease was lost, the process is stopping). */
  signal?: AbortSignal;
}

export type SyncChange =
  /** `initial`: stored by a folder's first pass, which is not news to announce message by message. */
  | { type: "message.new"; folderId: string; messageId: string; threadId: string; initial: boolean }
  | { type: "thread.updated"; threadId: string }
  /** The thread is gone: its last message was removed, or it was merged into another. */
  | { type: "thread.removed"; threadId: string }
  /** Messages of the folder were removed or the folder was rebuilt. */
  | { type: "folder.changed"; folderId: string };

export interface FolderReport {
  path: string;
  added: number;
  flagsChanged: number;
  removed: number;
  /** How deletions were found: QRESYNC VANISHED, or comparing UIDs; null on a first sync. */
  deletionsBy: "vanished" | "uids" | null;
  rebuilt: boolean;
}

export type SyncResult =
  | { ok: true; folders: FolderReport[] }
  /** `retry: false` when only the user can fix it (a refused password): no retry storm, no lockout. */
  | { ok: false; retry: boolean; code: string; message: string };

const roles: Record<string, MailFolderRole> = {
  "\\Inbox": "inbox",
  "\\Sent": "sent",
  "\\Drafts": "drafts",
  "\\Trash": "trash",
  "\\Junk": "junk",
  "\\Archive": "archive",
  "\\All": "all",
};

/**
 * One pass over an account's mailbox: folders with their roles, then per folder new mail by UID
 * range, flag changes by CONDSTORE CHANGEDSINCE, deletions by QRESYNC VANISHED (else by comparing
 * UIDs), and a changed UIDVALIDITY rebuilds the folder. The first pass over a folder fetches newest
 * first in UID batches, bodies inside the account's sync window and headers beyond it.
 */
export class MailboxSync {
  private readonly vanished = new Map<string, Set<number>>();

  constructor(private readonly options: MailboxSyncOptions) {}

  async syncOnce(): Promise<SyncResult> {
    let client: ImapFlow;
    try {
      client = await this.connect();
    } catch (error) {
      return this.failed(error);
    }
    try {
      await this.setStatus("syncing");
      const folders = await this.syncFolderList(client);
      const reports: FolderReport[] = [];
      const wanted = this.options.folders ?? (() => true);
      for (const folder of folders) {
        if (!wanted(folder.path)) continue;
        this.options.signal?.throwIfAborted();
        reports.push(await this.syncFolder(client, folder));
      }
      await this.setStatus("ready");
      return { ok: true, folders: reports };
    } catch (error) {
      return this.failed(error);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  private setStatus(status: "syncing" | "ready" | "error", error?: { code: string; message: string }): Promise<void> {
    if (this.options.setStatus) return this.options.setStatus(status, error);
    return setMailAccountStatus(this.options.db, this.options.account.id, status, error ?? null);
  }

  private async connect(): Promise<ImapFlow> {
    const { account, imapPassword, signIn } = this.options;
    if (signIn) return signIn("imap", (auth) => this.connectWith(auth));
    if (imapPassword === undefined) throw new Error("MailboxSync needs imapPassword or signIn");
    return this.connectWith({ user: account.imap_username, pass: imapPassword });
  }

  private async connectWith(auth: MailAuth): Promise<ImapFlow> {
    const { account, limits } = this.options;
    const options = await imapOptionsWithAuth(account, auth, limits);
    const client = new ImapFlow({
      ...options,
      qresync: this.options.useQresync !== false,
      expungeHandler: (event) => {
        if (!event.vanished || event.uid === undefined) return;
        const uids = this.vanished.get(event.path) ?? new Set<number>();
        uids.add(event.uid);
        this.vanished.set(event.path, uids);
      },
    });
    client.on("error", () => {});
    await client.connect();
    return client;
  }

  private async failed(error: unknown): Promise<SyncResult> {
    const { account } = this.options;
    const auth =
      (error as { authenticationFailed?: unknown }).authenticationFailed === true ||
      (error instanceof MailError && error.code !== "MAIL_CONNECTION_FAILED");
    if (auth) {
      const code = error instanceof MailError ? error.code : "MAIL_AUTH_FAILED";
      const message =
        error instanceof MailError
          ? error.message
          : `The IMAP server ${account.imap_host} refused the ${account.auth_method === "oauth2" ? "sign-in" : "password"}`;
      await this.setStatus("error", { code, message });
      return { ok: false, retry: false, code, message };
    }
    // The OAuth2 token endpoint out of reach: its own words, tried again later.
    if (error instanceof MailError) return { ok: false, retry: true, code: error.code, message: error.message };
    const reason = (error as { code?: unknown }).code;
    return {
      ok: false,
      retry: true,
      code: "MAIL_CONNECTION_FAILED",
      message: `Sync of ${account.imap_host} stopped (${typeof reason === "string" ? reason : "connection lost"})`,
    };
  }

  private async syncFolderList(client: ImapFlow): Promise<MailFolderRow[]> {
    const listed = await client.list();
    const folders: MailFolderRow[] = [];
    for (const entry of listed.filter(selectable)) {
      folders.push(
        await upsertMailFolder(this.options.db, this.options.account.id, {
          path: entry.path,
          name: entry.path === "INBOX" ? "Inbox" : entry.name,
          role: entry.specialUse ? (roles[entry.specialUse] ?? null) : null,
        }),
      );
    }
    return folders;
  }

  private async syncFolder(client: ImapFlow, folder: MailFolderRow): Promise<FolderReport> {
    const { db } = this.options;
    const report: FolderReport = {
      path: folder.path,
      added: 0,
      flagsChanged: 0,
      removed: 0,
      deletionsBy: null,
      rebuilt: false,
    };
    this.vanished.delete(folder.path);
    const known =
      folder.uid_validity !== null && folder.highest_modseq !== null
        ? { uidValidity: BigInt(folder.uid_validity), changedSince: BigInt(folder.highest_modseq) }
        : {};
    const lock = await client.getMailboxLock(folder.path, known);
    try {
      const mailbox = client.mailbox;
      if (typeof mailbox !== "object") throw new Error(`${folder.path} did not open`);
      const uidValidity = Number(mailbox.uidValidity);
      // The folder as SELECT found it. imapflow raises mailbox.uidNext and highestModseq with every
      // FETCH response it reads, the server's unasked-for news of other clients' changes included,
      // which this pass never stored: saving those would skip that news for good.
      const selected = { uidNext: mailbox.uidNext, highestModseq: mailbox.highestModseq ?? null };
      let state = folder;
      if (folder.uid_validity !== null && folder.uid_validity !== uidValidity) {
        // Every UID we hold is void: start the folder over, without announcing each message again.
        const cleared = await clearMailFolder(db, folder.id);
        state = { ...folder, uid_validity: null, uid_next: null, highest_modseq: null };
        report.rebuilt = true;
        await this.announceRemoval(cleared);
        await this.options.onChange?.({ type: "folder.changed", folderId: folder.id });
      }
      if (state.uid_validity === null) {
        report.added = await this.initialSync(client, folder);
      } else {
        report.added = await this.fetchNew(client, folder, state.uid_next ?? 1);
        report.flagsChanged = await this.fetchFlagChanges(
          client,
          folder,
          state.highest_modseq,
          mailbox.highestModseq,
          state.uid_next ?? 1,
        );
        report.deletionsBy = this.usesVanished(client) ? "vanished" : "uids";
        report.removed = await this.removeDeleted(client, folder);
      }
      await setMailFolderSyncState(db, folder.id, { uidValidity, ...selected });
      return report;
    } finally {
      lock.release();
    }
  }

  /** Newest first, in batches of UIDs, so the recent mail is there while the rest still loads. */
  private async initialSync(client: ImapFlow, folder: MailFolderRow): Promise<number> {
    // A first pass that was cut off (server gone, process ended) resumes: what is stored stays.
    const stored = new Set(await listMailMessageUids(this.options.db, folder.id));
    const uids = (await this.serverUids(client)).filter((uid) => !stored.has(uid));
    uids.sort((a, b) => b - a);
    const batchSize = this.options.batchSize ?? 200;
    return this.storingAlongside(async (queue, tally) => {
      for (let start = 0; start < uids.length; start += batchSize) {
        this.options.signal?.throwIfAborted();
        const batch = uids.slice(start, start + batchSize);
        await this.fetchAndStore(client, folder, batch.join(","), queue, tally, 1, true);
        const remaining = Math.max(uids.length - start - batchSize, 0);
        // Told once the batch is stored, while the next one is already being fetched.
        queue.afterStored(() => this.options.onBatch?.({ path: folder.path, stored: tally.added, remaining }));
      }
    });
  }

  private async fetchNew(client: ImapFlow, folder: MailFolderRow, uidNext: number): Promise<number> {
    // "n:*" also answers the last message when none is that new; fetchAndStore skips known UIDs.
    return this.storingAlongside((queue, tally) =>
      this.fetchAndStore(client, folder, `${uidNext}:*`, queue, tally, uidNext),
    );
  }

  /**
   * Runs `fetching`, which hands its slices' stores to a StoreQueue, and answers how many messages
   * were added once every store is done; on a failure, the store under way ends before it is thrown.
   */
  private async storingAlongside(
    fetching: (queue: StoreQueue, tally: { added: number }) => Promise<void>,
  ): Promise<number> {
    const queue = new StoreQueue();
    const tally = { added: 0 };
    try {
      await fetching(queue, tally);
      await queue.drain();
      return tally.added;
    } finally {
      await queue.settled();
    }
  }

  private async fetchAndStore(
    client: ImapFlow,
    folder: MailFolderRow,
    range: string,
    queue: StoreQueue,
    tally: { added: number },
    minUid = 1,
    initial = false,
  ): Promise<void> {
    const { account } = this.options;
    const windowStart = (this.options.now?.() ?? new Date()).getTime() - account.sync_days * 86_400_000;
    const envelopes: FetchMessageObject[] = [];
    for await (const message of client.fetch(
      range,
      { uid: true, flags: true, internalDate: true, size: true, threadId: true },
      { uid: true },
    )) {
      if (message.uid >= minUid) envelopes.push(message);
    }
    if (!envelopes.length) return;
    const inWindow = new Set(
      envelopes.filter((message) => dateOf(message).getTime() >= windowStart).map((message) => message.uid),
    );
    const providerThreads = client.capabilities.has("X-GM-EXT-1");
    // A slice is fetched, parsed and stored in one transaction (see storeMessages), bounded in
    // bytes so that large mail does not pile up in memory; it is stored while the next is fetched.
    for (const slice of slicesBySize(envelopes, (message) => (inWindow.has(message.uid) ? (message.size ?? 0) : 0))) {
      const parsed = new Map([
        ...(await fetchAndParse(
          client,
          slice.filter((message) => inWindow.has(message.uid)).map((message) => message.uid),
          "source",
        )),
        ...(await fetchAndParse(
          client,
          slice.filter((message) => !inWindow.has(message.uid)).map((message) => message.uid),
          "headers",
        )),
      ]);
      const toStore = slice.flatMap((envelope): MessageToStore[] => {
        const found = parsed.get(envelope.uid);
        if (!found) return [];
        return [
          {
            accountId: account.id,
            userId: account.user_id,
            folderId: folder.id,
            uid: envelope.uid,
            modseq: envelope.modseq ?? null,
            flags: envelope.flags ?? new Set(),
            internalDate: dateOf(envelope),
            size: envelope.size ?? found.bytes,
            providerThreadId: envelope.threadId && providerThreads ? envelope.threadId : null,
            parsed: found.parsed,
            withBody: inWindow.has(envelope.uid),
          },
        ];
      });
      parsed.clear();
      if (!toStore.length) continue;
      await queue.add(() => this.storeSlice(folder, toStore, tally, initial));
    }
  }

  /** Stores a slice in one transaction, then adopts known UIDs' flags and tells of the changes. */
  private async storeSlice(
    folder: MailFolderRow,
    toStore: readonly MessageToStore[],
    tally: { added: number },
    initial: boolean,
  ): Promise<void> {
    const stored = await this.options.db.transaction().execute((trx) => storeMessages(trx, toStore));
    await this.adoptServerFlags(
      folder,
      toStore.filter((_, index) => stored[index] === null),
    );
    for (const ids of stored) {
      if (ids === null) continue;
      tally.added += 1;
      const { mergedThreadIds, ...newMessage } = ids;
      for (const threadId of mergedThreadIds) await this.options.onChange?.({ type: "thread.removed", threadId });
      await this.options.onChange?.({ type: "message.new", folderId: folder.id, ...newMessage, initial });
    }
  }

  /**
   * Messages fetched as new whose UID the folder holds already: a move by the user stored the UID
   * the server gave it (setMovedMailMessageUid) before any sync saw it there. Their flags as fetched
   * are the server's now, and nothing else reads them: fetchFlagChanges leaves fetched UIDs alone and
   * the folder's HIGHESTMODSEQ is saved past any change made to them until now.
   */
  private async adoptServerFlags(folder: MailFolderRow, known: readonly MessageToStore[]): Promise<void> {
    const threads = new Set<string>();
    for (const message of known) {
      const threadId = await setMailMessageFlags(
        this.options.db,
        folder.id,
        message.uid,
        flagsOf(message.flags),
        message.modseq,
      );
      if (threadId) threads.add(threadId);
    }
    if (!threads.size) return;
    await refreshMailThreads(this.options.db, [...threads]);
    for (const threadId of threads) await this.options.onChange?.({ type: "thread.updated", threadId });
  }

  private async fetchFlagChanges(
    client: ImapFlow,
    folder: MailFolderRow,
    storedModseq: string | null,
    serverModseq: bigint | undefined,
    /** Messages from here on were just fetched with their flags. */
    newFrom: number,
  ): Promise<number> {
    if (storedModseq === null || serverModseq === undefined || serverModseq <= BigInt(storedModseq)) return 0;
    const threads = new Set<string>();
    let changed = 0;
    for await (const message of client.fetch(
      "1:*",
      { uid: true, flags: true },
      { uid: true, changedSince: BigInt(storedModseq) },
    )) {
      if (message.uid >= newFrom) continue;
      const threadId = await setMailMessageFlags(
        this.options.db,
        folder.id,
        message.uid,
        flagsOf(message.flags ?? new Set()),
        message.modseq ?? null,
      );
      if (threadId) {
        threads.add(threadId);
        changed += 1;
      }
    }
    await refreshMailThreads(this.options.db, [...threads]);
    for (const threadId of threads) await this.options.onChange?.({ type: "thread.updated", threadId });
    return changed;
  }

  /** VANISHED (QRESYNC) told us at SELECT; without it, what we hold and the server lacks is gone. */
  private async removeDeleted(client: ImapFlow, folder: MailFolderRow): Promise<number> {
    let gone: number[];
    if (this.usesVanished(client)) {
      gone = [...(this.vanished.get(folder.path) ?? [])];
    } else {
      const onServer = new Set(await this.serverUids(client));
      gone = (await listMailMessageUids(this.options.db, folder.id)).filter((uid) => !onServer.has(uid));
    }
    const result = await removeMailMessagesByUid(this.options.db, folder.id, gone);
    await this.announceRemoval(result);
    if (result.removed) await this.options.onChange?.({ type: "folder.changed", folderId: folder.id });
    return result.removed;
  }

  /** Threads that lost messages changed; those that lost their last one are gone. */
  private async announceRemoval(threads: { updatedThreadIds: string[]; removedThreadIds: string[] }): Promise<void> {
    for (const threadId of threads.updatedThreadIds)
      await this.options.onChange?.({ type: "thread.updated", threadId });
    for (const threadId of threads.removedThreadIds)
      await this.options.onChange?.({ type: "thread.removed", threadId });
  }

  private usesVanished(client: ImapFlow): boolean {
    return this.options.useQresync !== false && client.enabled.has("QRESYNC");
  }

  private async serverUids(client: ImapFlow): Promise<number[]> {
    const found = await client.search({ all: true }, { uid: true });
    return found ? [...found] : [];
  }
}

function selectable(entry: ListResponse): boolean {
  return !entry.flags.has("\\Noselect") && !entry.flags.has("\\NonExistent");
}

function dateOf(message: FetchMessageObject): Date {
  const value = message.internalDate;
  return value instanceof Date ? value : new Date(value ?? Date.now());
}
