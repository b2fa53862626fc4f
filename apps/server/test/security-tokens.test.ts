import { sql } from "@tidings/db";
import {
  APP_URL,
  type AuthResultBody,
  type AuthStack,
  bearer,
  PASSWORD,
  signIn,
  signUp,
  startAuthStack,
  type TrpcAnswer,
  tokenFromEmail,
  trpcCall,
} from "@tidings/test-stack";
import { services } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// S15 (one-time tokens), S16 (no token in /metrics), S17 (refresh cookie and CSRF), S18 (input
// errors with field paths) and S22 (the audit record shares the change's transaction), over HTTP,
// with the database and the SMTP sink as outside observers.

const COOKIE = "__Host-tidings_rt";
const MiB = 1024 * 1024;

describe.skipIf(!services().postgres || !services().redis)("tokens, cookies, input and audit (S15–S18, S22)", () => {
  let stack: AuthStack;
  let url: string;
  /** Every token the server handed out, to look for in /metrics at the end (S16). */
  const issued = new Set<string>();

  beforeAll(async () => {
    stack = await startAuthStack();
    url = stack.servers[0]?.url ?? "";
  });
  afterAll(() => stack?.stop());

  const db = () => stack.testDb.handle.db;
  const keep = (...tokens: (string | undefined)[]) => {
    for (const token of tokens) if (token) issued.add(token);
  };
  const keepSession = (session: AuthResultBody) => {
    keep(session.accessToken, session.refreshToken);
    return session;
  };
  const me = (token: string) => trpcCall(url, "query", "auth.me", undefined, bearer(token));
  const emailsTo = (to: string, pattern: RegExp) =>
    stack.smtp.accepted.filter((mail) => mail.to === to && pattern.test(`${mail.subject}\n${mail.text}`));
  /** Waits for the n-th email to `to` with a link to `path`, and returns that link's token. */
  const nthLinkToken = async (to: string, path: string, n: number) => {
    const link = new RegExp(`${path}\\?token=([A-Za-z0-9_%-]+)`);
    await expect.poll(() => emailsTo(to, link).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(n);
    const token = decodeURIComponent(link.exec(emailsTo(to, link)[n - 1]?.text ?? "")?.[1] ?? "");
    keep(token);
    return token;
  };
  const auditRows = async (userId: string, type: string) => {
    const { rows } = await sql<{ ip: string | null; user_agent: string | null; created_at: Date }>`
      select ip::text as ip, user_agent, created_at from audit_events where user_id = ${userId} and type = ${type}`.execute(
      db(),
    );
    return rows;
  };
  const lifetimeSeconds = async (userId: string, purpose: string) => {
    const { rows } = await sql<{ seconds: number }>`
      select extract(epoch from expires_at - created_at)::float8 as seconds from one_time_tokens
      where user_id = ${userId} and purpose = ${purpose} order by created_at desc limit 1`.execute(db());
    return rows[0]?.seconds;
  };

  it("S15: verify, reset and unlock links carry 256 random bits, live 24 h / 1 h / 24 h, and only their hash is stored", async () => {
    const email = "one-time@example.test";
    expect((await trpcCall(url, "mutation", "auth.register", { email, password: PASSWORD })).status).toBe(200);
    const verifyToken = await tokenFromEmail(stack.smtp, email, "verify-email");
    keep(verifyToken);

    // What the database holds right after the email went out: no trace of the raw token.
    const raw = Buffer.from(verifyToken, "base64url");
    const forms = [verifyToken, raw.toString("hex"), raw.toString("base64"), raw.toString("base64").replace(/=+$/, "")];
    const stored = async (table: "one_time_tokens" | "refresh_tokens") =>
      (
        await sql<{ row: string }>`select row_to_json(t)::text as row from ${sql.table(table)} t`.execute(db())
      ).rows.map((row) => row.row);
    const otRows = await stored("one_time_tokens");
    expect(otRows.length).toBeGreaterThan(0);
    for (const row of otRows) for (const form of forms) expect(row).not.toContain(form);

    const verified = keepSession(
      (
        await trpcCall<AuthResultBody>(url, "mutation", "auth.verifyEmail", {
          token: verifyToken,
          refreshTokenTransport: "body",
        })
      ).data as AuthResultBody,
    );
    const userId = verified.user.id;
    expect(await lifetimeSeconds(userId, "verify_email")).toBeCloseTo(24 * 3600, 0);
    // Refresh tokens are stored hashed too.
    for (const row of await stored("refresh_tokens")) expect(row).not.toContain(verified.refreshToken);

    expect((await trpcCall(url, "mutation", "auth.requestPasswordReset", { email })).data).toEqual({ status: "ok" });
    const resetToken = await nthLinkToken(email, "reset-password", 1);
    expect(await lifetimeSeconds(userId, "password_reset")).toBeCloseTo(3600, 0);

    for (let attempt = 0; attempt < 10; attempt++) {
      await trpcCall(url, "mutation", "auth.login", { email, password: `wrong guess ${attempt} for the lock` });
    }
    const unlockToken = await nthLinkToken(email, "unlock-account", 1);
    expect(await lifetimeSeconds(userId, "unlock_account")).toBeCloseTo(24 * 3600, 0);

    const tokens = [verifyToken, resetToken, unlockToken];
    expect(new Set(tokens).size).toBe(3);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(token, "base64url").length).toBeGreaterThanOrEqual(32);
    }
    const hashes = (await stored("one_time_tokens")).join("\n");
    for (const token of tokens) expect(hashes).not.toContain(token);

    expect((await trpcCall(url, "mutation", "auth.unlockAccount", { token: unlockToken })).data).toEqual({
      status: "ok",
    });
    keepSession(await signIn(url, email));
  });

  it("S15: a new reset request invalidates the older link; a link works once even under 8 parallel uses", async () => {
    const email = "reset-twice@example.test";
    const account = keepSession(await signUp(stack, email));
    expect((await trpcCall(url, "mutation", "auth.requestPasswordReset", { email })).data).toEqual({ status: "ok" });
    const first = await nthLinkToken(email, "reset-password", 1);
    expect((await trpcCall(url, "mutation", "auth.requestPasswordReset", { email })).data).toEqual({ status: "ok" });
    const second = await nthLinkToken(email, "reset-password", 2);
    expect(second).not.toBe(first);

    const older = await trpcCall(url, "mutation", "auth.resetPassword", {
      token: first,
      newPassword: "the older link must not set this 1",
    });
    expect(older.status).toBe(401);
    expect(older.error?.data.appCode).toBe("TOKEN_INVALID");

    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        trpcCall(url, "mutation", "auth.resetPassword", {
          token: second,
          newPassword: `parallel new passphrase ${i}x`,
        }),
      ),
    );
    const ok = answers.flatMap((answer, i) => (answer.data?.status === "ok" ? [i] : []));
    expect(ok).toHaveLength(1);
    for (const answer of answers.filter((a) => a.data === undefined)) {
      expect(answer.error?.data.appCode).toBe("TOKEN_INVALID");
    }
    expect(await auditRows(account.user.id, "password_reset")).toHaveLength(1);
    expect((await signIn(url, email, `parallel new passphrase ${ok[0]}x`)).user.id).toBe(account.user.id);
  });

  it("S17: the refresh cookie is HttpOnly, Secure, SameSite=Strict, Path=/ and __Host- prefixed on sign-in", async () => {
    const email = "cookie-jar@example.test";
    await signUp(stack, email);
    const login = await trpcCall<AuthResultBody>(url, "mutation", "auth.login", { email, password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.data?.refreshToken).toBeUndefined();
    keep(login.data?.accessToken);
    const lines = login.headers.getSetCookie().filter((line) => line.startsWith(`${COOKIE}=`));
    expect(lines).toHaveLength(1);
    const attributes = (lines[0] ?? "").split(";").map((part) => part.trim());
    expect(attributes[0]).toMatch(new RegExp(`^${COOKIE}=[A-Za-z0-9_-]{43}$`));
    expect(attributes).toEqual(expect.arrayContaining(["HttpOnly", "Secure", "SameSite=Strict", "Path=/"]));
    // `__Host-` forbids a Domain attribute.
    expect(attributes.some((part) => /^domain=/i.test(part))).toBe(false);
    keep(attributes[0]?.slice(COOKIE.length + 1));
  });

  it("S17: cookie-authenticated refresh needs x-tidings-csrf: 1 or Origin equal to APP_URL; logout needs the bearer", async () => {
    const email = "csrf@example.test";
    await signUp(stack, email);
    const login = await trpcCall<AuthResultBody>(url, "mutation", "auth.login", { email, password: PASSWORD });
    const cookieOf = (answer: TrpcAnswer) => {
      const line = answer.headers.getSetCookie().find((l) => l.startsWith(`${COOKIE}=`)) ?? "";
      const cookie = line.split(";")[0] ?? "";
      keep(cookie.slice(COOKIE.length + 1));
      return cookie;
    };
    const cookie = cookieOf(login);
    const refresh = (headers: Record<string, string>) =>
      trpcCall<AuthResultBody>(url, "mutation", "auth.refresh", {}, { cookie, ...headers });

    const proofless: Record<string, string>[] = [
      {},
      { origin: "https://evil.example" },
      { origin: `${APP_URL}.evil.example` },
      { origin: "http://mail.example.test" },
      { origin: "null" },
      { referer: `${APP_URL}/settings` },
      { "x-tidings-csrf": "0" },
      { "x-tidings-csrf": "true" },
    ];
    for (const headers of proofless) {
      const refused = await refresh(headers);
      expect(refused.status, JSON.stringify(headers)).toBe(403);
      expect(refused.error?.data.appCode).toBe("FORBIDDEN");
      expect(refused.headers.getSetCookie().some((line) => /^__Host-tidings_rt=[^;]+;/.test(line))).toBe(false);
    }
    // Cookie without a bearer token: logout is refused and the session lives on.
    const proofs: Record<string, string>[] = [{}, { "x-tidings-csrf": "1" }, { origin: APP_URL }];
    for (const headers of proofs) {
      const logout = await trpcCall(url, "mutation", "auth.logout", undefined, { cookie, ...headers });
      expect(logout.status).toBe(401);
      expect(logout.error?.data.appCode).toBe("TOKEN_INVALID");
    }
    expect((await me(login.data?.accessToken ?? "")).status).toBe(200);

    // None of the refused calls used the cookie up: with a matching Origin it refreshes.
    const byOrigin = await refresh({ origin: APP_URL });
    expect(byOrigin.status).toBe(200);
    expect(byOrigin.data?.refreshToken).toBeUndefined();
    keep(byOrigin.data?.accessToken);
    const rotated = cookieOf(byOrigin);
    expect(rotated).not.toBe(cookie);
    const byHeader = await trpcCall<AuthResultBody>(
      url,
      "mutation",
      "auth.refresh",
      {},
      { cookie: rotated, "x-tidings-csrf": "1" },
    );
    expect(byHeader.status).toBe(200);
    const latest = cookieOf(byHeader);
    keep(byHeader.data?.accessToken);

    // Logout with the bearer clears the cookie, and the cookie no longer refreshes.
    const logout = await trpcCall(url, "mutation", "auth.logout", undefined, {
      ...bearer(byHeader.data?.accessToken ?? ""),
      cookie: latest,
    });
    expect(logout.data).toEqual({ status: "ok" });
    const cleared = logout.headers.getSetCookie().find((line) => line.startsWith(`${COOKIE}=`)) ?? "";
    expect(cleared).toMatch(new RegExp(`^${COOKIE}=;`));
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/);
    const after = await trpcCall(url, "mutation", "auth.refresh", {}, { cookie: latest, "x-tidings-csrf": "1" });
    expect(after.status).toBe(401);
  });

  it("S18: bad input gets 400 INVALID_INPUT with the path of each bad field, never a 500", async () => {
    const session = keepSession(await signUp(stack, "inputs@example.test"));
    const expectIssues = (answer: TrpcAnswer, paths: string[][]) => {
      expect(answer.status).toBe(400);
      expect(answer.error?.data.code).toBe("BAD_REQUEST");
      expect(answer.error?.data.appCode).toBe("INVALID_INPUT");
      const issues = answer.error?.data.issues as { path: string[]; message: string }[];
      expect(issues.map((issue) => issue.path)).toEqual(expect.arrayContaining(paths));
      for (const issue of issues) expect(issue.message).toEqual(expect.any(String));
    };

    expectIssues(
      await trpcCall(url, "mutation", "auth.register", {
        email: "not an email",
        password: "p".repeat(1025),
        displayName: "d".repeat(101),
      }),
      [["email"], ["password"], ["displayName"]],
    );
    expectIssues(await trpcCall(url, "mutation", "auth.login", { email: `${"a".repeat(320)}@example.test` }), [
      ["email"],
      ["password"],
    ]);
    expectIssues(await trpcCall(url, "mutation", "auth.verifyEmail", { token: "short" }), [["token"]]);
    expectIssues(
      await trpcCall(url, "mutation", "auth.login", {
        email: "inputs@example.test",
        password: PASSWORD,
        refreshTokenTransport: "carrier-pigeon",
      }),
      [["refreshTokenTransport"]],
    );
    expectIssues(
      await trpcCall(url, "query", "account.securityEvents", { limit: 1_000_000 }, bearer(session.accessToken)),
      [["limit"]],
    );
    expectIssues(
      await trpcCall(url, "mutation", "session.revoke", { sessionId: "x".repeat(5000) }, bearer(session.accessToken)),
      [["sessionId"]],
    );
    expectIssues(
      await trpcCall(
        url,
        "mutation",
        "account.updateProfile",
        { displayName: "x".repeat(101) },
        bearer(session.accessToken),
      ),
      [["displayName"]],
    );

    // The body limit is 1 MiB: just under it reaches the schema (a bounded string), just over it is 413.
    expectIssues(
      await trpcCall(url, "mutation", "auth.login", { email: "inputs@example.test", password: "p".repeat(MiB - 200) }),
      [["password"]],
    );
    const over = await fetch(new URL("/trpc/auth.login", url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: { email: "inputs@example.test", password: "p".repeat(MiB + 10) } }),
    });
    expect(over.status).toBe(413);
  });

  it("S22: the audit record is in the change's transaction: if either fails, neither is kept", async () => {
    const email = "atomic@example.test";
    const current = keepSession(await signUp(stack, email));
    const other = keepSession(await signIn(url, email));
    const userId = current.user.id;
    const NEW_PASSWORD = "quartz lantern beneath 9 ferns";

    // Faults injected in the real database: refuse the audit row, or the password update, of this user.
    await sql`create table test_faults (user_id uuid not null, what text not null)`.execute(db());
    await sql`create function test_fail_audit() returns trigger language plpgsql as $$
      begin
        if exists (select 1 from test_faults where user_id = new.user_id and what = new.type) then
          raise exception 'injected audit failure';
        end if;
        return new;
      end $$`.execute(db());
    await sql`create function test_fail_password() returns trigger language plpgsql as $$
      begin
        if new.password_hash is distinct from old.password_hash
          and exists (select 1 from test_faults where user_id = new.id and what = 'password_update') then
          raise exception 'injected update failure';
        end if;
        return new;
      end $$`.execute(db());
    await sql`create trigger test_fail_audit before insert on audit_events for each row execute function test_fail_audit()`.execute(
      db(),
    );
    await sql`create trigger test_fail_password before update on users for each row execute function test_fail_password()`.execute(
      db(),
    );
    const hashBefore = (
      await sql<{ h: string }>`select password_hash as h from users where id = ${userId}`.execute(db())
    ).rows[0]?.h;
    const change = () =>
      trpcCall(
        url,
        "mutation",
        "auth.changePassword",
        { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
        { ...bearer(current.accessToken), "user-agent": "s22-test/1.0" },
      );

    try {
      for (const what of ["password_changed", "password_update"]) {
        await sql`insert into test_faults (user_id, what) values (${userId}, ${what})`.execute(db());
        const failed = await change();
        expect(failed.status, `${what}: ${JSON.stringify(failed.error)}`).toBe(500);
        expect(failed.error?.data.appCode).toBe("INTERNAL");
        await sql`delete from test_faults`.execute(db());

        // Nothing of the change is left: hash, sessions, audit record, email.
        const hash = (await sql<{ h: string }>`select password_hash as h from users where id = ${userId}`.execute(db()))
          .rows[0]?.h;
        expect(hash, what).toBe(hashBefore);
        expect(await auditRows(userId, "password_changed"), what).toHaveLength(0);
        expect((await me(other.accessToken)).status, what).toBe(200);
        const { rows: queued } = await sql<{ count: number }>`
          select count(*)::int as count from outbox where payload::text like ${"%password-changed%"}`.execute(db());
        expect(queued[0]?.count, what).toBe(0);
      }

      // Without faults the same request changes the password and records it, with IP, agent and time.
      const ok = await change();
      expect(ok.data).toEqual({ status: "ok" });
      const rows = await auditRows(userId, "password_changed");
      expect(rows).toHaveLength(1);
      expect(["127.0.0.1", "::ffff:127.0.0.1", "::1"]).toContain(rows[0]?.ip);
      expect(rows[0]?.user_agent).toBe("s22-test/1.0");
      expect(Math.abs((rows[0]?.created_at.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
      expect((await me(other.accessToken)).error?.data.appCode).toBe("SESSION_REVOKED");
      // The failed attempts queued no email: the owner hears of the one change only.
      await expect.poll(() => emailsTo(email, /password was changed/).length, { timeout: 20_000 }).toBe(1);
    } finally {
      await sql`drop trigger if exists test_fail_audit on audit_events`.execute(db());
      await sql`drop trigger if exists test_fail_password on users`.execute(db());
    }
  });

  it("S16: /metrics shows none of the tokens handed out above", async () => {
    expect(issued.size).toBeGreaterThanOrEqual(15);
    const metrics = await (await fetch(new URL("/metrics", url))).text();
    expect(metrics).toMatch(/^tidings_/m);
    const found = [...issued].filter((token) => metrics.includes(token));
    expect(found).toEqual([]);
    for (const token of issued) {
      const signature = token.split(".")[2];
      if (signature) expect(metrics).not.toContain(signature);
    }
  });
});
