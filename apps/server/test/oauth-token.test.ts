import { request as httpRequest } from "node:http";
import { type AuthStack, bearer, PASSWORD, signUp, startAuthStack, trpcCall } from "@tidings/test-stack";
import { services } from "@tidings/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

interface TokenBody {
  access_token?: string;
  token_type?: string;
  expires_in?: number;
  refresh_token?: string;
  error?: string;
  error_description?: string;
}

describe.skipIf(!services().postgres || !services().redis)("POST /oauth/token (RFC 6749)", () => {
  let stack: AuthStack;
  let url: string;
  const email = "oauth@example.test";

  let account: Promise<unknown> | undefined;

  beforeAll(async () => {
    stack = await startAuthStack();
    url = stack.servers[0]?.url ?? "";
  });
  afterAll(() => stack?.stop());

  // signUp polls the mailbox with expect.poll, which only runs inside a test; the first test to
  // need the account creates it and the others wait for the same one.
  const withAccount = () => {
    account ??= signUp(stack, email);
    return account;
  };
  beforeEach(() => withAccount());

  /** As curl -d would send it. */
  const token = async (form: Record<string, string> | URLSearchParams) => {
    const response = await fetch(new URL("/oauth/token", url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form instanceof URLSearchParams ? form : new URLSearchParams(form),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as TokenBody };
  };
  const me = (accessToken: string) =>
    trpcCall<{ email: string }>(url, "query", "auth.me", undefined, bearer(accessToken));

  it("password grant: a Bearer token that works, a refresh token, and no caching", async () => {
    const answer = await token({ grant_type: "password", username: email, password: PASSWORD });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("cache-control")).toBe("no-store");
    expect(answer.headers.get("pragma")).toBe("no-cache");
    expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
    expect(answer.body).toEqual({
      access_token: expect.any(String),
      token_type: "Bearer",
      expires_in: expect.any(Number),
      refresh_token: expect.any(String),
    });
    expect(Number.isInteger(answer.body.expires_in)).toBe(true);
    expect(answer.body.expires_in).toBeGreaterThan(0);

    const who = await me(answer.body.access_token ?? "");
    expect(who.status).toBe(200);
    expect(who.data?.email).toBe(email);
  });

  it("accepts a hand-written form body over plain node:http", async () => {
    const body = `grant_type=password&username=${encodeURIComponent(email)}&password=${encodeURIComponent(PASSWORD)}`;
    const answer = await new Promise<{ status: number; headers: Record<string, unknown>; text: string }>(
      (resolve, reject) => {
        const req = httpRequest(
          new URL("/oauth/token", url),
          {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) },
          },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => {
              text += chunk;
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
            res.on("error", reject);
          },
        );
        req.on("error", reject);
        req.end(body);
      },
    );
    expect(answer.status).toBe(200);
    expect(answer.headers["cache-control"]).toBe("no-store");
    expect(answer.headers.pragma).toBe("no-cache");
    expect((JSON.parse(answer.text) as TokenBody).token_type).toBe("Bearer");
  });

  it("refresh_token grant rotates; the old token within the grace window gets the same successor", async () => {
    const signedIn = await token({ grant_type: "password", username: email, password: PASSWORD });
    const first = signedIn.body.refresh_token ?? "";

    const rotated = await token({ grant_type: "refresh_token", refresh_token: first });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get("cache-control")).toBe("no-store");
    expect(rotated.body.token_type).toBe("Bearer");
    expect(rotated.body.refresh_token).toEqual(expect.any(String));
    expect(rotated.body.refresh_token).not.toBe(first);
    expect((await me(rotated.body.access_token ?? "")).status).toBe(200);

    // The stack's grace window is 10 s: a second tab presenting the old token is not an attack.
    const again = await token({ grant_type: "refresh_token", refresh_token: first });
    expect(again.status).toBe(200);
    expect(again.body.refresh_token).toBe(rotated.body.refresh_token);
  });

  it("a made-up refresh token is invalid_grant", async () => {
    const answer = await token({ grant_type: "refresh_token", refresh_token: "x".repeat(43) });
    expect(answer.status).toBe(400);
    expect(answer.headers.get("cache-control")).toBe("no-store");
    expect(answer.body).toEqual({ error: "invalid_grant", error_description: expect.any(String) });
  });

  it("wrong password and unknown user answer identically", async () => {
    const wrong = await token({ grant_type: "password", username: email, password: "not the password at all" });
    const unknown = await token({ grant_type: "password", username: "nobody@example.test", password: PASSWORD });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe("invalid_grant");
    expect(unknown.status).toBe(wrong.status);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.headers.get("cache-control")).toBe("no-store");
    expect(wrong.headers.get("pragma")).toBe("no-cache");
  });

  it("missing, empty or oversized parameters are invalid_request", async () => {
    const forms: Record<string, string>[] = [
      { grant_type: "password", username: email },
      { grant_type: "password", username: email, password: "" },
      { username: email, password: PASSWORD },
      { grant_type: "refresh_token" },
      { grant_type: "password", username: email, password: "p".repeat(1025) },
      { grant_type: "refresh_token", refresh_token: "r".repeat(513) },
      // Past the route's body limit: refused before it is parsed.
      { grant_type: "password", username: email, password: "p".repeat(20_000) },
    ];
    for (const form of forms) {
      const answer = await token(form);
      expect(answer.status, JSON.stringify(Object.keys(form))).toBe(400);
      expect(answer.body.error).toBe("invalid_request");
      expect(answer.headers.get("cache-control")).toBe("no-store");
    }
  });

  it("an unknown grant_type is unsupported_grant_type", async () => {
    const answer = await token({ grant_type: "client_credentials" });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe("unsupported_grant_type");
  });

  it("a repeated parameter is invalid_request (§3.2)", async () => {
    const form = new URLSearchParams([
      ["grant_type", "password"],
      ["username", email],
      ["password", "a wrong guess"],
      ["password", PASSWORD],
    ]);
    const answer = await token(form);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe("invalid_request");
  });

  it("a JSON body, or none, is invalid_request rather than a server error", async () => {
    const json = await fetch(new URL("/oauth/token", url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "password", username: email, password: PASSWORD }),
    });
    expect(json.status).toBe(400);
    expect(json.headers.get("cache-control")).toBe("no-store");
    expect(((await json.json()) as TokenBody).error).toBe("invalid_request");

    const empty = await fetch(new URL("/oauth/token", url), { method: "POST" });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as TokenBody).error).toBe("invalid_request");
  });

  it("leaves other routes' parsing alone", async () => {
    // tRPC still takes JSON: the form-only parser is scoped to the token endpoint.
    const answer = await trpcCall(url, "mutation", "auth.login", {
      email,
      password: PASSWORD,
      refreshTokenTransport: "body",
    });
    expect(answer.status).toBe(200);
  });
});
