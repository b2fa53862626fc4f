import {
  type AuthResultBody,
  type AuthStack,
  bearer,
  PASSWORD,
  startAuthStack,
  type TrpcAnswer,
  tokenFromEmail,
  trpcCall,
} from "@tidings/test-stack";
import { services } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** API.md `SecurityEvent.type`: every one of them must be recorded (S22). */
const eventTypes = [
  "register",
  "email_verified",
  "login_succeeded",
  "login_failed",
  "logout",
  "session_revoked",
  "refresh_reused",
  "password_changed",
  "password_reset_requested",
  "password_reset",
  "account_locked",
  "account_unlocked",
  "account_disabled",
  "account_enabled",
] as const;

interface SecurityEvent {
  id: string;
  type: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
  metadata: Record<string, unknown>;
}
type Person = { id: string; email: string } | null;
type AdminEvent = SecurityEvent & { userId: string | null; user: Person; actor: Person };
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const USER_AGENT = "audit-test/1.0";
const ADMIN_USER_AGENT = "audit-test/1.0 (admin console)";
const loopback = ["127.0.0.1", "::ffff:127.0.0.1"];

const ALICE = "alice.audit-trail@example.test";
const ADMIN = "admin@example.test";
const CHANGED_PASSWORD = "a completely different passphrase 77";
const RESET_PASSWORD = "yet another long passphrase after reset 99";

