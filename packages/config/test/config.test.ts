import { describe, expect, it } from "vitest";
import { listenUrl, loadConfig } from "../src/index.ts";
import { problemsOf } from "./problems.ts";

describe("loadConfig", () => {
  it("defaults to embedded mode on an empty environment", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      mode: "embedded",
      port: 3000,
      host: "127.0.0.1",
      appUrl: "http://127.0.0.1:3000",
      migrateOnStart: true,
      shutdownTimeoutMs: 10_000,
    });
  });

  it("defaults APP_URL to the address the server prints, from HOST and PORT", () => {
    expect(loadConfig({ PORT: "8080" }).appUrl).toBe("http://127.0.0.1:8080");
    expect(loadConfig({ HOST: "0.0.0.0", PORT: "8080" }).appUrl).toBe("http://localhost:8080");
    expect(loadConfig({ HOST: "::1", PORT: "8080" }).appUrl).toBe("http://[::1]:8080");
    expect(loadConfig({ HOST: "mail.lan" }).appUrl).toBe("http://mail.lan:3000");
    expect(listenUrl("127.0.0.1", 3000)).toBe(loadConfig({}).appUrl);
  });

  it("is production mode when DATABASE_URL and REDIS_URL are set", () => {
    const config = loadConfig({
      DATABASE_URL: "postgres://u@127.0.0.1/db",
      REDIS_URL: "redis://127.0.0.1:6379",
      APP_URL: "https://mail.example.com/",
    });
    expect(config.mode).toBe("production");
    expect(config.migrateOnStart).toBe(false);
    expect(config.appUrl).toBe("https://mail.example.com");
  });

  it("names PORT and says what it expects when it is not a number", () => {
    const problems = problemsOf({ PORT: "abc" });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^PORT: expected a whole number from 0 to 65535 \(got "abc"\)$/);
  });

  it("reports one line per bad variable", () => {
    const problems = problemsOf({
      PORT: "70000",
      DATABASE_URL: "mysql://x",
      REDIS_URL: "not a url",
      LOG_LEVEL: "loud",
    });
    expect(problems.map((line) => line.split(":")[0]).sort()).toEqual([
      "DATABASE_URL",
      "LOG_LEVEL",
      "PORT",
      "REDIS_URL",
    ]);
    expect(problems.find((line) => line.startsWith("DATABASE_URL"))).toContain("postgres://");
  });

  it("resolves the data folder against the folder the command was started in", () => {
    expect(loadConfig({ INIT_CWD: "/srv/tidings" }).dataDir).toBe("/srv/tidings/.data");
    expect(loadConfig({ TIDINGS_DATA_DIR: "/var/lib/tidings" }).dataDir).toBe("/var/lib/tidings");
  });

  it("needs SMTP_URL in production, where the dev mailbox is not served", () => {
    const problems = problemsOf({ NODE_ENV: "production" });
    expect(problems[0]).toMatch(/^SMTP_URL: required when NODE_ENV=production/);
    expect(problems[1]).toMatch(/^ENCRYPTION_KEY: required when NODE_ENV=production/);
    const key = Buffer.alloc(32, 7).toString("base64");
    expect(loadConfig({ NODE_ENV: "production", SMTP_URL: "smtp://mx:25", ENCRYPTION_KEY: key }).smtpUrl).toBe(
      "smtp://mx:25",
    );
  });

  it("sends from no-reply at the app's host unless MAIL_FROM says otherwise", () => {
    expect(loadConfig({ APP_URL: "https://mail.example.com" }).mailFrom).toBe("Tidings <no-reply@mail.example.com>");
    expect(loadConfig({ MAIL_FROM: "Ops <ops@x.io>" }).mailFrom).toBe("Ops <ops@x.io>");
  });

  it("reads rate limits as attempts/seconds and refuses other shapes", () => {
    expect(loadConfig({}).auth.rateLimits.login).toEqual({ limit: 5, windowSeconds: 900 });
    expect(loadConfig({ RATE_LIMIT_LOGIN: "7/60" }).auth.rateLimits.login).toEqual({ limit: 7, windowSeconds: 60 });
    expect(problemsOf({ RATE_LIMIT_LOGIN: "five" })[0]).toMatch(/^RATE_LIMIT_LOGIN: expected "<attempts>\/<seconds>"/);
  });

  it("reads REGISTRATION_MODE: open by default, invite on request, anything else refused", () => {
    expect(loadConfig({}).auth.registrationMode).toBe("open");
    expect(loadConfig({ REGISTRATION_MODE: "invite" }).auth.registrationMode).toBe("invite");
    expect(problemsOf({ REGISTRATION_MODE: "closed" })[0]).toMatch(/^REGISTRATION_MODE: expected "open" or "invite"/);
  });

  it("reads lists and the auth defaults of the spec", () => {
    const { auth } = loadConfig({ TRUST_PROXY: "10.0.0.1, 10.0.0.0/8", ADMIN_EMAILS: "Root@Example.com" });
    expect(auth.trustProxy).toEqual(["10.0.0.1", "10.0.0.0/8"]);
    expect(auth.adminEmails).toEqual(["root@example.com"]);
    expect(auth).toMatchObject({
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 2_592_000,
      refreshReuseGraceSeconds: 10,
      requireVerifiedEmail: true,
      lockoutThreshold: 10,
      hibpEnabled: false,
      issuer: "http://127.0.0.1:3000",
    });
    expect(problemsOf({ ENCRYPTION_KEY: "short" })[0]).toMatch(/^ENCRYPTION_KEY: expected 32 random bytes/);
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig({ PORT: "", DATABASE_URL: "" })).toMatchObject({ port: 3000, mode: "embedded" });
  });
});
