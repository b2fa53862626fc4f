import { request } from "node:http";
import { sql } from "@tidings/db";
import {
  type AuthStack,
  bearer,
  PASSWORD,
  signIn,
  signUp,
  startAuthStack,
  tokenFromEmail,
  trpcCall,
} from "@tidings/test-stack";
import { services } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** A sign-in sent from a chosen loopback source address, as if from another machine. */
function loginFrom(localAddress: string, baseUrl: string, email: string, password: string): Promise<number> {
  const url = new URL("/trpc/auth.login", baseUrl);
  const body = JSON.stringify({ json: { email, password } });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        localAddress,
        agent: false,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe.skipIf(!services().postgres || !services().redis)("lockout under concurrency", () => {
  let stack: AuthStack;
  let url: string;

  beforeAll(async () => {
    stack = await startAuthStack({ env: { ADMIN_EMAILS: "admin@example.test" } });
    url = stack.servers[0]?.url ?? "";
  });
  afterAll(() => stack?.stop());

  const lockEvents = async (userId: string) => {
    const { rows } = await sql<{ count: number }>`
      select count(*)::int as count from audit_events where user_id = ${userId} and type = 'account_locked'`.execute(
      stack.testDb.handle.db,
    );
    return rows[0]?.count;
  };

  it("locks the account exactly once under 50 parallel wrong sign-ins; the right password then fails too", async () => {
    const email = "victim@example.test";
    const victim = await signUp(stack, email);
    const statuses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        loginFrom(`127.0.${1 + Math.floor(i / 250)}.${(i % 250) + 1}`, url, email, "wrong password guess"),
      ),
    );
    expect(statuses.every((status) => status === 401)).toBe(true);
    expect(await lockEvents(victim.user.id)).toBe(1);
    await expect
      .poll(() => stack.smtp.accepted.filter((mail) => mail.to === email && /unlock-account/.test(mail.text)).length, {
        timeout: 20_000,
      })
      .toBe(1);

    const correct = await trpcCall(url, "mutation", "auth.login", { email, password: PASSWORD });
    expect(correct.status).toBe(401);
    expect(correct.error?.data.appCode).toBe("INVALID_CREDENTIALS");
    const unknown = await trpcCall(url, "mutation", "auth.login", { email: "nobody@example.test", password: PASSWORD });
    expect(correct.error?.message).toBe(unknown.error?.message);
  });

  it("is lifted by the unlock email's link, and by admin.users.unlock", async () => {
    const email = "victim@example.test";
    const token = await tokenFromEmail(stack.smtp, email, "unlock-account");
    expect((await trpcCall(url, "mutation", "auth.unlockAccount", { token })).data).toEqual({ status: "ok" });
    const again = await trpcCall(url, "mutation", "auth.unlockAccount", { token });
    expect(again.error?.data.appCode).toBe("TOKEN_INVALID");
    const victim = await signIn(url, email);

    for (let i = 0; i < 10; i++) await loginFrom("127.0.9.1", url, email, "wrong again");
    expect((await trpcCall(url, "mutation", "auth.login", { email, password: PASSWORD })).status).toBe(401);

    const admin = await signUp(stack, "admin@example.test", "Admin");
    expect(admin.user.role).toBe("admin");
    const unlocked = await trpcCall(
      url,
      "mutation",
      "admin.users.unlock",
      { userId: victim.user.id },
      bearer(admin.accessToken),
    );
    expect(unlocked.data).toEqual({ status: "ok" });
    expect((await signIn(url, email)).user.id).toBe(victim.user.id);
  });
});
