import {
  claimMailAccountErrorNotice,
  clearMailAccountErrorNotice,
  clearMailResyncRequest,
  type Database,
  type Executor,
  findMailAccount,
  type Kysely,
  listMailFoldersWithCounts,
  type MailAccountErrorNotice,
  type MailAccountRow,
  setLeasedMailAccountStatus,
} from "@tidings/db";
import type { ConnectionLimits } from "../connection.ts";
import { openMailCredentials } from "../credentials.ts";
import { MailError } from "../errors.ts";
import type { MailEvent, MailEventBus } from "../events.ts";
import { imapOptionsWithAuth, type MailSignIn, mailSignIn, noMailOAuthClients } from "../oauth/mail-auth.ts";
import type { MailOAuthClients } from "../oauth/providers.ts";
import { openMailOAuthTokens } from "../oauth/tokens.ts";
import { MailboxSync, type SyncChange, type SyncResult } from "../sync/mailbox-sync.ts";
import { type BackoffPolicy, backoffDelay } from "./backoff.ts";
import { type IdleWatcher, watchInbox } from "./idle-watcher.ts";

export interface AccountRunnerSettings {
  /** Folders other than INBOX are checked this often. */
  pollMs: number;
  /** Every folder is compared in full (UIDs, not only QRESYNC) this often. */
  fullSyncMs: number;
  /** Waits between reconnect attempts after network failures. */
  backoff: BackoffPolicy;
  /** A refused password is tried again after this long even if the user changed nothing. */
  authRetryMs: number;
  /** The owner is emailed (once) when the account has been in error this long. */
  errorNoticeMs: number;
}

/** pino's shape, so the apps pass their logger as it is. */
export interface RunnerLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface AccountRunnerDeps {
  db: Kysely<Database>;
  /** The lease owner (worker id): status writes happen only while it holds the account. */
  owner: string;
  events: MailEventBus;
  encryptionKey: Buffer;
  /** `config.mail.oauth`: refreshes OAuth2 accounts' access tokens; without it they fail as not set up. */
  oauthClients?: MailOAuthClients;
  limits: ConnectionLimits;
  settings: AccountRunnerSettings;
  /** Queues the `mail-account-error` email in `trx` (the outbox), so it goes out exactly when the mark commits. */
  queueErrorEmail(trx: Executor, notice: MailAccountErrorNotice): Promise<unknown>;
  log: RunnerLog;
  /** Shared by a worker's runners: how many connecting (possibly first, long) passes run at once. */
  firstPassSlots?: Slots;
  /**
   * Told of each message that arrived after the account's first sync (what `message.new` announces),
   * e.g. to queue its AI analysis. A callback, because the queues live in a package that depends on this one.
   */
  onNewMessage?(message: NewMailNotice): Promise<unknown>;
  /**
   * Told after a pass in which folders' first sync stored mail (the messages `onNewMessage` is not
   * told of), e.g. to analyse the most recent of them. Once per such pass, not per message.
   */
  onFirstSyncStored?(account: { userId: string; accountId: string }): Promise<unknown>;
}

export interface NewMailNotice {
  userId: string;
  accountId: string;
  threadId: string;
  messageId: string;
}

/** A counting semaphore: `run` waits for a free slot. */
export interface Slots {
  run<T>(work: () => Promise<T>): Promise<T>;
}

export function createSlots(size: number): Slots {
  let free = size;
  const waiting: (() => void)[] = [];
  return {
    async run(work) {
      if (free > 0) free -= 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await work();
      } finally {
        // Hand the slot straight to the next in line, or give it back.
        const next = waiting.shift();
        if (next) next();
        else free += 1;
      }
    },
  };
}

const unlimited: Slots = { run: (work) => work() };

type Outcome =
  | { kind: "stopped" }
  /** The network or the server failed: reconnect after a backoff. */
  | { kind: "retry"; code: string; message: string }
  /** Only the user can fix it (a refused password): wait for them, never loop. */
  | { kind: "refused"; code: string; message: string };

type Task = "resync" | "full" | "inbox" | "poll";
/** Earlier entries first: a full pass covers INBOX and the polled folders. */
const taskOrder: readonly Task[] = ["resync", "full", "inbox", "poll"];

const AUTH_ERROR_CODES = new Set(["MAIL_AUTH_FAILED", "MAIL_CREDENTIALS_UNREADABLE"]);

