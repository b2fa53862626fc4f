import { randomBytes } from "node:crypto";
import {
  applyMailMessageChange,
  findMailAccount,
  findMailActionTargets,
  insertMailAccount,
  listMailFolders,
  type MailAccountRow,
  type MailMessageChange,
} from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { freePort, services, startDovecot, type TestDovecot } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  carryMailAction,
  createMemoryMailEventBus,
  type DeliveredMailEvent,
  type MailActionDeps,
  MailActionRetry,
  MailboxSync,
  parseAllowedPrivateHosts,
  sealMailCredentials,
} from "../src/index.ts";

// The `mail:apply-action` job's work (carryMailAction) against a real Dovecot: a change applied
// locally the way mail.update applies it reaches the server, and a refusal is put back locally.

const PASSWORD = "actions-password";
const limits = { allowedPrivateHosts: parseAllowedPrivateHosts(["127.0.0.1"]), timeoutMs: 5_000 };

function raw(id: string, subject: string): string {
  return [
    "From: Bob <bob@example.test>",
    "To: Alice <alice@example.test>",
    `Subject: ${subject}`,
    `Message-ID: <${id}>`,
    "Date: Thu, 03 Dec 2026 10:00:00 +0000",
    "Content-Type: text/plain; charset=utf-8",
    "",
    `Body of ${subject}`,
    "",
  ].join("\r\n");
}

