import { ConfigError, loadConfig } from "@tidings/config";
import { describe, expect, it } from "vitest";
import { oauthMailServers } from "../src/index.ts";

// How MAIL_OAUTH_*_ENDPOINTS decides where an OAuth2 mailbox's tokens and mail come from.

describe("OAuth client settings", () => {
  it("uses the providers' own servers by OpenID discovery, and the presets' mail servers", () => {
    const { oauth } = loadConfig({ MAIL_OAUTH_GOOGLE_CLIENT_ID: "g", MAIL_OAUTH_MICROSOFT_CLIENT_ID: "m" }).mail;
    expect(oauth.google).toMatchObject({ issuer: "https://accounts.google.com", discovery: true, servers: undefined });
    expect(oauth.microsoft).toMatchObject({
      issuer: "https://login.microsoftonline.com/common/v2.0",
      discovery: true,
    });
    if (!oauth.google || !oauth.microsoft) throw new Error("clients missing");
    expect(oauthMailServers("google", oauth.google)).toEqual({
      presetId: "gmail",
      imap: { host: "imap.gmail.com", port: 993, security: "tls" },
      smtp: { host: "smtp.gmail.com", port: 465, security: "tls" },
    });
    expect(oauthMailServers("microsoft", oauth.microsoft)).toMatchObject({
      presetId: "outlook",
      imap: { host: "outlook.office365.com" },
      smtp: { host: "smtp.office365.com", security: "starttls" },
    });
  });

  it("takes an override's endpoints, issuer (default: the authorize origin) and mail servers", () => {
    const endpoints = { authorize: "http://127.0.0.1:9000/a", token: "http://127.0.0.1:9000/t" };
    const plain = loadConfig({
      MAIL_OAUTH_GOOGLE_CLIENT_ID: "g",
      MAIL_OAUTH_GOOGLE_ENDPOINTS: JSON.stringify(endpoints),
    }).mail.oauth.google;
    expect(plain).toMatchObject({ issuer: "http://127.0.0.1:9000", discovery: false, servers: undefined });

    const imap = { host: "127.0.0.1", port: 1143, security: "none" };
    const full = loadConfig({
      MAIL_OAUTH_GOOGLE_CLIENT_ID: "g",
      MAIL_OAUTH_GOOGLE_ENDPOINTS: JSON.stringify({ ...endpoints, issuer: "https://id.example.test", imap }),
    }).mail.oauth.google;
    if (!full) throw new Error("client missing");
    expect(full.issuer).toBe("https://id.example.test");
    // Only IMAP replaced: SMTP stays the preset's.
    expect(oauthMailServers("google", full)).toMatchObject({ imap, smtp: { host: "smtp.gmail.com" } });
  });

  it("names the variable when an override's mail server is malformed", () => {
    const bad = () =>
      loadConfig({
        MAIL_OAUTH_GOOGLE_CLIENT_ID: "g",
        MAIL_OAUTH_GOOGLE_ENDPOINTS: JSON.stringify({
          authorize: "http://127.0.0.1:9000/a",
          token: "http://127.0.0.1:9000/t",
          imap: { host: "127.0.0.1", port: 1143, security: "plaintext" },
        }),
      });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/MAIL_OAUTH_GOOGLE_ENDPOINTS/);
  });
});
