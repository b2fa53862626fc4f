import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "@tidings/db";
import {
  type AuthResultBody,
  type AuthStack,
  bearer,
  PASSWORD,
  signIn,
  signUp,
  startAuthStack,
  trpcCall,
} from "@tidings/test-stack";
import { services } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// S1 (re-hash), S3 (name, Have I Been Pwned), S4 (change password) and S8 (a success resets the
// failure counter) over HTTP, with the database and the SMTP sink as the outside observers.

/** PASSWORD hashed with parameters older than the current ones (argon2id m=4096,t=3 and argon2i). */
const OLD_HASHES = [
  "$argon2id$v=19$m=4096,t=3,p=1$OdrJBW07mTOhOYvOD3vhUw$/11HB/TYKh15E9f9CdljdoF6TiI2TYg+7KJrVq5MWjE",
  "$argon2i$v=19$m=19456,t=2,p=1$8t0TWId8msGmoVI24on68A$NJktyJh9RxBrDI3khP/KBwfXwbL29mhjTcmI1LQUHx0",
];
const CURRENT_HASH = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

/** A password strong enough for every offline check, which the fake range API reports as breached. */
const BREACHED = "violet submarine orchestra 8812 quay";
const sha1 = (text: string) => createHash("sha1").update(text, "utf8").digest("hex").toUpperCase();

const reasonCodes = (reasons: unknown) => ((reasons ?? []) as { code: string }[]).map((reason) => reason.code);

interface RangeRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * Stands in for api.pwnedpasswords.com: answers `GET /range/<prefix>` in the API's format, with
 * padding lines (count 0), and lists BREACHED's suffix under its prefix.
 */
async function startFakeRangeApi(): Promise<{ url: string; requests: RangeRequest[]; server: Server }> {
  const requests: RangeRequest[] = [];
  const breached = sha1(BREACHED);
  const server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => {
      requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body });
      const prefix = /^\/range\/([0-9A-F]{5})$/.exec(request.url ?? "")?.[1];
      if (!prefix) {
        response.writeHead(400).end();
        return;
      }
      const lines = Array.from(
        { length: 20 },
        (_, i) => `${createHash("sha1").update(`pad${i}`).digest("hex").slice(5).toUpperCase()}:0`,
      );
      if (prefix === breached.slice(0, 5)) lines.splice(7, 0, `${breached.slice(5)}:31337`);
      response.writeHead(200, { "content-type": "text/plain" }).end(lines.join("\r\n"));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, server };
}

/**
 * Preloaded into the server processes: sends their requests for the Pwned Passwords host to the fake
 * above instead of the internet. Our own code runs unchanged.
 */
const redirectPwnedPasswords = (target: string) => {
  const code = `const f=globalThis.fetch;globalThis.fetch=(i,o)=>{const u=new URL(typeof i==="string"?i:i instanceof URL?i.href:i.url);return u.hostname==="api.pwnedpasswords.com"?f(${JSON.stringify(target)}+u.pathname+u.search,o):f(i,o)};`;
  return `${process.env.NODE_OPTIONS ?? ""} --import=data:text/javascript,${encodeURIComponent(code)}`.trim();
};

