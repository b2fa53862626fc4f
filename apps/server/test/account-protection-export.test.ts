import { totpCodeAt } from "@tidings/auth";
import { sql } from "@tidings/db";
import { type AuthStack, bearer, PASSWORD, signUp, startAuthStack, trpcCall } from "@tidings/test-stack";
import { services } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redactUrl } from "../src/log-redaction.ts";

// Issue #19, must-hold 6, over HTTP against Postgres and Redis: account.export's download holds
// the account's data and no secret (no hash, token or sealed value), and its link is short-lived.

describe.skipIf(!services().postgres || !services().redis)("account export over HTTP", () => {
  let stack: AuthStack;
  let url: string;

  beforeAll(async () => {
    stack = await startAuthStack();
    url = stack.servers[0]?.url ?? "";
  }, 60_000);
  afterAll(() => stack?.stop());

  /** The download link's path, fetched from this server (APP_URL names a host the tests never call). */
  const download = (link: string) => fetch(new URL(new URL(link).pathname, url));

  it("downloads the account's data as a JSON attachment with no hash, token or sealed value", async () => {
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
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("content-disposition")).toMatch(
      /^attachment; filename="tidings-export-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    expect(response.headers.get("cache-control")).toBe("no-store");
    const text = await response.text();
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

  it("refuses an altered link, and every link once the account is deleted", async () => {
    const email = "exporter2@example.test";
    const account = await signUp(stack, email);
    const auth = bearer(account.accessToken);
    const exported = await trpcCall<{ url: string }>(url, "mutation", "account.export", undefined, auth);
    const link = exported.data?.url ?? "";
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
