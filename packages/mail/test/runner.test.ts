import { randomBytes } from "node:crypto";
import {
  findMailAccount,
  insertMailAccount,
  insertOutboxJob,
  listMailFolders,
  type MailAccountRow,
  sql,
} from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { createTestRedis, services, startDovecot, type TestDovecot, type TestRedis } from "@tidings/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  createRedisMailEventBus,
  type DeliveredMailEvent,
  type MailSyncWorker,
  mailAccountErrorEmail,
  parseAllowedPrivateHosts,
  type RedisMailEventBus,
  sealMailCredentials,
  startMailSyncWorker,
} from "../src/index.ts";

const POLL_MS = 1_000;
const ERROR_NOTICE_MS = 2_500;
const key = randomBytes(32);
const passwords = { alice: "alice-pw", bob: "bob-pw", carol: "carol-pw", dave: "dave-pw" };
type User = keyof typeof passwords;

function raw(id: string, subject: string): string {
  return [
    "From: Bob <bob@example.test>",
    "To: Alice <alice@example.test>",
    `Subject: ${subject}`,
    `Message-ID: <${id}>`,
    `Date: ${new Date().toUTCString()}`,
    "Content-Type: text/plain; charset=utf-8",
    "",
    `Body of ${subject}`,
    "",
  ].join("\r\n");
}

const silentLog = { info: () => {}, warn: () => {}, error: () => {} };

