// The mail-sync bench's child must keep syncing and reporting, or `pnpm bench` reports no RSS:
// it runs here on a small mailbox, on this file's own database and Dovecot, over loopback.
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { services, spamAssassinMessages, startDovecot, type TestDovecot } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, PASSWORD, syncInChild } from "../mail-sync.bench.ts";

describe.skipIf(!services().dovecot || !services().postgres)("mail-sync bench child", () => {
  let dovecot: TestDovecot;
  let testDb: TestDatabase;
  let account: Awaited<ReturnType<typeof createAccount>>;
  beforeAll(async () => {
    [dovecot, testDb] = await Promise.all([startDovecot({ users: { memory: PASSWORD } }), createTestDatabase()]);
    // As the benchmark fills its mailboxes: files in the maildir, not IMAP APPEND.
    await dovecot.deliverToInbox("memory", spamAssassinMessages({ count: 25, seed: 7 }));
    account = await createAccount(testDb.handle, dovecot, "memory");
  }, 60_000);
  afterAll(async () => {
    await Promise.all([dovecot?.close(), testDb?.drop()]);
  });

  it("syncs every message in a process of its own and reports its peak RSS", async () => {
    if (!testDb.url) throw new Error("the child needs Postgres");
    const report = await syncInChild({
      databaseUrl: testDb.url,
      userId: account.user_id,
      accountId: account.id,
      imapPassword: PASSWORD,
    });
    expect(report).toMatchObject({ ok: true, added: 25 });
    expect(report.startRssMb).toBeGreaterThan(0);
    expect(report.peakRssMb).toBeGreaterThanOrEqual(report.startRssMb);
    expect(report.atPeak.heapTotalMb).toBeGreaterThan(0);
    const stored = await testDb.handle.db
      .selectFrom("mail_messages")
      .select(({ fn }) => fn.countAll<string>().as("count"))
      .executeTakeFirstOrThrow();
    expect(Number(stored.count)).toBe(25);
  });

  it("reports a failed sync instead of hanging", async () => {
    const report = await syncInChild({
      databaseUrl: testDb.url ?? "",
      userId: account.user_id,
      accountId: account.id,
      imapPassword: "not the password",
    });
    expect(report).toMatchObject({ ok: false, added: 0, error: expect.stringMatching(/^MAIL_AUTH_FAILED/) });
  });
});