describe.skipIf(!services().dovecot)("mail actions against Dovecot", () => {
  let dovecot: TestDovecot;
  let testDb: TestDatabase;
  let account: MailAccountRow;
  let userId: string;
  let deps: MailActionDeps;
  const events: DeliveredMailEvent[] = [];

  const db = () => testDb.handle.db;
  const sync = () =>
    new MailboxSync({
      db: db(),
      account,
      imapPassword: PASSWORD,
      limits,
      now: () => new Date("2026-12-04T00:00:00Z"),
    }).syncOnce();
  const folderId = async (path: string) => {
    const folder = (await listMailFolders(db(), account.id)).find((candidate) => candidate.path === path);
    if (!folder) throw new Error(`no folder ${path}`);
    return folder.id;
  };
  const row = (messageId: string) =>
    db()
      .selectFrom("mail_messages")
      .select(["id", "folder_id", "uid", "seen", "flagged", "thread_id"])
      .where("message_id", "=", messageId)
      .executeTakeFirstOrThrow();
  const serverFlags = async (folder: string, uid: number) =>
    (await dovecot.messages("alice", folder)).find((message) => message.uid === uid)?.flags ?? null;

  /** What mail.update does in its transaction; answers the job's payload. */
  const applyLocally = (messageIds: string[], change: MailMessageChange) =>
    db()
      .transaction()
      .execute(async (trx) => {
        const { messages } = await findMailActionTargets(trx, userId, { threadIds: [], messageIds });
        await applyMailMessageChange(trx, messages, change);
        return { userId, accountId: account.id, change, before: messages };
      });

  beforeAll(async () => {
    [dovecot, testDb] = await Promise.all([startDovecot({ users: { alice: PASSWORD } }), createTestDatabase()]);
    userId = (
      await db()
        .insertInto("users")
        .values({ email: "alice@example.test", email_normalized: "alice@example.test" })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
    const encryptionKey = randomBytes(32);
    account = await insertMailAccount(db(), {
      userId,
      email: "alice@example.test",
      provider: "custom",
      imap: { host: "127.0.0.1", port: dovecot.port, security: "none", username: "alice" },
      smtp: { host: "127.0.0.1", port: 1, security: "none", username: "alice" },
      credentialsSealed: sealMailCredentials(
        encryptionKey,
        { userId, email: "alice@example.test" },
        { imapPassword: PASSWORD, smtpPassword: PASSWORD },
      ),
    });
    const bus = createMemoryMailEventBus();
    bus.subscribe(userId, (event) => events.push(event));
    deps = { db: db(), encryptionKey: async () => encryptionKey, limits, events: bus };
    for (const [id, subject] of [
      ["seen@t", "To read"],
      ["star@t", "To star"],
      ["move@t", "To archive"],
      ["refused@t", "Refused move"],
      ["offline@t", "Offline"],
    ] as const) {
      await dovecot.append("alice", "INBOX", raw(id, subject));
    }
    const client = await dovecot.connect("alice");
    await client.mailboxCreate("Projects");
    await client.logout();
    expect(await sync()).toMatchObject({ ok: true });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([dovecot?.close(), testDb?.drop()]);
  });

  it("marks a message read on the server", async () => {
    const message = await row("seen@t");
    const action = await applyLocally([message.id], { seen: true });
    expect(await carryMailAction(deps, action, { lastAttempt: false })).toEqual({ status: "applied", messages: 1 });
    expect(await serverFlags("INBOX", Number(message.uid))).toContain("\\Seen");
    expect(await row("seen@t")).toMatchObject({ seen: true });
  });

  it("stars and unstars a message on the server", async () => {
    const message = await row("star@t");
    await carryMailAction(deps, await applyLocally([message.id], { flagged: true }), { lastAttempt: false });
    expect(await serverFlags("INBOX", Number(message.uid))).toContain("\\Flagged");
    await carryMailAction(deps, await applyLocally([message.id], { flagged: false }), { lastAttempt: false });
    expect(await serverFlags("INBOX", Number(message.uid))).not.toContain("\\Flagged");
  });

  it("moves a message by UID and adopts the UID the server gave it, so the next sync doubles nothing", async () => {
    const message = await row("move@t");
    const archive = await folderId("Archive");
    const action = await applyLocally([message.id], { folderId: archive, seen: true });
    expect(Number((await row("move@t")).uid)).toBeLessThan(1);
    expect(await carryMailAction(deps, action, { lastAttempt: false })).toEqual({ status: "applied", messages: 1 });

    const inArchive = await dovecot.messages("alice", "Archive");
    expect(inArchive).toHaveLength(1);
    expect(inArchive[0]?.flags).toContain("\\Seen");
    expect((await dovecot.messages("alice", "INBOX")).map((stored) => stored.uid)).not.toContain(Number(message.uid));
    expect(await row("move@t")).toMatchObject({ folder_id: archive, uid: inArchive[0]?.uid, seen: true });

    expect(await sync()).toMatchObject({ ok: true });
    const copies = await db()
      .selectFrom("mail_messages")
      .select("folder_id")
      .where("message_id", "=", "move@t")
      .execute();
    expect(copies).toEqual([{ folder_id: archive }]);
  });

  it("a flag set on the server after a move shows at the next sync, though the move already adopted the new UID", async () => {
    await dovecot.append("alice", "INBOX", raw("move-then-star@t", "Moved, then starred"));
    expect(await sync()).toMatchObject({ ok: true });
    const message = await row("move-then-star@t");
    const archive = await folderId("Archive");
    await carryMailAction(deps, await applyLocally([message.id], { folderId: archive }), { lastAttempt: false });
    const moved = await row("move-then-star@t");
    expect(Number(moved.uid)).toBeGreaterThan(0);

    // Starred on the server before any sync has seen the message in Archive: that sync finds its
    // UID new (past the folder's stored UIDNEXT) and already stored, by the move.
    await dovecot.setFlags("alice", "Archive", [Number(moved.uid)], ["\\Flagged"], "add");
    expect(await sync()).toMatchObject({ ok: true });
    expect(await row("move-then-star@t")).toMatchObject({ folder_id: archive, uid: moved.uid, flagged: true });
    const thread = await db()
      .selectFrom("mail_threads")
      .select("flagged_count")
      .where("id", "=", moved.thread_id)
      .executeTakeFirstOrThrow();
    expect(thread.flagged_count).toBe(1);
  });

  it("puts everything back when the server refuses a move (folder deleted there), notes the error and says so", async () => {
    const before = await row("refused@t");
    const threadBefore = await db()
      .selectFrom("mail_threads")
      .selectAll()
      .where("id", "=", before.thread_id)
      .executeTakeFirstOrThrow();
    const projects = await folderId("Projects");
    const client = await dovecot.connect("alice");
    await client.mailboxDelete("Projects");
    await client.logout();

    const action = await applyLocally([before.id], { folderId: projects, seen: true, flagged: true });
    expect(await row("refused@t")).toMatchObject({ folder_id: projects, seen: true, flagged: true });

    const outcome = await carryMailAction(deps, action, { lastAttempt: false });
    expect(outcome).toMatchObject({ status: "reverted", code: "MAIL_ACTION_REFUSED", restored: 1 });
    expect(await row("refused@t")).toEqual(before);
    expect(
      await db().selectFrom("mail_threads").selectAll().where("id", "=", before.thread_id).executeTakeFirstOrThrow(),
    ).toEqual(threadBefore);
    // Nothing changed on the server either: still in INBOX, neither read nor starred.
    expect(await serverFlags("INBOX", Number(before.uid))).toEqual([]);
    expect(await findMailAccount(db(), userId, account.id)).toMatchObject({
      status: "ready",
      error_code: "MAIL_ACTION_REFUSED",
      error_message: expect.stringContaining("Projects"),
      error_at: expect.any(Date),
    });
    expect(events.at(-1)?.event).toEqual({
      type: "action.failed",
      accountId: account.id,
      threadIds: [before.thread_id],
      message: expect.stringContaining("Projects"),
    });
  });

  it("asks for a retry while the server is unreachable, and puts the change back on the last try", async () => {
    const before = await row("offline@t");
    const action = await applyLocally([before.id], { seen: true });
    await db()
      .updateTable("mail_accounts")
      .set({ imap_port: await freePort() })
      .where("id", "=", account.id)
      .execute();
    try {
      await expect(carryMailAction(deps, action, { lastAttempt: false })).rejects.toBeInstanceOf(MailActionRetry);
      expect(await row("offline@t")).toMatchObject({ seen: true });
      expect(await carryMailAction(deps, action, { lastAttempt: true })).toMatchObject({
        status: "reverted",
        code: "MAIL_CONNECTION_FAILED",
      });
      expect(await row("offline@t")).toEqual(before);
    } finally {
      await db().updateTable("mail_accounts").set({ imap_port: dovecot.port }).where("id", "=", account.id).execute();
    }
  });
});