describe.skipIf(!services().postgres || !services().redis)("every security event is audited (S22)", () => {
  let stack: AuthStack;
  let url: string;
  let aliceId: string;
  let admin: AuthResultBody;
  /** Alice's access token from her latest sign-in. */
  let aliceToken: string;

  beforeAll(async () => {
    stack = await startAuthStack({ env: { ADMIN_EMAILS: ADMIN, REFRESH_REUSE_GRACE_SECONDS: "1" } });
    url = stack.servers[0]?.url ?? "";
  });
  afterAll(() => stack?.stop());

  /** A call as Alice's client (or the admin's) makes it: always with its own user agent. */
  const call = <T = Record<string, unknown>>(
    kind: "query" | "mutation",
    path: string,
    input?: unknown,
    options: { token?: string; userAgent?: string } = {},
  ): Promise<TrpcAnswer<T>> =>
    trpcCall<T>(url, kind, path, input, {
      "user-agent": options.userAgent ?? USER_AGENT,
      ...(options.token ? bearer(options.token) : {}),
    });

  const login = (email: string, password: string, userAgent = USER_AGENT) =>
    call<AuthResultBody>("mutation", "auth.login", { email, password, refreshTokenTransport: "body" }, { userAgent });

  const signInOk = async (email: string, password: string, userAgent = USER_AGENT) => {
    const answer = await login(email, password, userAgent);
    expect(answer.error).toBeUndefined();
    expect(answer.status).toBe(200);
    return answer.data as AuthResultBody;
  };

  const expectInvalidCredentials = async (email: string, password: string) => {
    const answer = await login(email, password);
    expect(answer.status).toBe(401);
    expect(answer.error?.data.appCode).toBe("INVALID_CREDENTIALS");
    return answer;
  };

  const register = async (email: string, userAgent: string): Promise<AuthResultBody> => {
    const registered = await call("mutation", "auth.register", { email, password: PASSWORD }, { userAgent });
    expect(registered.data).toEqual({ status: "verification_sent" });
    const token = await tokenFromEmail(stack.smtp, email, "verify-email");
    const verified = await call<AuthResultBody>(
      "mutation",
      "auth.verifyEmail",
      { token, refreshTokenTransport: "body" },
      { userAgent },
    );
    expect(verified.status).toBe(200);
    return verified.data as AuthResultBody;
  };

  const me = (token: string) => call("query", "auth.me", undefined, { token });

  /** Follows nextCursor until it is null, checking the pages are newest first and do not overlap. */
  async function allPages<T extends { id: string }>(page: (cursor?: string) => Promise<TrpcAnswer<Page<T>>>) {
    const items: T[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const answer = await page(cursor);
      expect(answer.error).toBeUndefined();
      const data = answer.data as Page<T>;
      items.push(...data.items);
      if (data.nextCursor === null) break;
      expect(data.items.length).toBeGreaterThan(0);
      cursor = data.nextCursor;
    }
    const ids = items.map((item) => BigInt(item.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    return items;
  }

  const ownEvents = (token: string, limit: number) =>
    allPages<SecurityEvent>((cursor) =>
      call<Page<SecurityEvent>>("query", "account.securityEvents", { cursor, limit }, { token }),
    );

  const adminEvents = (filter: { userId?: string; type?: string }, limit = 100) =>
    allPages<AdminEvent>((cursor) =>
      call<Page<AdminEvent>>(
        "query",
        "admin.events.list",
        { ...filter, cursor, limit },
        { token: admin.accessToken, userAgent: ADMIN_USER_AGENT },
      ),
    );

  const expectedUserAgent = (type: string) =>
    type === "account_disabled" || type === "account_enabled" ? ADMIN_USER_AGENT : USER_AGENT;

  it("register, email_verified, login_succeeded, login_failed, session_revoked and logout", async () => {
    admin = await register(ADMIN, ADMIN_USER_AGENT);
    expect(admin.user.role).toBe("admin");

    const verified = await register(ALICE, USER_AGENT);
    aliceId = verified.user.id;
    expect(verified.user.role).toBe("user");
    await expectInvalidCredentials(ALICE, "not the right password at all");

    const second = await signInOk(ALICE, PASSWORD);
    const revoked = await call(
      "mutation",
      "session.revoke",
      { sessionId: second.session.id },
      { token: verified.accessToken },
    );
    expect(revoked.data).toEqual({ status: "ok" });
    expect((await me(second.accessToken)).error?.data.appCode).toBe("SESSION_REVOKED");

    const third = await signInOk(ALICE, PASSWORD);
    expect((await call("mutation", "auth.logout", undefined, { token: third.accessToken })).data).toEqual({
      status: "ok",
    });
    expect((await me(third.accessToken)).error?.data.appCode).toBe("SESSION_REVOKED");
    aliceToken = verified.accessToken;
  });

  it("refresh_reused: a rotated body refresh token presented after the grace window", async () => {
    const session = await signInOk(ALICE, PASSWORD);
    const first = session.refreshToken ?? "";
    expect(first).not.toBe("");
    const rotated = await call<AuthResultBody>("mutation", "auth.refresh", { refreshToken: first });
    expect(rotated.status).toBe(200);
    expect(rotated.data?.refreshToken).toBeTruthy();
    expect(rotated.data?.refreshToken).not.toBe(first);

    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const reused = await call("mutation", "auth.refresh", { refreshToken: first });
    expect(reused.status).toBe(401);
    expect(reused.error?.data.appCode).toBe("REFRESH_TOKEN_REUSED");
    expect((await me(rotated.data?.accessToken ?? "")).error?.data.appCode).toBe("SESSION_REVOKED");
    const successor = await call("mutation", "auth.refresh", { refreshToken: rotated.data?.refreshToken });
    expect(successor.status).toBe(401);
  });

  it("password_changed, password_reset_requested and password_reset", async () => {
    const changed = await call(
      "mutation",
      "auth.changePassword",
      { currentPassword: PASSWORD, newPassword: CHANGED_PASSWORD },
      { token: aliceToken },
    );
    expect(changed.data).toEqual({ status: "ok" });

    const requested = await call("mutation", "auth.requestPasswordReset", { email: ALICE });
    expect(requested.data).toEqual({ status: "ok" });
    const token = await tokenFromEmail(stack.smtp, ALICE, "reset-password");
    const reset = await call("mutation", "auth.resetPassword", { token, newPassword: RESET_PASSWORD });
    expect(reset.data).toEqual({ status: "ok" });
    // A reset ends every session, the one that changed the password included.
    expect((await me(aliceToken)).error?.data.appCode).toBe("SESSION_REVOKED");
    aliceToken = (await signInOk(ALICE, RESET_PASSWORD)).accessToken;
  });

  it("account_locked after 10 wrong sign-ins, account_unlocked by the emailed link", async () => {
    for (let attempt = 1; attempt <= 10; attempt++)
      await expectInvalidCredentials(ALICE, `wrong guess number ${attempt}`);
    // Locked: the right password is refused like any failure.
    await expectInvalidCredentials(ALICE, RESET_PASSWORD);

    const token = await tokenFromEmail(stack.smtp, ALICE, "unlock-account");
    expect((await call("mutation", "auth.unlockAccount", { token })).data).toEqual({ status: "ok" });
    aliceToken = (await signInOk(ALICE, RESET_PASSWORD)).accessToken;
  });

  it("account_disabled ends the sessions at once and refuses sign-in; account_enabled lets the user back", async () => {
    const existing = aliceToken;
    expect((await me(existing)).status).toBe(200);

    const disabled = await call(
      "mutation",
      "admin.users.setDisabled",
      { userId: aliceId, disabled: true },
      { token: admin.accessToken, userAgent: ADMIN_USER_AGENT },
    );
    expect(disabled.data).toEqual({ status: "ok" });
    const rejected = await me(existing);
    expect(rejected.status).toBe(401);
    expect(rejected.error?.data.appCode).toBe("SESSION_REVOKED");

    const refused = await expectInvalidCredentials(ALICE, RESET_PASSWORD);
    const unknown = await expectInvalidCredentials("nobody-here@example.test", RESET_PASSWORD);
    expect(refused.error?.message).toBe(unknown.error?.message);

    const enabled = await call(
      "mutation",
      "admin.users.setDisabled",
      { userId: aliceId, disabled: false },
      { token: admin.accessToken, userAgent: ADMIN_USER_AGENT },
    );
    expect(enabled.data).toEqual({ status: "ok" });
    aliceToken = (await signInOk(ALICE, RESET_PASSWORD)).accessToken;
  });

  it("account.securityEvents pages through all 14 types, each with the caller's IP and user agent", async () => {
    const events = await ownEvents(aliceToken, 7);
    expect(events.length).toBeGreaterThan(14);
    const types = new Set(events.map((event) => event.type));
    for (const type of eventTypes) expect(types.has(type), `${type} in account.securityEvents`).toBe(true);

    for (const event of events) {
      expect(loopback, `ip of ${event.type}`).toContain(event.ip);
      expect(event.userAgent, `user agent of ${event.type}`).toBe(expectedUserAgent(event.type));
      expect(Number.isNaN(Date.parse(event.createdAt)), `createdAt of ${event.type}`).toBe(false);
    }
    // The scripted actions, counted.
    const count = (type: string) => events.filter((event) => event.type === type).length;
    expect(count("register")).toBe(1);
    expect(count("email_verified")).toBe(1);
    expect(count("account_locked")).toBe(1);
    expect(count("account_unlocked")).toBe(1);
    expect(count("account_disabled")).toBe(1);
    expect(count("account_enabled")).toBe(1);
    expect(count("refresh_reused")).toBe(1);
    expect(count("password_changed")).toBe(1);
    expect(count("password_reset_requested")).toBe(1);
    expect(count("password_reset")).toBe(1);
    expect(count("logout")).toBe(1);
    expect(count("session_revoked")).toBe(1);
    // 1 wrong password, 10 before the lock, 1 while locked, 1 while disabled.
    expect(count("login_failed")).toBe(13);

    // A user sees only their own trail: none of the admin's events.
    const adminOwn = await ownEvents(admin.accessToken, 100);
    const aliceIds = new Set(events.map((event) => event.id));
    expect(adminOwn.some((event) => aliceIds.has(event.id))).toBe(false);
    expect(adminOwn.map((event) => event.type).sort()).toEqual([
      "email_verified",
      "login_succeeded",
      "register",
      "role_changed",
    ]);
  });

  it("admin.events.list has them too: unfiltered, by userId and by type", async () => {
    const own = await ownEvents(aliceToken, 100);

    const byUser = await adminEvents({ userId: aliceId }, 9);
    expect(byUser.map((event) => event.id)).toEqual(own.map((event) => event.id));
    for (const event of byUser) {
      expect(event.userId).toBe(aliceId);
      expect(loopback, `ip of ${event.type}`).toContain(event.ip);
      expect(event.userAgent, `user agent of ${event.type}`).toBe(expectedUserAgent(event.type));
    }
    // The admin view adds whose account (and which admin acted, here none) to each event.
    for (const event of byUser) expect(event.user).toEqual({ id: aliceId, email: expect.any(String) });
    expect(byUser.map(({ userId: _userId, user: _user, actor: _actor, ...event }) => event)).toEqual(own);

    const all = await adminEvents({}, 11);
    const allIds = new Set(all.map((event) => event.id));
    for (const event of own) expect(allIds.has(event.id), `${event.type} ${event.id} unfiltered`).toBe(true);

    for (const type of eventTypes) {
      const ofType = await adminEvents({ type });
      expect(
        ofType.every((event) => event.type === type),
        `only ${type}`,
      ).toBe(true);
      const aliceOfType = ofType.filter((event) => event.userId === aliceId);
      expect(aliceOfType.length, `${type} for the user`).toBeGreaterThan(0);
      expect(aliceOfType.map((event) => event.id)).toEqual(
        own.filter((event) => event.type === type).map((event) => event.id),
      );
      for (const event of aliceOfType) {
        expect(loopback, `ip of ${type}`).toContain(event.ip);
        expect(event.userAgent, `user agent of ${type}`).toBe(expectedUserAgent(type));
      }
      const both = await adminEvents({ type, userId: aliceId });
      expect(both.map((event) => event.id)).toEqual(aliceOfType.map((event) => event.id));
    }

    const disabled = own.find((event) => event.type === "account_disabled");
    expect(disabled?.metadata).toMatchObject({ adminId: admin.user.id });
  });
});
