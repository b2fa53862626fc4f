import { beforeAll, describe, expect, it } from "vitest";
import { isTemplateName, render, templateNames, warmTemplates } from "../src/index.ts";
import { appUrl, expectedLinks, sampleData, token } from "./fixtures.ts";

beforeAll(() => warmTemplates(), 60_000);

describe.each(templateNames)("%s", (name) => {
  it("renders a subject, an HTML part and a plain-text part", async () => {
    const email = await render(name, sampleData[name], { appUrl });
    expect(email.subject.trim()).not.toBe("");
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.html).toContain("<html");
    expect(email.html).toContain(">Tidings<");
    expect(email.text).toContain("Tidings");
    expect(email.text).not.toMatch(/<[a-z]/i);
    for (const part of [email.subject, email.html, email.text]) expect(part).not.toMatch(/\{\{|\}\}/);
  });

  it("carries its links, built on APP_URL, in both parts", async () => {
    const email = await render(name, sampleData[name], { appUrl });
    for (const link of expectedLinks[name]) {
      expect(email.html).toContain(`href="${link}"`);
      expect(email.text).toContain(link);
    }
    const htmlLinks = [...email.html.matchAll(/href="([^"]*)"/g)].map((match) => match[1]);
    const textLinks = email.text.match(/https?:\/\/\S+/g) ?? [];
    for (const link of [...htmlLinks, ...textLinks]) expect(link?.startsWith(`${appUrl}/`)).toBe(true);
  });

  it("never shows a token unencoded", async () => {
    const email = await render(name, sampleData[name], { appUrl });
    expect(email.html).not.toContain(token);
    expect(email.text).not.toContain(token);
  });
});

describe("links", () => {
  it("encode the token as a URL component", async () => {
    const email = await render("password-reset", { token: "a b&c=d/e" }, { appUrl });
    expect(email.text).toContain(`${appUrl}/reset-password?token=a%20b%26c%3Dd%2Fe`);
    expect(email.html).toContain(`href="${appUrl}/reset-password?token=a%20b%26c%3Dd%2Fe"`);
  });

  it("keep APP_URL's base path and ignore its trailing slash", async () => {
    const email = await render("verify-email", { token: "t" }, { appUrl: "https://example.test/app/" });
    expect(email.text).toContain("https://example.test/app/verify-email?token=t");
    expect(email.text).not.toContain("app//");
  });

  it("refuse an APP_URL that is not an absolute http(s) URL", async () => {
    await expect(render("welcome", {}, { appUrl: "/relative" })).rejects.toThrow(/appUrl/);
    await expect(render("welcome", {}, { appUrl: "javascript:alert(1)" })).rejects.toThrow(/appUrl/);
  });
});

describe("content", () => {
  it("states how long each link stays valid", async () => {
    const expiries: [Parameters<typeof render>[0], string][] = [
      ["verify-email", "24 hours"],
      ["password-reset", "1 hour"],
      ["account-locked", "24 hours"],
      ["invitation", "7 days"],
    ];
    for (const [name, expiry] of expiries) {
      const email = await render(name, sampleData[name], { appUrl });
      expect(email.html, name).toContain(expiry);
      expect(email.text, name).toContain(expiry);
    }
  });

  it("shows when, where from and on what device for security notices", async () => {
    for (const name of ["password-changed", "new-sign-in", "refresh-reuse"] as const) {
      const email = await render(name, sampleData[name], { appUrl });
      for (const part of [email.html, email.text]) {
        expect(part).toContain("5 May 2026 at 14:03 UTC");
        expect(part).toContain("203.0.113.9");
        expect(part).toContain("Firefox/140.0");
      }
    }
  });

  it("greets by name when there is one", async () => {
    const named = await render("welcome", { displayName: "Ana" }, { appUrl });
    const unnamed = await render("welcome", { displayName: "  " }, { appUrl });
    expect(named.text.startsWith("Hi Ana,\n")).toBe(true);
    expect(unnamed.text.startsWith("Hi,\n")).toBe(true);
  });

  it("puts the inviter's name in the invitation's subject", async () => {
    const email = await render("invitation", { inviterName: "Bea Costa", token }, { appUrl });
    expect(email.subject).toBe("Bea Costa invited you to Tidings");
  });
});

describe("isTemplateName", () => {
  it("knows exactly the template names", () => {
    for (const name of templateNames) expect(isTemplateName(name)).toBe(true);
    expect(isTemplateName("toString")).toBe(false);
    expect(isTemplateName("verify")).toBe(false);
  });
});
