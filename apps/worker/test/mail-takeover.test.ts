import { randomBytes } from "node:crypto";
import { insertMailAccount, type MailAccountRow, sql } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { createRedisMailEventBus, type DeliveredMailEvent, sealMailCredentials } from "@tidings/mail";
import {
  createTestRedis,
  type RunningProcess,
  services,
  startDovecot,
  type TestDovecot,
  type TestRedis,
} from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startWorker } from "./helpers.ts";

const ACCOUNTS = 10;
const users = Object.fromEntries(Array.from({ length: ACCOUNTS }, (_, index) => [`user${index}`, `pw-${index}`]));

function raw(id: string, subject: string): string {
  return [
    "From: Bob <bob@example.test>",
    "To: Someone <someone@example.test>",
    `Subject: ${subject}`,
    `Message-ID: <${id}>`,
    `Date: ${new Date().toUTCString()}`,
    "",
    `Body of ${subject}`,
    "",
  ].join("\r\n");
}

describe.skipIf(!services().postgres || !services().redis || !services().dovecot)(
  "mail sync across worker processes",
  () => {
    let dovecot: TestDovecot;
    let testDb: TestDatabase;
    let redis: TestRedis;
    const workers: RunningProcess[] = [];
    const key = randomBytes(32);
    const accounts: MailAccountRow[] = [];

    const leases = async () =>
      (
        await sql<{ id: string; lease_owner: string | null; status: string }>`
          select id, lease_owner, status from mail_accounts`.execute(testDb.handle.db)
      ).rows;

    const inbox = async (account: MailAccountRow) =>
      (
        await sql<{ message_id: string }>`
          select m.message_id from mail_messages m join mail_folders f on f.id = m.folder_id
          where f.account_id = ${account.id} and f.path = 'INBOX'`.execute(testDb.handle.db)
      ).rows.map((row) => row.message_id);

    beforeAll(async () => {
      [dovecot, testDb, redis] = await Promise.all([startDovecot({ users }), createTestDatabase(), createTestRedis()]);
      for (const [user, password] of Object.entries(users)) {
        const email = `${user}@example.test`;
        const { id: userId } = await testDb.handle.db
          .insertInto("users")
          .values({ email, email_normalized: email })
          .returning("id")
          .executeTakeFirstOrThrow();
        await dovecot.append(user, "INBOX", raw(`${user}-hello@t`, `Hello ${user}`));
        accounts.push(
          await insertMailAccount(testDb.handle.db, {
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
          }),
        );
      }
    }, 60_000);
    afterAll(async () => {
      await Promise.all(workers.map((worker) => worker.stop("SIGKILL")));
      await Promise.all([dovecot?.close(), testDb?.drop(), redis?.cleanup()]);
    });

    it("a SIGKILLed worker's 10 accounts are held by the other within 30 s, and new mail still arrives", async () => {
      const env = {
        DATABASE_URL: testDb.url,
        REDIS_URL: redis.url,
        REDIS_PREFIX: redis.prefix,
        ENCRYPTION_KEY: key.toString("base64"),
        MAIL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1",
        MAIL_LEASE_SECONDS: "3",
        MAIL_SYNC_POLL_SECONDS: "2",
        WORKER_METRICS_PORT: "0",
      };
      const first = await startWorker(env);
      workers.push(first);
      await vi.waitFor(
        async () => {
          const rows = await leases();
          expect(rows.filter((row) => row.status === "ready")).toHaveLength(ACCOUNTS);
          expect(new Set(rows.map((row) => row.lease_owner)).size).toBe(1);
        },
        { timeout: 30_000, interval: 200 },
      );
      const firstOwner = (await leases())[0]?.lease_owner;
      expect(firstOwner).toBeTruthy();
      for (const account of accounts) expect(await inbox(account)).toHaveLength(1);

      // The second worker finds nothing free while the first renews its leases.
      const second = await startWorker(env);
      workers.push(second);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(new Set((await leases()).map((row) => row.lease_owner))).toEqual(new Set([firstOwner]));

      const killedAt = Date.now();
      expect(await first.stop("SIGKILL")).toBe("SIGKILL");
      await vi.waitFor(
        async () => {
          const rows = await leases();
          expect(rows.every((row) => row.lease_owner !== null && row.lease_owner !== firstOwner)).toBe(true);
          expect(new Set(rows.map((row) => row.lease_owner)).size).toBe(1);
        },
        { timeout: 30_000, interval: 200 },
      );
      expect(Date.now() - killedAt).toBeLessThan(30_000);

      // The events the surviving worker publishes reach a listener in this process through Redis.
      const listener = redis.client.duplicate();
      const bus = createRedisMailEventBus(listener, redis.prefix);
      const target = accounts[7];
      if (!target) throw new Error("no account 7");
      const seen: DeliveredMailEvent[] = [];
      bus.subscribe(target.user_id, (delivered) => seen.push(delivered));
      await bus.ready();
      try {
        // Wait for its runners to be live (ready after the takeover pass), then deliver.
        await vi.waitFor(
          async () => expect((await leases()).filter((row) => row.status === "ready")).toHaveLength(ACCOUNTS),
          { timeout: 20_000, interval: 200 },
        );
        await dovecot.append("user7", "INBOX", raw("user7-late@t", "After the takeover"));
        await vi.waitFor(async () => expect(await inbox(target)).toContain("user7-late@t"), {
          timeout: 10_000,
          interval: 100,
        });
        await vi.waitFor(() => expect(seen.map((delivered) => delivered.event.type)).toContain("message.new"), {
          timeout: 5_000,
        });
        for (const account of accounts) {
          const messages = await inbox(account);
          expect(new Set(messages).size).toBe(messages.length);
        }
      } finally {
        await bus.close();
        listener.disconnect();
      }
    }, 120_000);
  },
);