/**
 * Keeps one leased account in step with its server: a first (or catch-up) pass over every folder,
 * then an IDLE connection on INBOX that triggers an incremental INBOX pass on every change, polling
 * of the other folders, a periodic full pass and resync requests; events for what changed. Network
 * failures reconnect with backoff; a refused password waits for the user (or a long backoff).
 */
export class AccountRunner {
  private account: MailAccountRow;
  private readonly stopping = new AbortController();
  private done: Promise<void> = Promise.resolve();
  private wakeSleep: (() => void) | undefined;
  /** When the account went into error (this run or before it), for the one-hour notice. */
  private errorSince: number | undefined;
  private notifying = false;
  private failures = 0;
  private readonly tasks = new Set<Task>();
  private kickTasks: (() => void) | undefined;
  private readonly lastCounts = new Map<string, string>();
  /** The pass under way stored mail by a folder's first sync (see onFirstSyncStored). */
  private storedFirstSync = false;
  /** The resync request the last connecting pass served (ms), so it is not served twice. */
  private servedResync = 0;
  /** Signs in per connection with the row as it is then; OAuth2 tokens are refreshed when due. */
  private readonly signIn: MailSignIn;

  private get firstPassSlots(): Slots {
    return this.deps.firstPassSlots ?? unlimited;
  }

  constructor(
    account: MailAccountRow,
    private readonly deps: AccountRunnerDeps,
  ) {
    this.account = account;
    if (account.status === "error" && account.error_at) this.errorSince = account.error_at.getTime();
    this.signIn = mailSignIn(deps.db, deps.encryptionKey, () => this.account, deps.oauthClients ?? noMailOAuthClients);
  }

  get accountId(): string {
    return this.account.id;
  }

  start(): void {
    this.done = this.run().catch((error: unknown) => {
      this.deps.log.error({ accountId: this.account.id, err: messageOf(error) }, "mail account runner failed");
    });
  }

