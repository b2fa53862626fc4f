import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  repoRoot,
  type SelfSignedCertificate,
  type SmtpSink,
  selfSignedCertificate,
  services,
  startDovecot,
  startSmtpSink,
  type TestDovecot,
} from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllowedPrivateHosts, type ServerSettings, testCredentials, testImap, testSmtp } from "../src/index.ts";

const run = promisify(execFile);
const limits = { allowedPrivateHosts: parseAllowedPrivateHosts(["127.0.0.1"]), timeoutMs: 5_000 };
const PASSWORD = "correct horse battery";
const tlsFailure = { ok: false, error: { code: "MAIL_CONNECTION_FAILED", reason: "tls" } };

/**
 * S25 against servers that really speak TLS: a Dovecot and SMTP sinks with a self-signed
 * certificate no CA on this machine trusts. Verification must refuse it on every path (implicit TLS,
 * STARTTLS asked for, STARTTLS merely offered), and the same servers must be accepted once the
 * certificate is trusted, so the refusals are about verification and not a broken TLS setup.
 */
describe.skipIf(!services().dovecot)("TLS certificates are verified (S25)", () => {
  let certificate: SelfSignedCertificate;
  let dovecot: TestDovecot;
  let plainDovecot: TestDovecot;
  let starttlsSink: SmtpSink;
  let implicitSink: SmtpSink;
  let plainSink: SmtpSink;

  const imap = (port: number, security: ServerSettings["security"]): ServerSettings => ({
    host: "127.0.0.1",
    port,
    security,
    username: "alice",
    password: PASSWORD,
  });
  const smtpPort = (sink: SmtpSink) => Number(new URL(sink.url).port);
  const dovecotTlsPort = () => {
    if (dovecot.tlsPort === undefined) throw new Error("Dovecot started without TLS");
    return dovecot.tlsPort;
  };

  beforeAll(async () => {
    certificate = await selfSignedCertificate();
    const users = { alice: PASSWORD };
    const tls = { cert: certificate.cert, key: certificate.key };
    [dovecot, plainDovecot, starttlsSink, implicitSink, plainSink] = await Promise.all([
      startDovecot({ users, tls: { certFile: certificate.certFile, keyFile: certificate.keyFile } }),
      startDovecot({ users }),
      startSmtpSink({ users, tls }),
      startSmtpSink({ users, tls: { ...tls, implicit: true } }),
      startSmtpSink({ users }),
    ]);
  }, 240_000);
  afterAll(async () => {
    await Promise.all([
      dovecot?.close(),
      plainDovecot?.close(),
      starttlsSink?.close(),
      implicitSink?.close(),
      plainSink?.close(),
    ]);
    await certificate?.remove();
  });

  it("refuses an untrusted certificate on implicit TLS", async () => {
    expect(await testImap(imap(dovecotTlsPort(), "tls"), limits)).toMatchObject(tlsFailure);
    expect(await testSmtp(imap(smtpPort(implicitSink), "tls"), limits)).toMatchObject(tlsFailure);
  });

  it("refuses an untrusted certificate after STARTTLS", async () => {
    expect(await testImap(imap(dovecot.port, "starttls"), limits)).toMatchObject(tlsFailure);
    expect(await testSmtp(imap(smtpPort(starttlsSink), "starttls"), limits)).toMatchObject(tlsFailure);
  });

  it('upgrades with "none" when the server offers STARTTLS, so the untrusted certificate is refused too', async () => {
    expect(await testImap(imap(dovecot.port, "none"), limits)).toMatchObject(tlsFailure);
    expect(await testSmtp(imap(smtpPort(starttlsSink), "none"), limits)).toMatchObject(tlsFailure);
    // Nobody logged in over the plain-text session.
    expect(dovecot.log()).not.toMatch(/imap-login: Login: user=<alice>/);
  });

  it("never falls back to plain text when STARTTLS is asked for and the server lacks it", async () => {
    const answers = [
      await testImap(imap(plainDovecot.port, "starttls"), limits),
      await testSmtp(imap(smtpPort(plainSink), "starttls"), limits),
    ];
    for (const answer of answers)
      expect(answer).toMatchObject({ ok: false, error: { code: "MAIL_CONNECTION_FAILED" } });
    expect(plainDovecot.log()).not.toMatch(/imap-login: Login: user=<alice>/);
    expect(plainSink.accepted).toEqual([]);
  });

  it("accepts the same servers once the certificate is trusted (NODE_EXTRA_CA_CERTS)", async () => {
    const check = async (input: { imap: ServerSettings; smtp: ServerSettings }) => {
      const { stdout } = await run(
        process.execPath,
        ["--import", "tsx", join(repoRoot, "packages/mail/test/tls-trusted-check.ts"), JSON.stringify(input)],
        { cwd: repoRoot, env: { ...process.env, NODE_EXTRA_CA_CERTS: certificate.certFile }, timeout: 120_000 },
      );
      return JSON.parse(stdout) as unknown;
    };
    const ok = { imap: { ok: true }, smtp: { ok: true } };
    expect(await check({ imap: imap(dovecotTlsPort(), "tls"), smtp: imap(smtpPort(implicitSink), "tls") })).toEqual(ok);
    expect(
      await check({ imap: imap(dovecot.port, "starttls"), smtp: imap(smtpPort(starttlsSink), "starttls") }),
    ).toEqual(ok);
  }, 240_000);

  it("keeps the password out of every answer", async () => {
    const answers = await testCredentials(
      { imap: imap(dovecotTlsPort(), "tls"), smtp: imap(smtpPort(implicitSink), "tls") },
      limits,
    );
    expect(JSON.stringify(answers)).not.toContain(PASSWORD);
  });
});