describe.skipIf(!services().dovecot || !services().redis)("mail sync runner against Dovecot and Redis", () => {
  let dovecot: TestDovecot;
  let testDb: TestDatabase;
  let redis: TestRedis;
  let publisher: Redis;
  let bus: RedisMailEventBus;
  let worker: MailSyncWorker;
  const events: DeliveredMailEvent[] = [];
  const firstSyncNotices: { userId: string; accountId: string }[] = [];

  const db = () => testDb.handle.db;

  async function addAccount(user: User, password: string = passwords[user]): Promise<MailAccountRow> {
    const email = `${user}@example.test`;
    const { id: userId } = await db()
      .insertInto("users")
      .values({ email, email_normalized: email, display_name: user })
      .returning("id")
      .executeTakeFirstOrThrow();
    bus.subscribe(userId, (delivered) => events.push(delivered));
    await bus.ready();
    return insertMailAccount(db(), {
      userId,
      email,
      provider: "custom",
      imap: { host: "127.0.0.1", port: dovecot.port, security: "none", username: user },
      smtp: { host: "127.0.0.1", port: 1, security: "none", username: user },
      credentialsSealed: sealMailCredentials(
        key,
        { userId, email },
        { imapPassword: password, smtpPassword: password },
      ),
      syncDays: 30,
    });
  }

  const account = async (row: MailAccountRow) => {
    const found = await findMailAccount(db(), row.user_id, row.id);
    if (!found) throw new Error("account gone");
    return found;
  };

  const messagesIn = async (row: MailAccountRow, path: string) => {
    const folder = (await listMailFolders(db(), row.id)).find((entry) => entry.path === path);
    if (!folder) return [];
    return db().selectFrom("mail_messages").selectAll().where("folder_id", "=", folder.id).orderBy("uid").execute();
  };

  const eventsOf = (row: MailAccountRow) =>
    events.filter((delivered) => delivered.userId === row.user_id).map((delivered) => delivered.event);

  beforeAll(async () => {
    [dovecot, testDb, redis] = await Promise.all([
      startDovecot({ users: passwords }),
      createTestDatabase(),
      createTestRedis(),
    ]);
    publisher = redis.client.duplicate();
    bus = createRedisMailEventBus(publisher, redis.prefix);
    worker = startMailSyncWorker({
      db: db(),
      events: bus,
      encryptionKey: key,
      allowedPrivateHosts: parseAllowedPrivateHosts(["127.0.0.1"]),
      settings: {
        leaseSeconds: 2,
        workerMaxAccounts: 10,
        pollSeconds: 1,
        fullSyncMinutes: 60,
        pollMs: POLL_MS,
        backoff: { initialMs: 200, maxMs: 1_000 },
        authRetryMs: 10 * 60_000,
        errorNoticeMs: ERROR_NOTICE_MS,
      },
      // The outbox row the apps write through @tidings/jobs' queueEmail (which depends on this package).
      queueErrorEmail: (trx, notice) =>
        insertOutboxJob(trx, { queue: "email", jobName: "send", payload: mailAccountErrorEmail(notice) }),
      log: silentLog,
      onFirstSyncStored: async (notice) => void firstSyncNotices.push(notice),
    });
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await bus?.close();
    publisher?.disconnect();
    await Promise.all([dovecot?.close(), testDb?.drop(), redis?.cleanup()]);
  });

  it("syncs a new account, then stores new INBOX mail within 2 s (IDLE) with a message.new event, and flags within a poll", async () => {
    await dovecot.append("alice", "INBOX", raw("a-1@t", "First"));
    await dovecot.append("alice", "INBOX", raw("a-2@t", "Second"));
    await dovecot.append("alice", "Archive", raw("a-3@t", "Archived"));
    const alice = await addAccount("alice");
    // Picked up although added after the worker started, and brought to ready.
    await vi.waitFor(async () => expect((await account(alice)).status).toBe("ready"), { timeout: 10_000 });
    expect(worker.heldAccounts()).toContain(alice.id);
    expect((await account(alice)).last_sync_at).not.toBeNull();
    expect(await messagesIn(alice, "INBOX")).toHaveLength(2);
    const statuses = () => eventsOf(alice).flatMap((event) => (event.type === "account.status" ? [event.status] : []));
    await vi.waitFor(() => expect(statuses()).toContain("ready"));
    expect(statuses().slice(0, 2)).toEqual(["connecting", "syncing"]);

    // Let the IDLE connection settle, then deliver.
    await vi.waitFor(() => expect(eventsOf(alice).some((event) => event.type === "folder.counts")).toBe(true));
    const appendedAt = Date.now();
    await dovecot.append("alice", "INBOX", raw("a-live@t", "Live one"));
    await vi.waitFor(
      async () => expect((await messagesIn(alice, "INBOX")).map((m) => m.message_id)).toContain("a-live@t"),
      { timeout: 2_000, interval: 25 },
    );
    expect(Date.now() - appendedAt).toBeLessThan(2_000);
    const stored = (await messagesIn(alice, "INBOX")).find((m) => m.message_id === "a-live@t");
    await vi.waitFor(() =>
      expect(eventsOf(alice)).toContainEqual({
        type: "message.new",
        accountId: alice.id,
        folderId: stored?.folder_id,
        threadId: stored?.thread_id,
        messageId: stored?.id,
      }),
    );
    // The first pass's messages were not announced one by one, but handed on once (for their analyses).
    expect(eventsOf(alice).filter((event) => event.type === "message.new")).toHaveLength(1);
    expect(firstSyncNotices.filter((notice) => notice.accountId === alice.id)).toEqual([
      { userId: alice.user_id, accountId: alice.id },
    ]);

    // A flag in INBOX (IDLE) and one in another folder (polling) are reflected within a poll interval.
    const first = (await messagesIn(alice, "INBOX")).find((m) => m.message_id === "a-1@t");
    const archived = (await messagesIn(alice, "Archive"))[0];
    if (!first || !archived) throw new Error("missing fixtures");
    const flaggedAt = Date.now();
    await dovecot.setFlags("alice", "INBOX", [first.uid], ["\\Flagged"], "add");
    await dovecot.setFlags("alice", "Archive", [archived.uid], ["\\Seen"], "add");
    await vi.waitFor(
      async () => {
        expect((await messagesIn(alice, "INBOX")).find((m) => m.uid === first.uid)?.flagged).toBe(true);
        expect((await messagesIn(alice, "Archive"))[0]?.seen).toBe(true);
      },
      { timeout: POLL_MS + 1_500, interval: 50 },
    );
    expect(Date.now() - flaggedAt).toBeLessThan(POLL_MS + 1_500);
    await vi.waitFor(() =>
      expect(eventsOf(alice)).toContainEqual({
        type: "thread.updated",
        accountId: alice.id,
        threadId: first.thread_id,
      }),
    );
  }, 30_000);

  it("recovers by itself when Dovecot stops in the middle of a first sync: nothing lost, nothing doubled", async () => {
    const total = 450;
    const client = await dovecot.connect("bob");
    try {
      for (let index = 0; index < total; index += 1) {
        await client.append("INBOX", raw(`b-${index}@t`, `Bulk ${index}`));
      }
    } finally {
      await client.logout();
    }
    const bob = await addAccount("bob");
    // Stop the server as soon as the first batch of the first pass is stored.
    await vi.waitFor(
      () =>
        expect(
          eventsOf(bob).some((event) => event.type === "account.status" && event.progress && event.progress.done > 0),
        ).toBe(true),
      { timeout: 20_000, interval: 10 },
    );
    await dovecot.stop();
    const partial = (await messagesIn(bob, "INBOX")).length;
    expect(partial).toBeLessThan(total);
    await vi.waitFor(
      async () => expect(await account(bob)).toMatchObject({ status: "error", error_code: "MAIL_CONNECTION_FAILED" }),
      { timeout: 10_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await dovecot.start();

    await vi.waitFor(async () => expect(await account(bob)).toMatchObject({ status: "ready", error_code: null }), {
      timeout: 30_000,
    });
    const inbox = await messagesIn(bob, "INBOX");
    expect(inbox).toHaveLength(total);
    expect(new Set(inbox.map((m) => m.message_id)).size).toBe(total);
    expect(new Set(inbox.map((m) => m.uid)).size).toBe(total);

    // IDLE came back too: new mail arrives live again, for bob and for alice (whose server also went away).
    await dovecot.append("bob", "INBOX", raw("b-after@t", "After the outage"));
    await dovecot.append("alice", "INBOX", raw("a-after@t", "After the outage"));
    const alice = await db()
      .selectFrom("mail_accounts")
      .selectAll()
      .where("email", "=", "alice@example.test")
      .executeTakeFirstOrThrow();
    await vi.waitFor(
      async () => {
        expect((await messagesIn(bob, "INBOX")).map((m) => m.message_id)).toContain("b-after@t");
        expect((await messagesIn(alice, "INBOX")).map((m) => m.message_id)).toContain("a-after@t");
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(await messagesIn(bob, "INBOX")).toHaveLength(total + 1);
  }, 90_000);

  it("a refused password: status error after one login attempt, no retries, one email after the error period", async () => {
    const refusals = () => dovecot.log().match(/\(auth failed, \d+ attempts?[^\n]*user=<carol>/g) ?? [];
    const before = refusals().length;
    const carol = await addAccount("carol", "not-carols-password");
    await vi.waitFor(
      async () => expect(await account(carol)).toMatchObject({ status: "error", error_code: "MAIL_AUTH_FAILED" }),
      { timeout: 10_000 },
    );
    const stored = await account(carol);
    expect(stored.error_message).not.toContain("not-carols-password");
    expect(JSON.stringify(eventsOf(carol))).not.toContain("not-carols-password");

    // Several lease renewals and longer than every network backoff later: still one attempt.
    const outbox = () =>
      sql<{ payload: { to: string; template: string; data: Record<string, unknown> } }>`
        select payload from outbox
        where payload->>'template' = 'mail-account-error' and payload->>'to' = 'carol@example.test'`.execute(db());
    await vi.waitFor(async () => expect((await outbox()).rows).toHaveLength(1), { timeout: ERROR_NOTICE_MS + 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(refusals().length - before).toBe(1);
    expect((await outbox()).rows).toHaveLength(1);
    expect((await outbox()).rows[0]?.payload).toMatchObject({
      template: "mail-account-error",
      to: "carol@example.test",
      data: { accountEmail: "carol@example.test", displayName: "carol" },
    });
    expect((await account(carol)).error_notified_at).not.toBeNull();

    // The user enters the right password: the runner tries again at once and recovers.
    await db()
      .updateTable("mail_accounts")
      .set({
        credentials_sealed: sealMailCredentials(
          key,
          { userId: carol.user_id, email: carol.email },
          { imapPassword: passwords.carol, smtpPassword: passwords.carol },
        ),
      })
      .where("id", "=", carol.id)
      .execute();
    await vi.waitFor(
      async () => expect(await account(carol)).toMatchObject({ status: "ready", error_notified_at: null }),
      { timeout: 10_000 },
    );
  }, 30_000);

  it("stops the runner of a paused or removed account, and honours a resync request", async () => {
    const dave = await addAccount("dave");
    await vi.waitFor(async () => expect((await account(dave)).status).toBe("ready"), { timeout: 10_000 });
    const requestedAt = new Date();
    await db()
      .updateTable("mail_accounts")
      .set({ resync_requested_at: requestedAt })
      .where("id", "=", dave.id)
      .execute();
    await vi.waitFor(async () => expect((await account(dave)).resync_requested_at).toBeNull(), { timeout: 10_000 });

    await db().updateTable("mail_accounts").set({ status: "paused" }).where("id", "=", dave.id).execute();
    // The runner stops first and the lease is given back just after, by the same tick.
    await vi.waitFor(
      async () => {
        expect(worker.heldAccounts()).not.toContain(dave.id);
        expect(await account(dave)).toMatchObject({ status: "paused", lease_owner: null });
      },
      { timeout: 5_000 },
    );

    const alice = await db()
      .selectFrom("mail_accounts")
      .selectAll()
      .where("email", "=", "alice@example.test")
      .executeTakeFirstOrThrow();
    await db().deleteFrom("mail_accounts").where("id", "=", alice.id).execute();
    await vi.waitFor(() => expect(worker.heldAccounts()).not.toContain(alice.id), { timeout: 5_000 });
  }, 30_000);
});
