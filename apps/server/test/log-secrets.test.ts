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

const EMAIL = "secretive@example.test";
const WRONG_PASSWORD = "not my password but close 41";
const CHANGED_PASSWORD = "a completely different passphrase 77";
const WEAK_PASSWORD = "password1234";
const RESET_PASSWORD = "yet another long passphrase after reset 99";
/** APP_URL is https, so the refresh cookie carries the `__Host-` prefix. */
const COOKIE = "__Host-tidings_rt";

describe.skipIf(!services().postgres || !services().redis)("no secret reaches the server logs (S16)", () => {
  let stack: AuthStack;
  let url: string;
  /** Every password, token and cookie value used or returned, with where it came from. */
  const secrets = new Map<string, string>();

  beforeAll(async () => {
    stack = await startAuthStack();
    url = stack.servers[0]?.url ?? "";
  });
  afterAll(() => stack?.stop());

  const keep = (label: string, value: string | undefined) => {
    expect(value, label).toBeTruthy();
    if (value) secrets.set(value, label);
  };

  /** An access token, and its signature alone (the part that cannot be rebuilt from the claims). */
  const keepAccessToken = (label: string, token: string | undefined) => {
    keep(label, token);
    const parts = token?.split(".") ?? [];
    expect(parts).toHaveLength(3);
    keep(`${label} (signature)`, parts[2]);
  };

  const keepAuthResult = (label: string, answer: TrpcAnswer<AuthResultBody>) => {
    expect(answer.error, label).toBeUndefined();
    keepAccessToken(`${label} access token`, answer.data?.accessToken);
    if (answer.data?.refreshToken !== undefined) keep(`${label} refresh token`, answer.data.refreshToken);
    return answer.data as AuthResultBody;
  };

  /** Set-Cookie lines of an answer: the whole line and the cookie value both count as secrets. */
  const keepRefreshCookie = (label: string, answer: TrpcAnswer): string => {
    const lines = answer.headers.getSetCookie().filter((line) => line.startsWith(`${COOKIE}=`));
    expect(lines, label).toHaveLength(1);
    const line = lines[0] ?? "";
    const value = decodeURIComponent(line.slice(COOKIE.length + 1).split(";")[0] ?? "");
    keep(`${label} Set-Cookie value`, value);
    keep(`${label} Set-Cookie line`, line);
    return value;
  };

  const call = <T = Record<string, unknown>>(
    kind: "query" | "mutation",
    path: string,
    input?: unknown,
    headers: Record<string, string> = {},
  ) => trpcCall<T>(url, kind, path, input, { "user-agent": "log-secrets-test/1.0", ...headers });

  /**
   * What a browser does with an emailed link: load the page `APP_URL/<path>?token=…`, which this
   * server serves (the page then posts the token to the API).
   */
  const openEmailedLink = async (path: string, token: string) => {
    const page = await fetch(new URL(`/${path}?token=${encodeURIComponent(token)}`, url), {
      headers: { "user-agent": "log-secrets-test/1.0", accept: "text/html" },
    });
    await page.arrayBuffer();
    expect(page.status, path).toBeLessThan(500);
  };

  it("runs a whole session: sign-up, sign-in, both refresh transports, password change, logout, reset", async () => {
    keep("password", PASSWORD);
    keep("wrong password", WRONG_PASSWORD);
    keep("changed password", CHANGED_PASSWORD);
    keep("weak password", WEAK_PASSWORD);
    keep("reset password", RESET_PASSWORD);

    expect((await call("mutation", "auth.register", { email: EMAIL, password: PASSWORD })).data).toEqual({
      status: "verification_sent",
    });
    const verifyToken = await tokenFromEmail(stack.smtp, EMAIL, "verify-email");
    keep("verify-email token", verifyToken);
    await openEmailedLink("verify-email", verifyToken);
    const verified = keepAuthResult(
      "verifyEmail",
      await call<AuthResultBody>("mutation", "auth.verifyEmail", { token: verifyToken, refreshTokenTransport: "body" }),
    );
    // A used one-time token sent again: the error path must not echo it either.
    const reused = await call("mutation", "auth.verifyEmail", { token: verifyToken });
    expect(reused.error?.data.appCode).toBe("TOKEN_INVALID");
    expect(JSON.stringify(reused.error)).not.toContain(verifyToken);

    const wrong = await call("mutation", "auth.login", { email: EMAIL, password: WRONG_PASSWORD });
    expect(wrong.error?.data.appCode).toBe("INVALID_CREDENTIALS");
    expect(JSON.stringify(wrong.error)).not.toContain(WRONG_PASSWORD);

    // Body transport: sign in, then rotate the refresh token in the body.
    const bodySession = keepAuthResult(
      "login (body)",
      await call<AuthResultBody>("mutation", "auth.login", {
        email: EMAIL,
        password: PASSWORD,
        refreshTokenTransport: "body",
      }),
    );
    const rotated = keepAuthResult(
      "refresh (body)",
      await call<AuthResultBody>("mutation", "auth.refresh", { refreshToken: bodySession.refreshToken }),
    );
    expect(rotated.refreshToken).not.toBe(bodySession.refreshToken);

    // Cookie transport: sign in, then rotate the cookie.
    const cookieLogin = await call<AuthResultBody>("mutation", "auth.login", { email: EMAIL, password: PASSWORD });
    keepAuthResult("login (cookie)", cookieLogin);
    expect(cookieLogin.data?.refreshToken).toBeUndefined();
    const firstCookie = keepRefreshCookie("login (cookie)", cookieLogin);
    const cookieRefresh = await call<AuthResultBody>(
      "mutation",
      "auth.refresh",
      {},
      {
        cookie: `${COOKIE}=${encodeURIComponent(firstCookie)}`,
        "x-tidings-csrf": "1",
      },
    );
    const cookieSession = keepAuthResult("refresh (cookie)", cookieRefresh);
    expect(keepRefreshCookie("refresh (cookie)", cookieRefresh)).not.toBe(firstCookie);

    // A tampered access token is refused, and is not logged either.
    const tampered = `${cookieSession.accessToken.slice(0, -4)}AAAA`;
    keep("tampered access token", tampered);
    expect((await call("query", "auth.me", undefined, bearer(tampered))).error?.data.appCode).toBe("TOKEN_INVALID");

    const changed = await call(
      "mutation",
      "auth.changePassword",
      { currentPassword: PASSWORD, newPassword: CHANGED_PASSWORD },
      bearer(verified.accessToken),
    );
    expect(changed.data).toEqual({ status: "ok" });
    // The changed-away sessions' tokens are refused from now on.
    expect((await call("query", "auth.me", undefined, bearer(cookieSession.accessToken))).error?.data.appCode).toBe(
      "SESSION_REVOKED",
    );
    expect((await call("mutation", "auth.logout", undefined, bearer(verified.accessToken))).data).toEqual({
      status: "ok",
    });

    expect((await call("mutation", "auth.requestPasswordReset", { email: EMAIL })).data).toEqual({ status: "ok" });
    const resetToken = await tokenFromEmail(stack.smtp, EMAIL, "reset-password");
    keep("reset-password token", resetToken);
    await openEmailedLink("reset-password", resetToken);
    const weak = await call("mutation", "auth.resetPassword", { token: resetToken, newPassword: WEAK_PASSWORD });
    expect(weak.error?.data.appCode).toBe("WEAK_PASSWORD");
    expect(JSON.stringify(weak.error)).not.toContain(WEAK_PASSWORD);
    expect(
      (await call("mutation", "auth.resetPassword", { token: resetToken, newPassword: RESET_PASSWORD })).data,
    ).toEqual({ status: "ok" });

    keepAuthResult(
      "login after reset",
      await call<AuthResultBody>("mutation", "auth.login", {
        email: EMAIL,
        password: RESET_PASSWORD,
        refreshTokenTransport: "body",
      }),
    );
  });

  it("the server output has request log lines but none of the secrets", async () => {
    const server = stack.servers[0];
    // A last request with a known id: once its line is out, every earlier line is too.
    const requestId = "log-secrets-final-request";
    await fetch(new URL("/healthz", url), { headers: { "x-request-id": requestId } });
    await expect.poll(() => server?.process.output().includes(requestId), { timeout: 10_000 }).toBe(true);
    const output = server?.process.output() ?? "";

    // Not vacuous: the requests of the session above were logged.
    const requestLines = output.split("\n").filter((line) => /"reqId"/.test(line) && /"url":"\/trpc\//.test(line));
    expect(requestLines.length).toBeGreaterThanOrEqual(10);
    for (const path of ["auth.login", "auth.refresh", "auth.changePassword", "auth.resetPassword"]) {
      expect(output, path).toContain(`/trpc/${path}`);
    }

    expect(secrets.size).toBeGreaterThanOrEqual(20);
    // Each leak is named by the secret's label and the log line's message and path (not the secret).
    const lines = output.split("\n");
    const leaks = [...secrets].flatMap(([value, label]) =>
      lines.filter((line) => line.includes(value)).map((line) => `${label} in: ${describeLine(line)}`),
    );
    expect(leaks).toEqual([]);
  });
});

/** A log line told without its values: pino's message and the request's method and path. */
function describeLine(line: string): string {
  try {
    const entry = JSON.parse(line) as { msg?: string; req?: { method?: string; url?: string } };
    return `"${entry.msg}" ${entry.req?.method ?? ""} ${entry.req?.url?.split("?")[0] ?? ""}`.trim();
  } catch {
    return "a line that is not JSON";
  }
}
