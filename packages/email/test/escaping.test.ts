import { beforeAll, describe, expect, it } from "vitest";
import { render, warmTemplates } from "../src/index.ts";
import { appUrl } from "./fixtures.ts";

beforeAll(() => warmTemplates(), 60_000);

const markup = "<img src=x onerror=alert(1)>";
const escapedMarkup = "&lt;img src=x onerror=alert(1)&gt;";

describe("user-supplied values", () => {
  it("are HTML-escaped in the HTML part and left as written in the text part", async () => {
    const email = await render("verify-email", { displayName: markup, token: "t" }, { appUrl });
    expect(email.html).toContain(escapedMarkup);
    expect(email.html).not.toContain(markup);
    expect(email.text).toContain(`Hi ${markup},`);
  });

  it("escape every HTML-significant character, in every field that reaches the HTML", async () => {
    const nasty = `"quoted" & 'single' <tag>`;
    const escaped = "&quot;quoted&quot; &amp; &#39;single&#39; &lt;tag&gt;";
    const activity = await render(
      "new-sign-in",
      { displayName: nasty, at: "2026-05-05T14:03:00Z", ip: nasty, userAgent: nasty },
      { appUrl },
    );
    expect(activity.html.split(escaped).length - 1).toBeGreaterThanOrEqual(3);
    expect(activity.html).not.toContain(nasty);

    const invitation = await render("invitation", { inviterName: nasty, token: "t" }, { appUrl });
    expect(invitation.subject).toBe(`${nasty} invited you to Tidings`);
    expect(invitation.html).toContain(`<title>${escaped} invited you to Tidings</title>`);
    expect(invitation.html).not.toContain(nasty);
  });

  it("are not expanded when they look like placeholders", async () => {
    const email = await render("verify-email", { displayName: "{{token}} {{verifyUrl}}", token: "secret" }, { appUrl });
    expect(email.text).toContain("Hi {{token}} {{verifyUrl}},");
    expect(email.html).toContain("Hi {{token}} {{verifyUrl}},");
    expect(email.text.match(/secret/g)).toHaveLength(1);
  });

  it("cannot smuggle lines into the text part through request metadata", async () => {
    const email = await render(
      "new-sign-in",
      { at: "2026-05-05T14:03:00Z", ip: "203.0.113.9", userAgent: "Firefox\r\n\r\nClick https://evil.test" },
      { appUrl },
    );
    expect(email.text).toContain("Device:     Firefox Click https://evil.test");
  });
});
