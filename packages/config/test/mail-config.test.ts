import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/index.ts";
import { problemsOf } from "./problems.ts";

describe("mail configuration", () => {
  it("has defaults a fresh install can run with", () => {
    const { mail } = loadConfig({});
    expect(mail).toMatchObject({
      allowedPrivateHosts: [],
      workerMaxAccounts: 500,
      pollSeconds: 60,
      leaseSeconds: 15,
      undoSeconds: 10,
      maxAttachmentBytes: 25 * 1024 * 1024,
      syncDays: 365,
      rateLimits: { send: { limit: 100, windowSeconds: 3600 }, sendRecipients: { limit: 500, windowSeconds: 3600 } },
      oauth: { google: undefined, microsoft: undefined },
    });
  });

  it("reads the allow list, limits and OAuth clients", () => {
    const { mail } = loadConfig({
      MAIL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1, 10.1.0.0/16",
      WORKER_MAX_ACCOUNTS: "20",
      RATE_LIMIT_SEND: "5/60",
      MAIL_OAUTH_GOOGLE_CLIENT_ID: "client-1",
      MAIL_OAUTH_GOOGLE_CLIENT_SECRET: "very-secret-value",
      MAIL_OAUTH_GOOGLE_ENDPOINTS: JSON.stringify({
        authorize: "http://127.0.0.1:9000/authorize",
        token: "http://127.0.0.1:9000/token",
      }),
      MAIL_OAUTH_MICROSOFT_CLIENT_ID: "client-2",
    });
    expect(mail.allowedPrivateHosts).toEqual(["127.0.0.1", "10.1.0.0/16"]);
    expect(mail.workerMaxAccounts).toBe(20);
    expect(mail.rateLimits.send).toEqual({ limit: 5, windowSeconds: 60 });
    expect(mail.oauth.google?.endpoints).toEqual({
      authorize: "http://127.0.0.1:9000/authorize",
      token: "http://127.0.0.1:9000/token",
      revoke: undefined,
    });
    expect(mail.oauth.google?.clientSecret?.reveal()).toBe("very-secret-value");
    expect(String(mail.oauth.google?.clientSecret)).toBe("[redacted]");
    expect(mail.oauth.microsoft?.endpoints.authorize).toMatch(/^https:\/\/login\.microsoftonline\.com\//);
  });

  it("names the variable of a bad value and never echoes a client secret", () => {
    expect(problemsOf({ WORKER_MAX_ACCOUNTS: "0" })[0]).toMatch(/^WORKER_MAX_ACCOUNTS: /);
    expect(problemsOf({ MAIL_OAUTH_GOOGLE_ENDPOINTS: "{nope" })[0]).toMatch(
      /^MAIL_OAUTH_GOOGLE_ENDPOINTS: expected JSON like/,
    );
    const secret = "x".repeat(501);
    const problems = problemsOf({ MAIL_OAUTH_GOOGLE_CLIENT_SECRET: secret });
    expect(problems[0]).toMatch(/^MAIL_OAUTH_GOOGLE_CLIENT_SECRET: /);
    expect(problems.join("\n")).not.toContain(secret);
  });
});
