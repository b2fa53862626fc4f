import { createServer, type Server } from "node:net";
import { freePort, type SmtpSink, services, startDovecot, startSmtpSink, type TestDovecot } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectionFailureReason,
  parseAllowedPrivateHosts,
  type ServerSettings,
  testCredentials,
  testImap,
  testSmtp,
} from "../src/index.ts";

const limits = { allowedPrivateHosts: parseAllowedPrivateHosts(["127.0.0.1"]), timeoutMs: 5_000 };
const PASSWORD = "correct horse battery";

describe.skipIf(!services().dovecot)("credential test against Dovecot and the SMTP sink", () => {
  let dovecot: TestDovecot;
  let smtp: SmtpSink;
  let imapSettings: ServerSettings;
  let smtpSettings: ServerSettings;

  beforeAll(async () => {
    [dovecot, smtp] = await Promise.all([
      startDovecot({ users: { alice: PASSWORD } }),
      startSmtpSink({ users: { alice: PASSWORD } }),
    ]);
    const smtpPort = Number(new URL(smtp.url).port);
    imapSettings = { host: "127.0.0.1", port: dovecot.port, security: "none", username: "alice", password: PASSWORD };
    smtpSettings = { host: "127.0.0.1", port: smtpPort, security: "none", username: "alice", password: PASSWORD };
  });
  afterAll(async () => {
    await Promise.all([dovecot?.close(), smtp?.close()]);
  });

  it("passes both sides with the right passwords", async () => {
    expect(await testCredentials({ imap: imapSettings, smtp: smtpSettings }, limits)).toEqual({
      imap: { ok: true },
      smtp: { ok: true },
    });
  });

  it("says which side refused the password, without the password", async () => {
    const wrong = "wrong-secret-4711";
    const imapWrong = await testCredentials({ imap: { ...imapSettings, password: wrong }, smtp: smtpSettings }, limits);
    expect(imapWrong.smtp).toEqual({ ok: true });
    expect(imapWrong.imap).toMatchObject({ ok: false, error: { code: "MAIL_AUTH_FAILED" } });
    expect(imapWrong.imap.error?.message).toMatch(/IMAP/);

    const smtpWrong = await testCredentials({ imap: imapSettings, smtp: { ...smtpSettings, password: wrong } }, limits);
    expect(smtpWrong.imap).toEqual({ ok: true });
    expect(smtpWrong.smtp).toMatchObject({ ok: false, error: { code: "MAIL_AUTH_FAILED" } });
    expect(smtpWrong.smtp.error?.message).toMatch(/SMTP/);

    expect(JSON.stringify([imapWrong, smtpWrong])).not.toContain(wrong);
  });

  it("answers reason tls when TLS is asked of a server that speaks plain text", async () => {
    const smtpPort = Number(new URL(smtp.url).port);
    const result = await testCredentials(
      {
        imap: { ...imapSettings, security: "tls" },
        smtp: { ...smtpSettings, port: smtpPort, security: "tls" },
      },
      limits,
    );
    expect(result.imap).toMatchObject({ ok: false, error: { code: "MAIL_CONNECTION_FAILED", reason: "tls" } });
    expect(result.smtp).toMatchObject({ ok: false, error: { code: "MAIL_CONNECTION_FAILED", reason: "tls" } });
  });

  it("answers MAIL_CONNECTION_FAILED for a closed port", async () => {
    const closed = await freePort();
    const result = await testCredentials(
      { imap: { ...imapSettings, port: closed }, smtp: { ...smtpSettings, port: closed } },
      limits,
    );
    expect(result.imap).toMatchObject({ ok: false, error: { code: "MAIL_CONNECTION_FAILED", reason: "refused" } });
    expect(result.smtp).toMatchObject({ ok: false, error: { code: "MAIL_CONNECTION_FAILED", reason: "refused" } });
  });
});

describe("credential test refuses loopback outside MAIL_ALLOWED_PRIVATE_HOSTS", () => {
  let server: Server;
  let port: number;
  let connections = 0;

  beforeAll(async () => {
    // Listens on every loopback address (IPv4 and IPv6) so that any connection would be counted.
    server = createServer((socket) => {
      connections += 1;
      socket.end("* BYE\r\n");
    });
    port = await freePort();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ port, host: "::", ipv6Only: false }, resolve);
    });
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it.each(["127.0.0.2", "::1", "[::1]", "::ffff:127.0.0.2", "0:0:0:0:0:0:0:1", "127.1"])(
    "refuses %s with HOST_NOT_ALLOWED and connects nowhere",
    async (host) => {
      const settings: ServerSettings = { host, port, security: "none", username: "alice", password: PASSWORD };
      const before = connections;
      const [imap, smtp] = await Promise.all([testImap(settings, limits), testSmtp(settings, limits)]);
      expect(imap).toMatchObject({ ok: false, error: { code: "HOST_NOT_ALLOWED" } });
      expect(smtp).toMatchObject({ ok: false, error: { code: "HOST_NOT_ALLOWED" } });
      expect(connections).toBe(before);
    },
  );

  it("does reach the same listener when the address is allowed (so the count above means something)", async () => {
    const before = connections;
    await testImap({ host: "127.0.0.1", port, security: "none", username: "a", password: "b" }, limits);
    expect(connections).toBe(before + 1);
  });
});

describe("connection failure reasons (API.md data.reason)", () => {
  const systemError = (code: string, errno?: number) => Object.assign(new Error(`connect ${code}`), { code, errno });

  it.each([
    [systemError("ECONNREFUSED", -111), "refused"],
    // nodemailer replaces Node's code with its own; the errno still says what happened.
    [systemError("ESOCKET", -111), "refused"],
    [systemError("ECONNRESET", -104), "refused"],
    [systemError("ENOTFOUND"), "dns"],
    [systemError("EAI_AGAIN"), "dns"],
    [systemError("ETIMEDOUT", -110), "timeout"],
    [systemError("CONNECT_TIMEOUT"), "timeout"],
    [systemError("GREETING_TIMEOUT"), "timeout"],
    [systemError("ETLS"), "tls"],
    [systemError("DEPTH_ZERO_SELF_SIGNED_CERT"), "tls"],
    [systemError("ERR_SSL_WRONG_VERSION_NUMBER"), "tls"],
    [Object.assign(new Error("self-signed certificate"), { code: "ESOCKET" }), "tls"],
    [Object.assign(new Error("upgrade failed"), { tlsFailed: true }), "tls"],
    [new Error("Connection closed unexpectedly"), "refused"],
    [undefined, "refused"],
  ])("sorts %o as %s", (error, reason) => {
    expect(connectionFailureReason(error)).toBe(reason);
  });
});

describe("a server that never greets", () => {
  let server: Server;
  let port: number;
  const sockets = new Set<import("node:net").Socket>();

  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    port = await freePort();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ port, host: "127.0.0.1" }, resolve);
    });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it("answers reason timeout on both sides", async () => {
    const settings: ServerSettings = { host: "127.0.0.1", port, security: "none", username: "a", password: "b" };
    const quick = { ...limits, timeoutMs: 500 };
    const [imap, smtp] = await Promise.all([testImap(settings, quick), testSmtp(settings, quick)]);
    expect(imap).toMatchObject({ ok: false, error: { code: "MAIL_CONNECTION_FAILED", reason: "timeout" } });
    expect(smtp).toMatchObject({ ok: false, error: { code: "MAIL_CONNECTION_FAILED", reason: "timeout" } });
  }, 10_000);
});