  /** Stops syncing (between batches) and closes the connections. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.wakeSleep?.();
    this.kickTasks?.();
    await this.done;
  }

  /** The row as the last lease renewal read it: resync requests, new credentials, the error notice. */
  update(row: MailAccountRow): void {
    const before = this.account;
    this.account = row;
    if (row.resync_requested_at && row.resync_requested_at.getTime() !== before.resync_requested_at?.getTime()) {
      this.queue("resync");
      this.wakeSleep?.();
    }
    if (settingsKey(row) !== settingsKey(before)) this.wakeSleep?.();
    void this.noticeIfDue();
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async run(): Promise<void> {
    await this.waitOutEarlierRefusal();
    while (!this.stopped) {
      const outcome = await this.connectAndServe();
      if (this.stopped || outcome.kind === "stopped") break;
      this.errorSince ??= Date.now();
      if (outcome.kind === "retry") {
        this.failures += 1;
        await this.setStatus("error", { code: outcome.code, message: outcome.message });
        const wait = backoffDelay(this.deps.settings.backoff, this.failures);
        this.deps.log.warn(
          { accountId: this.account.id, err: outcome.message, retryInMs: wait },
          "mail account sync failed; reconnecting",
        );
        await this.sleep(wait, () => false);
      } else {
        this.failures = 0;
        await this.setStatus("error", { code: outcome.code, message: outcome.message });
        this.deps.log.warn(
          { accountId: this.account.id, code: outcome.code },
          "mail server refused the credentials; waiting for the user",
        );
        // The row as it is now: an OAuth2 refresh during the refused attempt stored new tokens,
        // which are not the user's change to wait for (else the next lease renewal retries at once).
        const current = await findMailAccount(this.deps.db, this.account.user_id, this.account.id).catch(
          () => undefined,
        );
        await this.waitForUser(settingsKey(current ?? this.account), Date.now());
      }
    }
  }

  /** A worker that takes over an account whose password was refused shortly before does not try it again. */
  private async waitOutEarlierRefusal(): Promise<void> {
    const { account } = this;
    if (account.status !== "error" || !account.error_at || !AUTH_ERROR_CODES.has(account.error_code ?? "")) return;
    await this.waitForUser(settingsKey(account), account.error_at.getTime());
  }

  /** Until the user changes the account's settings, asks for a resync, or the long backoff ends. */
  private async waitForUser(refusedSettings: string, refusedAt: number): Promise<void> {
    const requestedBefore = this.account.resync_requested_at?.getTime() ?? 0;
    const changed = () =>
      settingsKey(this.account) !== refusedSettings ||
      (this.account.resync_requested_at?.getTime() ?? 0) > Math.max(requestedBefore, refusedAt);
    const remaining = refusedAt + this.deps.settings.authRetryMs - Date.now();
    if (remaining > 0 && !changed()) await this.sleep(remaining, changed);
  }

  private async connectAndServe(): Promise<Outcome> {
    if (!this.credentialsReadable()) {
      const error = {
        code: "MAIL_CREDENTIALS_UNREADABLE",
        message:
          this.account.auth_method === "oauth2"
            ? "The stored sign-in of this mailbox cannot be opened; reconnect the account"
            : "The stored credentials of this mailbox cannot be opened; enter the password again",
      };
      await setLeasedMailAccountStatus(this.deps.db, this.deps.owner, this.account.id, "error", error);
      return { kind: "refused", ...error };
    }
    await this.setStatus("connecting");
    await this.publish({ type: "account.status", accountId: this.account.id, status: "syncing" });
    // The connecting pass is a full one, so it serves a resync asked for before it started.
    const requestedAt = this.account.resync_requested_at;
    const first = await this.firstPassSlots.run(async (): Promise<SyncResult> => {
      // Stopped while waiting for a slot: no login for nothing.
      if (this.stopped) return { ok: false, retry: true, code: "STOPPED", message: "stopped" };
      return this.pass("full", this.stopping.signal);
    });
    if (this.stopped) return { kind: "stopped" };
    if (!first.ok) return outcomeOf(first);
    if (requestedAt) {
      await clearMailResyncRequest(this.deps.db, this.account.id, requestedAt);
      this.tasks.delete("resync");
      this.servedResync = requestedAt.getTime();
    }
    await this.recovered();
    return this.serve();
  }

  /** Whether the sealed password or OAuth2 tokens open with our key (a rotated key, a copied row do not). */
  private credentialsReadable(): boolean {
    const { account } = this;
    const owner = { userId: account.user_id, email: account.email };
    try {
      if (account.auth_method === "oauth2")
        openMailOAuthTokens(this.deps.encryptionKey, owner, account.credentials_sealed);
      else openMailCredentials(this.deps.encryptionKey, owner, account.credentials_sealed);
      return true;
    } catch {
      return false;
    }
  }

  /** After a successful pass: errors are history, and a later error is news again. */
  private async recovered(): Promise<void> {
    this.failures = 0;
    this.errorSince = undefined;
    await clearMailAccountErrorNotice(this.deps.db, this.account.id);
    this.account = { ...this.account, status: "ready", error_notified_at: null };
    await this.publish({ type: "account.status", accountId: this.account.id, status: "ready", error: null });
  }

  /** The live part: IDLE on INBOX, polling, periodic full passes, resyncs; ends on a failure or stop. */
  private async serve(): Promise<Outcome> {
    const session = new AbortController();
    const abortSession = () => session.abort();
    this.stopping.signal.addEventListener("abort", abortSession);
    let finish: (outcome: Outcome) => void = () => {};
    const ended = new Promise<Outcome>((resolve) => {
      finish = (outcome) => {
        // Resolve first: aborting calls finish again, with "stopped", which must not win.
        resolve(outcome);
        session.abort();
      };
    });
    session.signal.addEventListener("abort", () => finish({ kind: "stopped" }));

    let watcher: IdleWatcher | undefined;
    try {
      watcher = await this.signIn("imap", async (auth) =>
        watchInbox(await imapOptionsWithAuth(this.account, auth, this.deps.limits), () => this.queue("inbox")),
      );
    } catch (error) {
      this.stopping.signal.removeEventListener("abort", abortSession);
      return failureOf(error, this.account.imap_host);
    }
    watcher.ended.then(
      () => finish({ kind: "stopped" }),
      (error: unknown) => finish(failureOf(error, this.account.imap_host)),
    );
    // Mail that arrived between the first pass and IDLE, and a resync asked for meanwhile.
    this.queue("inbox");
    if ((this.account.resync_requested_at?.getTime() ?? 0) > this.servedResync) this.queue("resync");
    const timers = [
      setInterval(() => this.queue("poll"), this.deps.settings.pollMs),
      setInterval(() => this.queue("full"), this.deps.settings.fullSyncMs),
    ];
    const drained = this.drainTasks(session.signal, finish);
    const outcome = await ended;
    for (const timer of timers) clearInterval(timer);
    this.stopping.signal.removeEventListener("abort", abortSession);
    await watcher.close();
    this.kickTasks?.();
    await drained;
    return outcome;
  }

  private queue(task: Task): void {
    this.tasks.add(task);
    this.kickTasks?.();
  }

  /** One pass at a time per account, so two passes never store the same folder side by side. */
  private async drainTasks(signal: AbortSignal, finish: (outcome: Outcome) => void): Promise<void> {
    while (!signal.aborted) {
      const task = taskOrder.find((candidate) => this.tasks.has(candidate));
      if (!task) {
        await new Promise<void>((resolve) => {
          this.kickTasks = resolve;
        });
        this.kickTasks = undefined;
        continue;
      }
      this.tasks.delete(task);
      // A full pass covers the lighter ones queued behind it.
      if (task === "resync" || task === "full") {
        this.tasks.delete("inbox");
        this.tasks.delete("poll");
      }
      const requestedAt = this.account.resync_requested_at;
      const result = await this.pass(task, signal);
      if (signal.aborted) return;
      if (!result.ok) {
        finish(outcomeOf(result));
        return;
      }
      if (task === "resync" && requestedAt) await clearMailResyncRequest(this.deps.db, this.account.id, requestedAt);
    }
  }

  private async pass(task: Task, signal: AbortSignal): Promise<SyncResult> {
    const accountId = this.account.id;
    const live = task === "inbox" || task === "poll";
    const sync = new MailboxSync({
      db: this.deps.db,
      account: this.account,
      signIn: this.signIn,
      limits: this.deps.limits,
      signal,
      // Live passes run every few seconds: they note the sync time, without flickering through "syncing".
      setStatus: (status, error) =>
        live && status === "syncing"
          ? Promise.resolve()
          : setLeasedMailAccountStatus(this.deps.db, this.deps.owner, accountId, status, error ?? null),
      // The periodic and the asked-for passes compare UIDs, which also catches what QRESYNC missed.
      useQresync: task === "full" || task === "resync" ? false : undefined,
      folders: task === "inbox" ? (path) => path === "INBOX" : task === "poll" ? (path) => path !== "INBOX" : undefined,
      onBatch: (progress) =>
        this.publish({
          type: "account.status",
          accountId,
          status: "syncing",
          progress: { done: progress.stored, total: progress.stored + progress.remaining },
        }),
      onChange: (change) => this.announce(change),
    });
    const result = await sync.syncOnce();
    if (result.ok) await this.publishCounts();
    // Also after a failed pass: what it stored stays, and a resumed pass only adds older mail.
    if (this.storedFirstSync) await this.notifyFirstSyncStored();
    return result;
  }

  private async announce(change: SyncChange): Promise<void> {
    const accountId = this.account.id;
    if (change.type === "message.new" && change.initial) this.storedFirstSync = true;
    if (change.type === "message.new" && !change.initial) {
      await this.publish({
        type: "message.new",
        accountId,
        folderId: change.folderId,
        threadId: change.threadId,
        messageId: change.messageId,
      });
      await this.notifyNewMessage(change.threadId, change.messageId);
    } else if (change.type === "thread.updated" || change.type === "thread.removed") {
      await this.publish({ type: change.type, accountId, threadId: change.threadId });
    }
  }

  /** Best effort like the events: a queue that is down must not stop the mail from syncing. */
  private async notifyNewMessage(threadId: string, messageId: string): Promise<void> {
    if (!this.deps.onNewMessage) return;
    const notice = { userId: this.account.user_id, accountId: this.account.id, threadId, messageId };
    try {
      await this.deps.onNewMessage(notice);
    } catch (error) {
      this.deps.log.warn(
        { accountId: this.account.id, messageId, err: error instanceof Error ? error.message : String(error) },
        "could not hand a new message on (AI analysis)",
      );
    }
  }

  /** Best effort, as notifyNewMessage. */
  private async notifyFirstSyncStored(): Promise<void> {
    this.storedFirstSync = false;
    if (!this.deps.onFirstSyncStored) return;
    try {
      await this.deps.onFirstSyncStored({ userId: this.account.user_id, accountId: this.account.id });
    } catch (error) {
      this.deps.log.warn(
        { accountId: this.account.id, err: error instanceof Error ? error.message : String(error) },
        "could not hand the first sync's mail on (AI analysis)",
      );
    }
  }

  /** `folder.counts` for each folder whose counts differ from what this runner last published. */
  private async publishCounts(): Promise<void> {
    const folders = await listMailFoldersWithCounts(this.deps.db, this.account.user_id, this.account.id);
    for (const folder of folders) {
      const counts = `${folder.unread}/${folder.total}`;
      if (this.lastCounts.get(folder.id) === counts) continue;
      this.lastCounts.set(folder.id, counts);
      await this.publish({
        type: "folder.counts",
        accountId: this.account.id,
        folderId: folder.id,
        unread: folder.unread,
        total: folder.total,
      });
    }
  }

  private async setStatus(
    status: "connecting" | "error",
    error: { code: string; message: string } | null = null,
  ): Promise<void> {
    await setLeasedMailAccountStatus(this.deps.db, this.deps.owner, this.account.id, status, error);
    this.account = { ...this.account, status };
    await this.publish({ type: "account.status", accountId: this.account.id, status, error });
  }

  /** Events are best effort: a bus that is down must not stop the mail from syncing. */
  private async publish(event: MailEvent): Promise<void> {
    try {
      await this.deps.events.publish(this.account.user_id, event);
    } catch (error) {
      this.deps.log.warn({ accountId: this.account.id, err: messageOf(error) }, "could not publish a mail event");
    }
  }

  /** After `errorNoticeMs` in error, the owner gets `mail-account-error`, once per error. */
  private async noticeIfDue(): Promise<void> {
    if (this.errorSince === undefined || this.notifying || this.account.error_notified_at) return;
    if (Date.now() - this.errorSince < this.deps.settings.errorNoticeMs) return;
    this.notifying = true;
    try {
      const sent = await this.deps.db.transaction().execute(async (trx) => {
        const notice = await claimMailAccountErrorNotice(trx, this.account.id);
        if (notice) await this.deps.queueErrorEmail(trx, notice);
        return notice !== undefined;
      });
      if (sent) {
        this.account = { ...this.account, error_notified_at: new Date() };
        this.deps.log.info({ accountId: this.account.id }, "mail account error: owner notified");
      }
    } catch (error) {
      this.deps.log.warn(
        { accountId: this.account.id, err: messageOf(error) },
        "could not queue the account error email",
      );
    } finally {
      this.notifying = false;
    }
  }

  /** Waits `ms`, less if stopped, woken (`update`) with `until()` true, or stopped. */
  private async sleep(ms: number, until: () => boolean): Promise<void> {
    const end = Date.now() + ms;
    while (!this.stopped && Date.now() < end) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, end - Date.now());
        this.wakeSleep = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeSleep = undefined;
      if (until()) return;
    }
  }
}

