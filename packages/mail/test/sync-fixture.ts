import { insertMailAccount, type MailAccountRow } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { startDovecot, type TestDovecot } from "@tidings/testing";

export interface SyncFixture {
  dovecot: TestDovecot;
  testDb: TestDatabase;
  userId: string;
  /** alice's account on the test Dovecot (plain IMAP on loopback, a 30-day sync window). */
  account: MailAccountRow;
}

/** A test Dovecot with the user alice and a database holding her user and mail account. */
export async function startSyncFixture(password: string): Promise<SyncFixture> {
  const [dovecot, testDb] = await Promise.all([startDovecot({ users: { alice: password } }), createTestDatabase()]);
  const userId = (
    await testDb.handle.db
      .insertInto("users")
      .values({ email: "alice@example.test", email_normalized: "alice@example.test" })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
  const account = await insertMailAccount(testDb.handle.db, {
    userId,
    email: "alice@example.test",
    provider: "custom",
    imap: { host: "127.0.0.1", port: dovecot.port, security: "none", username: "alice" },
    smtp: { host: "127.0.0.1", port: 1, security: "none", username: "alice" },
    credentialsSealed: "sealed-elsewhere",
    syncDays: 30,
  });
  return { dovecot, testDb, userId, account };
}
