import { randomBytes } from "node:crypto";
import { lookup } from "node:dns/promises";
import { connect, createServer, type Server, type Socket } from "node:net";
import { type AuthStack, bearer, signUp, startAuthStack, type TrpcAnswer, trpcCall } from "@tidings/test-stack";
import { freePort, type SmtpSink, services, startDovecot, startSmtpSink, type TestDovecot } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Issue #16, must-hold 1, from outside: mailAccount.add over HTTP against a server on Postgres and
// Redis says which side refused the password, that a closed port refused the connection, and
// refuses internal hosts outside MAIL_ALLOWED_PRIVATE_HOSTS without connecting to them (S24); the
// mailbox password is in no answer and no log line (S23).

const MAILBOX_PASSWORD = `mailbox-${randomBytes(9).toString("hex")}`;
const WRONG_PASSWORD = `wrong-${randomBytes(9).toString("hex")}`;

/** A listener on one loopback address that counts the connections it gets (and answers nothing useful). */
async function countingListener(
  host: string,
  port: number,
): Promise<{ connections(): number; close(): Promise<void> }> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.end("* BYE\r\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host, ipv6Only: true }, resolve);
  });
  return {
    connections: () => count,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe.skipIf(!services().postgres || !services().redis || !services().dovecot)(
  "mailAccount.add over HTTP (issue #16 must-hold 1)",
  () => {
    let stack: AuthStack;
    let url: string;
    let dovecot: TestDovecot;
    let mailSmtp: SmtpSink;
    let token: string | undefined;
    const answers: TrpcAnswer[] = [];

    beforeAll(async () => {
      [stack, dovecot, mailSmtp] = await Promise.all([
        startAuthStack({ env: { MAIL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1" } }),
        startDovecot({ users: { alice: MAILBOX_PASSWORD } }),
        startSmtpSink({ users: { alice: MAILBOX_PASSWORD } }),
      ]);
      url = stack.servers[0]?.url ?? "";
    }, 120_000);
    afterAll(async () => {
      await Promise.all([stack?.stop(), dovecot?.close(), mailSmtp?.close()]);
    });

    /** Signs up once, inside the first test that needs it (the sign-up waits on the emailed link). */
    const accessToken = async () => {
      token ??= (await signUp(stack, "mailbox-owner@example.test")).accessToken;
      return token;
    };
    const call = async (path: string, input: unknown) => {
      const answer = await trpcCall(url, "mutation", path, input, bearer(await accessToken()));
      answers.push(answer);
      return answer;
    };
    const side = (port: number, overrides: Record<string, unknown> = {}) => ({
      host: "127.0.0.1",
      port,
      security: "none",
      username: "alice",
      password: MAILBOX_PASSWORD,
      ...overrides,
    });
    const imap = (overrides: Record<string, unknown> = {}) => side(dovecot.port, overrides);
    const smtp = (overrides: Record<string, unknown> = {}) => side(Number(new URL(mailSmtp.url).port), overrides);
    const add = (sides: { imap: unknown; smtp: unknown }) =>
      call("mailAccount.add", { email: "alice@example.test", ...sides });

    it("names the side whose password was wrong, and a closed port as refused", async () => {
      const imapWrong = await add({ imap: imap({ password: WRONG_PASSWORD }), smtp: smtp() });
      expect(imapWrong.status).toBe(400);
      expect(imapWrong.error?.data).toMatchObject({ appCode: "MAIL_AUTH_FAILED", protocol: "imap" });

      const smtpWrong = await add({ imap: imap(), smtp: smtp({ password: WRONG_PASSWORD }) });
      expect(smtpWrong.status).toBe(400);
      expect(smtpWrong.error?.data).toMatchObject({ appCode: "MAIL_AUTH_FAILED", protocol: "smtp" });

      const closed = await freePort();
      const refused = await add({ imap: imap({ port: closed }), smtp: smtp() });
      expect(refused.status).toBe(400);
      expect(refused.error?.data).toMatchObject({
        appCode: "MAIL_CONNECTION_FAILED",
        protocol: "imap",
        reason: "refused",
      });

      const listed = await trpcCall<unknown[]>(
        url,
        "query",
        "mailAccount.list",
        undefined,
        bearer(await accessToken()),
      );
      expect(listed.data).toEqual([]);
    });

    it("refuses internal hosts outside MAIL_ALLOWED_PRIVATE_HOSTS without connecting to them", async () => {
      const port = await freePort();
      const listeners = await Promise.all([countingListener("127.0.0.2", port), countingListener("::1", port)]);
      const connections = () => listeners.reduce((sum, listener) => sum + listener.connections(), 0);
      try {
        // Numeric spellings of 127.0.0.1 are refused before any lookup, whatever the resolver would make of them.
        for (const host of ["127.0.0.2", "::1", "[::1]", "0x7f000001", "2130706433"]) {
          const answer = await add({ imap: imap({ host, port }), smtp: smtp({ host, port }) });
          expect(answer.status, host).toBe(400);
          expect(answer.error?.data, host).toMatchObject({ appCode: "HOST_NOT_ALLOWED", protocol: "imap" });
          const tested = await call("mailAccount.test", {
            email: "alice@example.test",
            imap: imap({ host, port }),
            smtp: smtp({ host, port }),
          });
          expect(tested.data, host).toMatchObject({
            imap: { ok: false, error: { code: "HOST_NOT_ALLOWED" } },
            smtp: { ok: false, error: { code: "HOST_NOT_ALLOWED" } },
          });
        }

        // `localhost` is judged by what it resolves to: refused when any of its addresses (such as ::1)
        // is outside the exceptions; where it resolves to 127.0.0.1 alone it is that allowed address.
        const localhost = (await lookup("localhost", { all: true, verbatim: true })).map((entry) => entry.address);
        const answer = await add({ imap: imap({ host: "localhost", port }), smtp: smtp() });
        expect(answer.status).toBe(400);
        if (localhost.every((address) => address === "127.0.0.1")) {
          expect(answer.error?.data).toMatchObject({ appCode: "MAIL_CONNECTION_FAILED", reason: "refused" });
        } else {
          expect(answer.error?.data).toMatchObject({ appCode: "HOST_NOT_ALLOWED", protocol: "imap" });
        }

        expect(connections()).toBe(0);
        // The listeners do count: a direct connection to 127.0.0.2 is seen.
        await new Promise<void>((resolve, reject) => {
          const socket = connect({ host: "127.0.0.2", port, timeout: 2_000 }, () => {
            socket.destroy();
            resolve();
          });
          socket.once("error", reject);
        });
        await expect.poll(connections).toBe(1);
      } finally {
        await Promise.all(listeners.map((listener) => listener.close()));
      }
    });

    it("adds the account with the right passwords; the password is in no answer and no log line", async () => {
      const added = await add({ imap: imap(), smtp: smtp() });
      expect(added.status).toBe(200);
      expect(added.data).toMatchObject({ email: "alice@example.test", status: "connecting", error: null });
      const listed = await trpcCall(url, "query", "mailAccount.list", undefined, bearer(await accessToken()));
      answers.push(listed);

      const bodies = JSON.stringify(answers.map((answer) => ({ data: answer.data, error: answer.error })));
      expect(bodies).not.toContain(MAILBOX_PASSWORD);
      expect(bodies).not.toContain(WRONG_PASSWORD);
      const logs = [...stack.servers.map((server) => server.process.output()), stack.worker.output()].join("\n");
      expect(logs).toMatch(/mailAccount\.add/);
      expect(logs).not.toContain(MAILBOX_PASSWORD);
      expect(logs).not.toContain(WRONG_PASSWORD);
    });
  },
);