/** What, when changed by the user, is worth another login after a refusal. */
function settingsKey(account: MailAccountRow): string {
  return JSON.stringify([
    account.credentials_sealed,
    account.imap_host,
    account.imap_port,
    account.imap_security,
    account.imap_username,
  ]);
}

function outcomeOf(result: Extract<SyncResult, { ok: false }>): Outcome {
  return result.retry
    ? { kind: "retry", code: result.code, message: result.message }
    : { kind: "refused", code: result.code, message: result.message };
}

/** A failure of the IDLE connection, as MailboxSync would classify it. */
function failureOf(error: unknown, host: string): Outcome {
  // resolveMailAuth's own: a refused OAuth2 refresh (the user must reconnect), or its endpoint unreachable.
  if (error instanceof MailError) {
    return error.code === "MAIL_CONNECTION_FAILED"
      ? { kind: "retry", code: error.code, message: error.message }
      : { kind: "refused", code: error.code, message: error.message };
  }
  if ((error as { authenticationFailed?: unknown }).authenticationFailed === true) {
    return { kind: "refused", code: "MAIL_AUTH_FAILED", message: `The IMAP server ${host} refused the sign-in` };
  }
  const reason = (error as { code?: unknown }).code;
  return {
    kind: "retry",
    code: "MAIL_CONNECTION_FAILED",
    message: `Connection to ${host} lost (${typeof reason === "string" ? reason : "closed"})`,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The outbox email for an account error notice: `queueEmail(trx, mailAccountErrorEmail(notice))`. */
export function mailAccountErrorEmail(notice: MailAccountErrorNotice) {
  return {
    template: "mail-account-error" as const,
    to: notice.to,
    data: { displayName: notice.displayName, accountEmail: notice.accountEmail, reason: notice.reason },
  };
}
