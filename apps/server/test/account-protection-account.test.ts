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

// Issue #19, must-holds 4 and 5, over HTTP against Postgres and Redis with two server processes:
// an email change happens only when the new address's link is used, the old address is told, and
// sign-in then works with the new address only; deleting the account ends every session at once
// in every process, its rows are gone (checked in the database), and the email can register again.

describe.skipIf(!services().postgres || !services().redis)("email change and deletion over HTTP", () => {
  let stack: AuthStack;
  let first: string;
  let second: string;

  beforeAll(async () => {
    stack = await startAuthStack({ serverCount: 2 });
    first = stack.servers[0]?.url ?? "";
    second = stack.servers[1]?.url ?? "";
  }, 60_000);
  afterAll(() => stack?.stop());

  const me = (url: string, accessToken: string) =>
    trpcCall<{ email: string }>(url, "query", "auth.me", undefined, bearer(accessToken));

  it("changes the email only when the new address's link is used, tells the old address, and signs in with the new one only", async () => {
    const oldEmail = "before@example.test";
    const newEmail = "after@example.test";
    const account = await signUp(stack, oldEmail);
    const elsewhere = await signIn(second, oldEmail);

    const wrong = await trpcCall(
      first,
      "mutation",
      "account.changeEmail",
      { newEmail, password: "not my password" },
      bearer(account.accessToken),
    );
    expect(wrong.error?.data.appCode).toBe("INVALID_CREDENTIALS");
    const asked = await trpcCall(
      first,
      "mutation",
      "account.changeEmail",
      { newEmail, password: PASSWORD },
      bearer(account.accessToken),
    );
    expect(asked.data).toEqual({ status: "verification_sent" });
    const token = await tokenFromEmail(stack.smtp, newEmail, "confirm-email-change");

    // Nothing has changed yet.
    expect((await me(first, account.accessToken)).data?.email).toBe(oldEmail);
    expect((await signIn(first, oldEmail)).user.email).toBe(oldEmail);
    const notYet = await trpcCall(first, "mutation", "auth.login", { email: newEmail, password: PASSWORD });
    expect(notYet.error?.data.appCode).toBe("INVALID_CREDENTIALS");

    const confirmed = await trpcCall(second, "mutation", "account.confirmEmailChange", { token });
    expect(confirmed.data).toEqual({ status: "ok" });
    await expect
      .poll(() => stack.smtp.accepted.find((mail) => mail.to === oldEmail && mail.text.includes(newEmail))?.subject, {
        timeout: 20_000,
      })
      .toBe("Your Tidings email address was changed");

    // Every session ended, on both servers.
    for (const [url, accessToken] of [
      [first, account.accessToken],
      [second, elsewhere.accessToken],
    ] as const) {
      expect((await me(url, accessToken)).error?.data.appCode).toBe("SESSION_REVOKED");
    }
    const oldSignIn = await trpcCall(first, "mutation", "auth.login", { email: oldEmail, password: PASSWORD });
    expect(oldSignIn.error?.data.appCode).toBe("INVALID_CREDENTIALS");
    expect((await signIn(second, newEmail)).user.email).toBe(newEmail);
    const reused = await trpcCall(first, "mutation", "account.confirmEmailChange", { token });
    expect(reused.error?.data.appCode).toBe("TOKEN_INVALID");
  });

  it("deletes the account: every session ends at once on every server, the rows are gone, the email registers again", async () => {
    const email = "leaving@example.test";
    const account = await signUp(stack, email);
    const onSecond = await signIn(second, email);
    const userId = account.user.id;
    // Warm both servers' view of the sessions, so a stale cache would show.
    expect((await me(first, account.accessToken)).status).toBe(200);
    expect((await me(second, onSecond.accessToken)).status).toBe(200);

    const wrong = await trpcCall(
      first,
      "mutation",
      "account.delete",
      { password: "not my password" },
      bearer(account.accessToken),
    );
    expect(wrong.error?.data.appCode).toBe("INVALID_CREDENTIALS");
    const deleted = await trpcCall(
      first,
      "mutation",
      "account.delete",
      { password: PASSWORD },
      bearer(account.accessToken),
    );
    expect(deleted.data).toEqual({ status: "ok" });

    expect((await me(second, onSecond.accessToken)).error?.data.appCode).toBe("SESSION_REVOKED");
    expect((await me(first, account.accessToken)).error?.data.appCode).toBe("SESSION_REVOKED");
    const refresh = await trpcCall(second, "mutation", "auth.refresh", { refreshToken: onSecond.refreshToken });
    expect(refresh.status).toBe(401);

    const { rows } = await sql<Record<string, number>>`
      select (select count(*)::int from users where id = ${userId}) as users,
             (select count(*)::int from sessions where user_id = ${userId}) as sessions,
             (select count(*)::int from one_time_tokens where user_id = ${userId}) as tokens,
             (select count(*)::int from audit_events where user_id = ${userId}) as events`.execute(
      stack.testDb.handle.db,
    );
    expect(rows[0]).toEqual({ users: 0, sessions: 0, tokens: 0, events: 0 });

    // Registering again sends a new verification link (not the account-exists notice), which works.
    const verifyMails = () =>
      stack.smtp.accepted.filter((mail) => mail.to === email && mail.text.includes("/verify-email?token="));
    const before = verifyMails().length;
    const registered = await trpcCall(first, "mutation", "auth.register", { email, password: PASSWORD });
    expect(registered.data).toEqual({ status: "verification_sent" });
    await expect.poll(() => verifyMails().length, { timeout: 20_000 }).toBe(before + 1);
    const token = decodeURIComponent(
      verifyMails()
        .at(-1)
        ?.text.match(/verify-email\?token=([A-Za-z0-9_%-]+)/)?.[1] ?? "",
    );
    const again = await trpcCall<{ user: { id: string; email: string } }>(first, "mutation", "auth.verifyEmail", {
      token,
      refreshTokenTransport: "body",
    });
    expect(again.data?.user.id).not.toBe(userId);
    expect(again.data?.user.email).toBe(email);
  });
});
