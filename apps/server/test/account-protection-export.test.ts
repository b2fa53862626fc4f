import { totpCodeAt } from "@tidings/auth";
import { insertMailAccount, sql } from "@tidings/db";
import { MailboxSync, parseAllowedPrivateHosts, sealMailCredentials } from "@tidings/mail";
import { type AuthStack, bearer, PASSWORD, signUp, startAuthStack, trpcCall } from "@tidings/test-stack";
import { freePort, readZip, services, splitMboxrd, startDovecot, type TestDovecot } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redactUrl } from "../src/log-redaction.ts";

// Issue #19, must-hold 6, over HTTP against Postgres and Redis: account.export's download is a ZIP
// holding the account's data and, per mail account, its messages as mboxrd read from a real
// Dovecot, and no secret (no hash, token or sealed value); its link is short-lived.

const MAILBOX_PASSWORD = "mailbox-password-not-for-export";
const ready = services();

describe.skipIf(!ready.postgres || !ready.redis || !ready.dovecot)("account export over HTTP", () => {
  let stack: AuthStack;
  let dovecot: TestDovecot;
  let url: string;

  beforeAll(async () => {
    [stack, dovecot] = await Promise.all([
      startAuthStack({ env: { MAIL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1" } }),
      startDovecot({ users: { ada: MAILBOX_PASSWORD } }),
    ]);
    url = stack.servers[0]?.url ?? "";
  }, 120_000);
  afterAll(() => Promise.all([stack?.stop(), dovecot?.close()]));

  /** The download link's path, fetched from this server (APP_URL names a host the tests never call). */
  const download = (link: string) => fetch(new URL(new URL(link).pathname, url));
  const exportLink = async (accessToken: string) => {
    const exported = await trpcCall<{ url: string }>(url, "mutation", "account.export", undefined, bearer(accessToken));
    return exported.data?.url ?? "";
  };

  it("downloads the account's data as account.json in a ZIP attachment with no hash, token or sealed value", async () => {
    const email = "exporter@example.test";
    const account = await signUp(stack, email);
    const auth = bearer(account.accessToken);
    const setup = await trpcCall<{ secret: string }>(url, "mutation", "mfa.totp.setup", undefined, auth);
    const secret = setup.data?.secret ?? "";
    const enabled = await trpcCall<{ recoveryCodes: string[] }>(
      url,
      "mutation",
      "mfa.totp.enable",
      { code: totpCodeAt(secret, new Date()) },
      auth,
    );
    expect(enabled.status).toBe(200);

    const exported = await trpcCall<{ url: string; expiresAt: string }>(
      url,
      "mutation",
      "account.export",
      undefined,
      auth,
    );
    expect(exported.status).toBe(200);
    const link = exported.data?.url ?? "";
    expect(link.startsWith("https://mail.example.test/exports/")).toBe(true);
    const lifetime = new Date(exported.data?.expiresAt ?? 0).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(4 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(5 * 60_000);

    const response = await download(link);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/zip");
    expect(response.headers.get("content-disposition")).toMatch(
      /^attachment; filename="tidings-export-\d{4}-\d{2}-\d{2}\.zip"$/,
    );
    expect(response.headers.get("cache-control")).toBe("no-store");
    const files = await readZip(Buffer.from(await response.arrayBuffer()));
    expect([...files.keys()]).toEqual(["account.json"]);
    const text = files.get("account.json")?.toString("utf8") ?? "";
    const data = JSON.parse(text) as {
      profile: { id: string; email: string };
      sessions: { id: string }[];
      securityEvents: { type: string }[];
      twoFactor: { totp: boolean };
    };
    expect(data.profile).toMatchObject({ id: account.user.id, email });
    expect(data.sessions.map((session) => session.id)).toContain(account.session.id);
    expect(data.securityEvents.map((event) => event.type)).toEqual(
      expect.arrayContaining(["register", "email_verified", "mfa_enabled"]),
    );
    expect(data.twoFactor.totp).toBe(true);

    const { rows } = await sql<{ value: string }>`
      select password_hash as value from users where id = ${account.user.id}
      union all select token_hash from refresh_tokens r join sessions s on s.id = r.session_id
        where s.user_id = ${account.user.id}
      union all select token_hash from one_time_tokens where user_id = ${account.user.id}
      union all select code_hash from recovery_codes where user_id = ${account.user.id}
      union all select secret_sealed from user_totp where user_id = ${account.user.id}`.execute(stack.testDb.handle.db);
    const secrets = [
      ...rows.map((row) => row.value),
      account.accessToken,
      account.refreshToken ?? "",
      secret,
      ...(enabled.data?.recoveryCodes ?? []),
    ].filter(Boolean);
    expect(secrets.length).toBeGreaterThanOrEqual(14);
    for (const value of secrets) expect(text).not.toContain(value);
    expect(text).not.toMatch(/hash|sealed|secret/i);
  });

  it("adds each mail account's messages as mboxrd, byte for byte from the server, and a note for an unreachable one", async () => {
    const account = await signUp(stack, "mboxer@example.test");
    const userId = account.user.id;
    const encryptionKey = Buffer.from(stack.env.ENCRYPTION_KEY ?? "", "base64");
    const sealed = (email: string) =>
      sealMailCredentials(
        encryptionKey,
        { userId, email },
        { imapPassword: MAILBOX_PASSWORD, smtpPassword: MAILBOX_PASSWORD },
      );
    // Paused from the start (in the insert's transaction), so the stack's worker never syncs them:
    // what the database holds is what this test synced.
    const insertPaused = (account: Parameters<typeof insertMailAccount>[1]) =>
      stack.testDb.handle.db.transaction().execute(async (trx) => {
        const row = await insertMailAccount(trx, account);
        await trx.updateTable("mail_accounts").set({ status: "paused" }).where("id", "=", row.id).execute();
        return row;
      });
    const mailbox = await insertPaused({
      userId,
      email: "ada@mailbox.test",
      displayName: "Ada",
      provider: "custom",
      imap: { host: "127.0.0.1", port: dovecot.port, security: "none", username: "ada" },
      smtp: { host: "127.0.0.1", port: dovecot.port, security: "none", username: "ada" },
      credentialsSealed: sealed("ada@mailbox.test"),
    });
    // Nothing listens on this port: the server cannot be reached.
    const closedPort = await freePort();
    await insertPaused({
      userId,
      email: "gone@elsewhere.test",
      displayName: null,
      provider: "custom",
      imap: { host: "127.0.0.1", port: closedPort, security: "none", username: "gone" },
      smtp: { host: "127.0.0.1", port: closedPort, security: "none", username: "gone" },
      credentialsSealed: sealed("gone@elsewhere.test"),
    });

    // Lines an mbox reader would take for separators unless quoted, 8-bit bytes, a body without a final line end.
    const headers = (n: number) =>
      `From: Bob <bob@example.test>\r\nTo: ada@mailbox.test\r\nSubject: Note ${n}\r\n` +
      `Message-ID: <note-${n}@bob.test>\r\nDate: Thu, 03 Dec 2026 10:0${n}:00 +0000\r\n`;
    const sources = [
      Buffer.from(`${headers(1)}\r\nFrom the start,\r\n>From a quote\r\n>>From deeper\r\nFrom\r\nend\r\n`),
      Buffer.concat([
        Buffer.from(
          `${headers(2)}Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`,
        ),
        Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x65, 0x0d, 0x0a]),
      ]),
      Buffer.from(`${headers(3)}\r\n${"A longer line of text.\r\n".repeat(4000)}`),
      Buffer.from(`${headers(4)}\r\nFiled away.\r\n`),
    ];
    for (const source of sources.slice(0, 3)) await dovecot.append("ada", "INBOX", source);
    await dovecot.append("ada", "Archive", sources[3] ?? "");
    const limits = { allowedPrivateHosts: parseAllowedPrivateHosts(["127.0.0.1"]), timeoutMs: 5_000 };
    const sync = new MailboxSync({
      db: stack.testDb.handle.db,
      account: mailbox,
      imapPassword: MAILBOX_PASSWORD,
      limits,
      setStatus: async () => {},
    });
    expect(await sync.syncOnce()).toMatchObject({ ok: true });

    const response = await download(await exportLink(account.accessToken));
    expect(response.status).toBe(200);
    const zip = Buffer.from(await response.arrayBuffer());
    const files = await readZip(zip);
    expect([...files.keys()].sort()).toEqual(["account.json", "ada@mailbox.test.mbox", "gone@elsewhere.test.note.txt"]);

    const mbox = files.get("ada@mailbox.test.mbox") ?? Buffer.alloc(0);
    expect(mbox.toString("latin1")).toMatch(/^From bob@example\.test \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n/);
    expect(mbox.toString("latin1")).toContain("\n>From the start,\r\n>>From a quote\r\n>>>From deeper\r\nFrom\r\n");
    // Every message the server holds, exactly as it serves it.
    const onServer = [...(await dovecot.messages("ada", "INBOX")), ...(await dovecot.messages("ada", "Archive"))];
    expect(onServer).toHaveLength(4);
    const hex = (messages: Buffer[]) => messages.map((message) => message.toString("hex")).sort();
    expect(hex(splitMboxrd(mbox))).toEqual(hex(onServer.map((message) => message.source)));

    const note = files.get("gone@elsewhere.test.note.txt")?.toString("utf8") ?? "";
    expect(note).toContain("The messages of gone@elsewhere.test are not in this download");
    expect(note).toContain("could not be reached");

    // No secret anywhere in the archive: not the mailbox password, the sealed credentials or a session's token.
    const rows = await stack.testDb.handle.db
      .selectFrom("mail_accounts")
      .select("credentials_sealed")
      .where("user_id", "=", userId)
      .execute();
    const everything = Buffer.concat([zip, ...files.values()]).toString("latin1");
    for (const secret of [MAILBOX_PASSWORD, account.accessToken, ...rows.map((row) => row.credentials_sealed)]) {
      expect(everything).not.toContain(secret);
    }
    expect(files.get("account.json")?.toString("utf8")).not.toMatch(/hash|sealed|secret|password/i);

    // A message deleted on the server since the last sync is left out, and the note says so.
    const [archived] = await dovecot.messages("ada", "Archive");
    await dovecot.expunge("ada", "Archive", [archived?.uid ?? 0]);
    const again = await readZip(
      Buffer.from(await (await download(await exportLink(account.accessToken))).arrayBuffer()),
    );
    expect(splitMboxrd(again.get("ada@mailbox.test.mbox") ?? Buffer.alloc(0))).toHaveLength(3);
    expect(again.get("ada@mailbox.test.note.txt")?.toString("utf8")).toBe(
      '1 message of the folder "Archive" was no longer on the mail server.\n',
    );
  });

  it("refuses an altered link, and every link once the account is deleted", async () => {
    const email = "exporter2@example.test";
    const account = await signUp(stack, email);
    const auth = bearer(account.accessToken);
    const link = await exportLink(account.accessToken);
    const altered = `${link.slice(0, -3)}${link.endsWith("AAA") ? "BBB" : "AAA"}`;
    expect((await download(altered)).status).toBe(404);

    const deleted = await trpcCall(url, "mutation", "account.delete", { password: PASSWORD }, auth);
    expect(deleted.data).toEqual({ status: "ok" });
    expect((await download(link)).status).toBe(404);
  });
});

describe("the export link in logs", () => {
  it("is blanked in logged URLs, as emailed tokens are", () => {
    expect(redactUrl("/exports/v1.abc.def.ghi")).toBe("/exports/[redacted]");
    expect(redactUrl("/exports/v1.abc.def.ghi?token=x")).toBe("/exports/[redacted]?token=[redacted]");
    expect(redactUrl("/trpc/account.export")).toBe("/trpc/account.export");
  });
});