describe.skipIf(!services().postgres || !services().redis)("passwords over HTTP (S1, S3, S4, S8)", () => {
  let stack: AuthStack;
  let url: string;
  let range: Awaited<ReturnType<typeof startFakeRangeApi>>;

  beforeAll(async () => {
    range = await startFakeRangeApi();
    stack = await startAuthStack({ env: { HIBP_ENABLED: "true", NODE_OPTIONS: redirectPwnedPasswords(range.url) } });
    url = stack.servers[0]?.url ?? "";
  });
  afterAll(async () => {
    await stack?.stop();
    await new Promise((resolve) => range?.server.close(resolve));
  });

  const db = () => stack.testDb.handle.db;
  const storedHash = async (email: string) => {
    const { rows } = await sql<{ password_hash: string }>`
      select password_hash from users where email_normalized = ${email}`.execute(db());
    return rows[0]?.password_hash;
  };
  const auditCount = async (userId: string, type: string) => {
    const { rows } = await sql<{ count: number }>`
      select count(*)::int as count from audit_events where user_id = ${userId} and type = ${type}`.execute(db());
    return rows[0]?.count ?? 0;
  };
  const login = (email: string, password: string) => trpcCall(url, "mutation", "auth.login", { email, password });
  const me = (token: string) => trpcCall(url, "query", "auth.me", undefined, bearer(token));
  const mails = (to: string, subject: RegExp) =>
    stack.smtp.accepted.filter((mail) => mail.to === to && subject.test(mail.subject));

  it("S1: a hash made with older parameters is replaced by argon2id m=19456,t=2,p=1 at the next successful sign-in", async () => {
    for (const [index, oldHash] of OLD_HASHES.entries()) {
      const email = `rehash-${index}@example.test`;
      await signUp(stack, email);
      await sql`update users set password_hash = ${oldHash} where email_normalized = ${email}`.execute(db());

      // A wrong password does not touch the stored hash.
      expect((await login(email, "not the right passphrase at all")).error?.data.appCode).toBe("INVALID_CREDENTIALS");
      expect(await storedHash(email)).toBe(oldHash);

      // The old hash still verifies; the sign-in replaces it with one of the current parameters.
      const signedIn = await signIn(url, email);
      expect(signedIn.user.email).toBe(email);
      const upgraded = await storedHash(email);
      expect(upgraded).not.toBe(oldHash);
      expect(upgraded).toMatch(CURRENT_HASH);

      // The new hash is of the same password, and is left alone from now on.
      await signIn(url, email);
      expect(await storedHash(email)).toBe(upgraded);
    }
  });

  it("S3: refuses a password that contains the user's display name", async () => {
    const answer = await trpcCall(url, "mutation", "auth.register", {
      email: "marguerite@example.test",
      password: "Quillon Marguerite Vasquez-Fontenoy 9",
      displayName: "Marguerite Vasquez-Fontenoy",
    });
    expect(answer.status).toBe(400);
    expect(answer.error?.data.appCode).toBe("WEAK_PASSWORD");
    const codes = reasonCodes(answer.error?.data.reasons);
    expect(codes).toContain("contains_personal_info");
    expect(await storedHash("marguerite@example.test")).toBeUndefined();
  });

  it("S3: with HIBP_ENABLED=true, refuses a breached password after sending only a 5-character SHA-1 prefix", async () => {
    const before = range.requests.length;
    const refused = await trpcCall(url, "mutation", "auth.register", {
      email: "pwned@example.test",
      password: BREACHED,
    });
    expect(refused.status).toBe(400);
    expect(refused.error?.data.appCode).toBe("WEAK_PASSWORD");
    expect(reasonCodes(refused.error?.data.reasons)).toEqual(["breached"]);
    expect(await storedHash("pwned@example.test")).toBeUndefined();

    const asked = range.requests.slice(before);
    expect(asked.map((request) => `${request.method} ${request.url}`)).toEqual([
      `GET /range/${sha1(BREACHED).slice(0, 5)}`,
    ]);

    // A password the range API does not list is accepted (and was asked about the same way).
    const session = await signUp(stack, "not-pwned@example.test");
    const changed = await trpcCall(
      url,
      "mutation",
      "auth.changePassword",
      { currentPassword: PASSWORD, newPassword: BREACHED },
      bearer(session.accessToken),
    );
    expect(changed.error?.data.appCode).toBe("WEAK_PASSWORD");

    // Nothing that leaves the process carries the password or its full hash: only `/range/XXXXX`.
    const full = [sha1(BREACHED), sha1(PASSWORD)];
    expect(range.requests.length).toBeGreaterThanOrEqual(3);
    for (const request of range.requests) {
      expect(request.method).toBe("GET");
      expect(request.url).toMatch(/^\/range\/[0-9A-F]{5}$/);
      const sent = `${request.url} ${JSON.stringify(request.headers)} ${request.body}`;
      for (const secret of [BREACHED, PASSWORD, ...full, ...full.map((hash) => hash.toLowerCase())]) {
        expect(sent).not.toContain(secret);
      }
      for (const hash of full) expect(sent.toUpperCase()).not.toContain(hash.slice(5));
    }
  });

  it("S4: changing the password needs the current one", async () => {
    const email = "change-needs-current@example.test";
    const session = await signUp(stack, email);
    const refused = await trpcCall(
      url,
      "mutation",
      "auth.changePassword",
      { currentPassword: "a wrong current passphrase 1", newPassword: "a completely different passphrase 77" },
      bearer(session.accessToken),
    );
    expect(refused.status).toBe(401);
    expect(refused.error?.data.appCode).toBe("INVALID_CREDENTIALS");

    // Nothing changed: the old password works, the new one does not, nothing was recorded or sent.
    expect((await login(email, "a completely different passphrase 77")).error?.data.appCode).toBe(
      "INVALID_CREDENTIALS",
    );
    await signIn(url, email);
    expect(await auditCount(session.user.id, "password_changed")).toBe(0);
    expect(mails(email, /password was changed/)).toHaveLength(0);
    expect((await me(session.accessToken)).status).toBe(200);
  });

  it("S4: revokes the other sessions by default (not with revokeOtherSessions: false) and emails the owner", async () => {
    const email = "change-notifies@example.test";
    const current = await signUp(stack, email);
    const other = await signIn(url, email);
    const change = (currentPassword: string, newPassword: string, extra: Record<string, unknown> = {}) =>
      trpcCall(
        url,
        "mutation",
        "auth.changePassword",
        { currentPassword, newPassword, ...extra },
        { ...bearer(current.accessToken), "user-agent": "s4-test/1.0" },
      );

    const kept = await change(PASSWORD, "first replacement passphrase 31", { revokeOtherSessions: false });
    expect(kept.data).toEqual({ status: "ok" });
    expect((await me(other.accessToken)).status).toBe(200);
    await expect.poll(() => mails(email, /password was changed/).length, { timeout: 20_000 }).toBe(1);

    const revoked = await change("first replacement passphrase 31", "second replacement passphrase 62");
    expect(revoked.data).toEqual({ status: "ok" });
    const otherAnswer = await me(other.accessToken);
    expect(otherAnswer.status).toBe(401);
    expect(otherAnswer.error?.data.appCode).toBe("SESSION_REVOKED");
    expect((await me(current.accessToken)).status).toBe(200);
    await expect.poll(() => mails(email, /password was changed/).length, { timeout: 20_000 }).toBe(2);
    // The notice says from where: the user agent of the request that changed it.
    expect(mails(email, /password was changed/).at(-1)?.text).toContain("s4-test/1.0");
    expect(await auditCount(current.user.id, "password_changed")).toBe(2);
    expect((await signIn(url, email, "second replacement passphrase 62")).user.id).toBe(current.user.id);
  });

  it("S8: a successful sign-in resets the count of failed ones", async () => {
    const email = "counter-reset@example.test";
    const account: AuthResultBody = await signUp(stack, email);
    for (let round = 0; round < 2; round++) {
      for (let attempt = 0; attempt < 9; attempt++) {
        expect((await login(email, `wrong guess ${round}-${attempt}`)).error?.data.appCode).toBe("INVALID_CREDENTIALS");
      }
      // 9 failures, then the right password: accepted, and the next 9 start from zero again.
      expect((await signIn(url, email)).user.id).toBe(account.user.id);
    }
    expect(await auditCount(account.user.id, "account_locked")).toBe(0);
    expect(stack.smtp.accepted.filter((mail) => mail.to === email && /unlock-account/.test(mail.text))).toHaveLength(0);

    // The 10th consecutive failure still locks it.
    for (let attempt = 0; attempt < 10; attempt++) await login(email, `wrong guess final-${attempt}`);
    expect((await login(email, PASSWORD)).error?.data.appCode).toBe("INVALID_CREDENTIALS");
    expect(await auditCount(account.user.id, "account_locked")).toBe(1);
  });
});
