import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AuthResultBody,
  type AuthStack,
  bearer,
  generousRateLimits,
  PASSWORD,
  signIn,
  signUp,
  startAuthStack,
  startServer,
  tokenFromEmail,
  trpcCall,
} from "@tidings/test-stack";
import { services } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const me = (url: string, token: string) => trpcCall(url, "query", "auth.me", undefined, bearer(token));
const expectRevoked = async (url: string, token: string) => {
  const answer = await me(url, token);
  expect(answer.status).toBe(401);
  expect(answer.error?.data.appCode).toBe("SESSION_REVOKED");
};

describe.skipIf(!services().postgres || !services().redis)("revocation is immediate in every server process", () => {
  let stack: AuthStack;
  let a: string;
  let b: string;

  beforeAll(async () => {
    stack = await startAuthStack({ serverCount: 2, env: { ADMIN_EMAILS: "boss@example.test" } });
    [a, b] = stack.servers.map((server) => server.url) as [string, string];
  });
  afterAll(() => stack?.stop());

  it("after logout on one process, the same token fails on the other at once", async () => {
    const session = await signUp(stack, "logout@example.test");
    expect((await me(b, session.accessToken)).status).toBe(200);
    expect((await trpcCall(a, "mutation", "auth.logout", undefined, bearer(session.accessToken))).status).toBe(200);
    await expectRevoked(b, session.accessToken);
    await expectRevoked(a, session.accessToken);
  });

  it("after session.revoke and session.revokeOthers", async () => {
    const first = await signUp(stack, "revoke@example.test");
    const second = await signIn(a, "revoke@example.test");
    const third = await signIn(a, "revoke@example.test");

    // Each token has just been accepted by b, so b's "not revoked" answers are fresh in its memory.
    for (const token of [second.accessToken, third.accessToken]) expect((await me(b, token)).status).toBe(200);

    const revoked = await trpcCall(
      a,
      "mutation",
      "session.revoke",
      { sessionId: second.session.id },
      bearer(first.accessToken),
    );
    expect(revoked.status).toBe(200);
    await expectRevoked(b, second.accessToken);

    const others = await trpcCall(a, "mutation", "session.revokeOthers", undefined, bearer(first.accessToken));
    expect(others.data).toEqual({ revoked: 1 });
    await expectRevoked(b, third.accessToken);
    expect((await me(b, first.accessToken)).status).toBe(200);
  });

  it("after changePassword (other sessions) and resetPassword (all sessions)", async () => {
    const email = "password@example.test";
    const current = await signUp(stack, email);
    const other = await signIn(b, email);
    const newPassword = "a completely different passphrase 77";

    const changed = await trpcCall(
      a,
      "mutation",
      "auth.changePassword",
      { currentPassword: PASSWORD, newPassword },
      bearer(current.accessToken),
    );
    expect(changed.status).toBe(200);
    await expectRevoked(b, other.accessToken);
    expect((await me(b, current.accessToken)).status).toBe(200);

    expect((await trpcCall(a, "mutation", "auth.requestPasswordReset", { email })).data).toEqual({ status: "ok" });
    const token = await tokenFromEmail(stack.smtp, email, "reset-password");
    const reset = await trpcCall(b, "mutation", "auth.resetPassword", {
      token,
      newPassword: "yet another long passphrase 99",
    });
    expect(reset.status).toBe(200);
    await expectRevoked(a, current.accessToken);

    const again = await trpcCall(b, "mutation", "auth.resetPassword", {
      token,
      newPassword: "yet another long passphrase 99",
    });
    expect(again.error?.data.appCode).toBe("TOKEN_INVALID");
    expect((await signIn(a, email, "yet another long passphrase 99")).user.email).toBe(email);
  });

  it("after admin.users.setDisabled", async () => {
    const admin = await signUp(stack, "boss@example.test", "Boss");
    const user = await signUp(stack, "disabled@example.test");
    expect((await me(b, user.accessToken)).status).toBe(200);
    const disabled = await trpcCall(
      a,
      "mutation",
      "admin.users.setDisabled",
      { userId: user.user.id, disabled: true },
      bearer(admin.accessToken),
    );
    expect(disabled.data).toEqual({ status: "ok" });
    await expectRevoked(b, user.accessToken);
    const signInAgain = await trpcCall(b, "mutation", "auth.login", {
      email: "disabled@example.test",
      password: PASSWORD,
    });
    expect(signInAgain.error?.data.appCode).toBe("INVALID_CREDENTIALS");
  });

  it("in a server started after Redis lost the list (a restart: it keeps nothing on disk)", async () => {
    const session = await signUp(stack, "restart@example.test");
    expect((await trpcCall(a, "mutation", "auth.logout", undefined, bearer(session.accessToken))).status).toBe(200);
    await expectRevoked(b, session.accessToken);
    await stack.redis.deleteKeys(`${stack.redis.prefix}:revoked-session:*`);
    const late = await startServer(stack.env);
    try {
      await expectRevoked(late.url, session.accessToken);
    } finally {
      await late.stop();
    }
  });
});

describe("embedded mode: revocation outlives a restart", () => {
  it("a token of a session ended before the restart is refused after it", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "tidings-revocation-"));
    const env = { TIDINGS_DATA_DIR: dataDir, AUTH_REQUIRE_VERIFIED_EMAIL: "false", ...generousRateLimits };
    try {
      const first = await startServer(env);
      let session: AuthResultBody;
      try {
        const email = "embedded@example.test";
        expect((await trpcCall(first.url, "mutation", "auth.register", { email, password: PASSWORD })).status).toBe(
          200,
        );
        session = await signIn(first.url, email);
        expect((await me(first.url, session.accessToken)).status).toBe(200);
        expect(
          (await trpcCall(first.url, "mutation", "auth.logout", undefined, bearer(session.accessToken))).status,
        ).toBe(200);
        await expectRevoked(first.url, session.accessToken);
      } finally {
        await first.stop();
      }
      const second = await startServer(env);
      try {
        await expectRevoked(second.url, session.accessToken);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
