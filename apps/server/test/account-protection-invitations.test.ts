import { hashPassword } from "@tidings/auth";
import { insertUserIfAbsent, sql } from "@tidings/db";
import {
  type AuthResultBody,
  type AuthStack,
  bearer,
  PASSWORD,
  signIn,
  startAuthStack,
  tokenFromEmail,
  trpcCall,
} from "@tidings/test-stack";
import { services } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Issue #19, must-hold 3, over HTTP against Postgres and Redis (REGISTRATION_MODE=invite): register
// creates and sends nothing and answers as open registration does; an invitation link creates a
// verified account once; a revoked or expired one answers TOKEN_INVALID / TOKEN_EXPIRED.

describe.skipIf(!services().postgres || !services().redis)("invite-only registration over HTTP", () => {
  let stack: AuthStack;
  let url: string;
  let admin: AuthResultBody;

  beforeAll(async () => {
    stack = await startAuthStack({ env: { REGISTRATION_MODE: "invite" } });
    url = stack.servers[0]?.url ?? "";
    // Invite-only has no sign-up: the first administrator is made as the CLI makes one.
    await insertUserIfAbsent(stack.testDb.handle.db, {
      email: "admin@example.test",
      emailNormalized: "admin@example.test",
      displayName: "Ana Admin",
      passwordHash: await hashPassword(PASSWORD),
      verified: true,
      role: "admin",
    });
    admin = await signIn(url, "admin@example.test");
  }, 60_000);
  afterAll(() => stack?.stop());

  const invite = async (email: string, role?: "user" | "admin") => {
    const answer = await trpcCall<{ id: string; expiresAt: string }>(
      url,
      "mutation",
      "admin.invitations.create",
      { email, ...(role ? { role } : {}) },
      bearer(admin.accessToken),
    );
    expect(answer.status).toBe(200);
    return { id: answer.data?.id ?? "", token: await tokenFromEmail(stack.smtp, email, "accept-invite") };
  };
  const accept = (token: string, password = PASSWORD) =>
    trpcCall<AuthResultBody>(url, "mutation", "auth.acceptInvitation", {
      token,
      password,
      displayName: "Invited Person",
      refreshTokenTransport: "body",
    });
  const rowsFor = async (email: string) => {
    const { rows } = await sql<{ users: number; deliveries: number; outbox: number }>`
      select (select count(*)::int from users where email_normalized = ${email}) as users,
             (select count(*)::int from email_deliveries where recipient = ${email}) as deliveries,
             (select count(*)::int from outbox where payload->>'to' = ${email}) as outbox`.execute(
      stack.testDb.handle.db,
    );
    return rows[0];
  };

  it("answers auth.register as open registration does, and creates and sends nothing", async () => {
    const fresh = await trpcCall(url, "mutation", "auth.register", {
      email: "walk.in@example.test",
      password: PASSWORD,
    });
    const taken = await trpcCall(url, "mutation", "auth.register", { email: "admin@example.test", password: PASSWORD });
    for (const answer of [fresh, taken]) {
      expect(answer.status).toBe(200);
      expect(answer.data).toEqual({ status: "verification_sent" });
    }
    expect(Object.fromEntries(fresh.headers)["content-type"]).toBe(Object.fromEntries(taken.headers)["content-type"]);
    // An email sent after these has arrived, so any they had queued would have too.
    await invite("marker@example.test");
    expect(await rowsFor("walk.in@example.test")).toEqual({ users: 0, deliveries: 0, outbox: 0 });
    expect(
      stack.smtp.accepted.filter((mail) => ["walk.in@example.test", "admin@example.test"].includes(mail.to)),
    ).toEqual([]);
  });

  it("creates a verified account with the invited role from the link, once, and signs it in", async () => {
    const email = "newcomer@example.test";
    const { token } = await invite(email, "admin");
    const invitation = stack.smtp.accepted.find((mail) => mail.to === email);
    expect(invitation?.subject).toBe("Ana Admin invited you to Tidings");

    const accepted = await accept(token);
    expect(accepted.status).toBe(200);
    expect(accepted.data?.user).toMatchObject({ email, emailVerified: true, role: "admin" });
    const me = await trpcCall<{ email: string }>(
      url,
      "query",
      "auth.me",
      undefined,
      bearer(accepted.data?.accessToken ?? ""),
    );
    expect(me.data?.email).toBe(email);
    const again = await accept(token);
    expect(again.status).toBe(401);
    expect(again.error?.data.appCode).toBe("TOKEN_INVALID");
    expect((await rowsFor(email))?.users).toBe(1);
    expect((await signIn(url, email)).user.email).toBe(email);

    const listed = await trpcCall<{ items: { email: string; status: string }[] }>(
      url,
      "query",
      "admin.invitations.list",
      { limit: 50 },
      bearer(admin.accessToken),
    );
    expect(listed.data?.items.find((item) => item.email === email)?.status).toBe("accepted");
  });

  it("answers TOKEN_INVALID for a revoked link and TOKEN_EXPIRED for an expired one, creating nothing", async () => {
    const revoked = await invite("revoked@example.test");
    const revoke = await trpcCall(
      url,
      "mutation",
      "admin.invitations.revoke",
      { invitationId: revoked.id },
      bearer(admin.accessToken),
    );
    expect(revoke.data).toEqual({ status: "ok" });
    const refused = await accept(revoked.token);
    expect(refused.status).toBe(401);
    expect(refused.error?.data.appCode).toBe("TOKEN_INVALID");

    const expired = await invite("expired@example.test");
    await sql`update invitations set expires_at = now() - interval '1 second' where id = ${expired.id}`.execute(
      stack.testDb.handle.db,
    );
    const late = await accept(expired.token);
    expect(late.status).toBe(401);
    expect(late.error?.data.appCode).toBe("TOKEN_EXPIRED");
    expect((await rowsFor("revoked@example.test"))?.users).toBe(0);
    expect((await rowsFor("expired@example.test"))?.users).toBe(0);
  });

  it("lets only admins invite", async () => {
    const { token } = await invite("plain.user@example.test");
    const user = await accept(token);
    const refused = await trpcCall(
      url,
      "mutation",
      "admin.invitations.create",
      { email: "friend@example.test" },
      bearer(user.data?.accessToken ?? ""),
    );
    expect(refused.status).toBe(403);
    expect(refused.error?.data.appCode).toBe("FORBIDDEN");
  });
});
