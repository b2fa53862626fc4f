import { randomBytes } from "node:crypto";
import { type AuthStack, bearer, signUp, startAuthStack, trpcCall } from "@tidings/test-stack";
import { type SmtpSink, services, startDovecot, startSmtpSink, type TestDovecot } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// The production path end to end: an account added over HTTP is leased and synced by the worker
// process (Postgres, Redis), and new mail on the server shows in mailAccount.list within 2 s.

const PASSWORD = `mailbox-${randomBytes(9).toString("hex")}`;

function raw(id: string, subject: string): string {
  return `From: Bob <bob@example.test>\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\nDate: ${new Date().toUTCString()}\r\n\r\n${subject}\r\n`;
}

interface ListedAccount {
  id: string;
  status: string;
  messageCount: number;
  unreadCount: number;
  error: unknown;
}

describe.skipIf(!services().postgres || !services().redis || !services().dovecot)(
  "mail sync behind the API, in the worker process",
  () => {
    let stack: AuthStack;
    let dovecot: TestDovecot;
    let smtp: SmtpSink;
    let token: string;

    beforeAll(async () => {
      [stack, dovecot, smtp] = await Promise.all([
        startAuthStack({ env: { MAIL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1", MAIL_SYNC_POLL_SECONDS: "2" } }),
        startDovecot({ users: { alice: PASSWORD } }),
        startSmtpSink({ users: { alice: PASSWORD } }),
      ]);
      for (let index = 0; index < 5; index += 1) {
        await dovecot.append("alice", "INBOX", raw(`pre-${index}@t`, `Before ${index}`));
      }
    }, 120_000);
    afterAll(async () => {
      await Promise.all([stack?.stop(), dovecot?.close(), smtp?.close()]);
    });

    const list = async () => {
      const answer = await trpcCall<ListedAccount[]>(
        stack.servers[0]?.url ?? "",
        "query",
        "mailAccount.list",
        undefined,
        bearer(token),
      );
      expect(answer.status).toBe(200);
      return answer.data ?? [];
    };

    it("syncs an added account to ready, then shows new mail within 2 s", async () => {
      // signUp waits on the emailed link with expect.poll, which only runs inside a test.
      token = (await signUp(stack, "owner@example.test")).accessToken;
      const side = (port: number) => ({
        host: "127.0.0.1",
        port,
        security: "none",
        username: "alice",
        password: PASSWORD,
      });
      const added = await trpcCall(
        stack.servers[0]?.url ?? "",
        "mutation",
        "mailAccount.add",
        { email: "alice@example.test", imap: side(dovecot.port), smtp: side(Number(new URL(smtp.url).port)) },
        bearer(token),
      );
      expect(added.status).toBe(200);

      await vi.waitFor(
        async () => expect(await list()).toMatchObject([{ status: "ready", messageCount: 5, error: null }]),
        {
          timeout: 20_000,
          interval: 200,
        },
      );
      const appendedAt = Date.now();
      await dovecot.append("alice", "INBOX", raw("live@t", "Live"));
      await vi.waitFor(async () => expect(await list()).toMatchObject([{ messageCount: 6, unreadCount: 6 }]), {
        timeout: 2_000,
        interval: 50,
      });
      expect(Date.now() - appendedAt).toBeLessThan(2_000);
      expect(stack.worker.output()).toMatch(/"msg":"mail accounts leased"/);
      expect(stack.worker.output()).not.toContain(PASSWORD);
    }, 60_000);
  },
);
