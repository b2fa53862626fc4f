import { readFile } from "node:fs/promises";
import { signUp } from "@tidings/test-stack";
import { readZip, services } from "@tidings/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completion, type RecordedRequest, startFakeOpenAi } from "../../../packages/ai/test/fake-openai.ts";
import {
  linkFromEmail,
  PASSWORD,
  screenshot,
  seriousViolations,
  signInInBrowser,
  webStackForSuite,
} from "./web-stack.ts";

// The account pages of issue #19 in Chromium: invitations, email change, export and deletion.

const ADMIN_EMAIL = "boss@example.test";
const NEW_PASSWORD = "a fresh invitee passphrase 77";
const ready = services();

async function heading(page: Page, name: string | RegExp) {
  await page.getByRole("heading", { level: 1, name }).waitFor();
}

describe.skipIf(!ready.postgres || !ready.redis || !ready.chromium)("account pages in Chromium", () => {
  // The fake OpenAI-compatible server for the AI settings test listens on loopback, which S24 refuses unless allowed.
  const suite = webStackForSuite({ ADMIN_EMAILS: ADMIN_EMAIL, MAIL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1" });
  const { open } = suite;
  // The admin's account, made by whichever test needs it first (expect.poll, used to read the email, runs only in tests).
  let adminSignedUp: Promise<unknown> | undefined;
  const signInAsAdmin = async (page: Page) => {
    adminSignedUp ??= signUp(suite.web.stack, ADMIN_EMAIL, "Grace Admin");
    await adminSignedUp;
    await signInInBrowser(page, ADMIN_EMAIL);
  };

  it("lets an admin invite, revoke and list; the invitation link signs the invitee in once", async () => {
    const admin = await open();
    await signInAsAdmin(admin.page);
    await admin.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Invitations" }).click();
    await heading(admin.page, "Invitations");

    // A malformed address is refused next to the field, before anything is sent.
    await admin.page.getByLabel("Email address").fill("not an address");
    await admin.page.getByRole("button", { name: "Send invitation" }).click();
    await admin.page.locator("#invite-email-error").waitFor();
    // An address with an account already: the server's reason, on the field.
    await admin.page.getByLabel("Email address").fill(ADMIN_EMAIL);
    await admin.page.getByRole("button", { name: "Send invitation" }).click();
    await admin.page.locator("#invite-email-error", { hasText: "exists already" }).waitFor();

    const invitee = "new.colleague@example.test";
    const revoked = "changed.mind@example.test";
    for (const [email, role] of [
      [revoked, "user"],
      [invitee, "admin"],
    ] as const) {
      await admin.page.getByLabel("Email address").fill(email);
      await admin.page.getByLabel("Role").selectOption(role);
      await admin.page.getByRole("button", { name: "Send invitation" }).click();
      await admin.page.getByText(`Invitation sent to ${email}.`).waitFor();
    }
    const rows = admin.page.getByTestId("invitation-row");
    await expect.poll(() => rows.count()).toBe(2);
    const row = (email: string) => rows.filter({ hasText: email });
    await row(invitee).getByText("Pending", { exact: true }).waitFor();
    await row(invitee).getByText("Admin", { exact: true }).waitFor();

    await admin.page.getByRole("button", { name: `Revoke the invitation to ${revoked}` }).click();
    await admin.page.getByRole("alertdialog").getByRole("button", { name: "Revoke invitation" }).click();
    await row(revoked).getByText("Revoked", { exact: true }).waitFor();
    expect(await row(revoked).getByRole("button").count()).toBe(0);

    // The revoked invitation's link says so plainly.
    const visitor = await open();
    await visitor.page.goto(await linkFromEmail(suite.web.smtp, revoked, "/accept-invite"));
    await heading(visitor.page, "Join Tidings");
    await visitor.page.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
    await visitor.page.getByRole("button", { name: "Create account and sign in" }).click();
    await visitor.page.getByRole("alert").filter({ hasText: "This link is not valid any more" }).waitFor();

    // The live one: name and password, then the dashboard, signed in as the invitee.
    const link = await linkFromEmail(suite.web.smtp, invitee, "/accept-invite");
    await visitor.page.goto(link);
    await heading(visitor.page, "Join Tidings");
    await visitor.page.getByLabel("Your name (optional)").fill("Annie Easley");
    await visitor.page.getByLabel("Password", { exact: true }).fill("password1234");
    await visitor.page.getByRole("button", { name: "Create account and sign in" }).click();
    await visitor.page.locator("#invite-password-error", { hasText: "too easy to guess" }).waitFor();
    await visitor.page.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
    await visitor.page.getByRole("button", { name: "Create account and sign in" }).click();
    await visitor.page.waitForURL(/\/dashboard/);
    await visitor.page.getByTestId("user-menu").filter({ hasText: "Annie Easley" }).waitFor();
    // Invited as an admin: the administration section is there.
    await visitor.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Invitations" }).waitFor();

    await admin.page.reload();
    await row(invitee).getByText("Accepted", { exact: true }).waitFor();

    // Used once: a second visit is refused.
    const again = await open();
    await again.page.goto(link);
    await again.page.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
    await again.page.getByRole("button", { name: "Create account and sign in" }).click();
    await again.page.getByRole("alert").filter({ hasText: "This link is not valid any more" }).waitFor();
    await admin.context.close();
    await visitor.context.close();
    await again.context.close();
  });

  it("changes the email only through the link sent to the new address; then only the new one signs in", async () => {
    const oldEmail = "old.address@example.test";
    const newEmail = "new.address@example.test";
    await signUp(suite.web.stack, oldEmail, "Mary Jackson");
    const { page, context } = await open();
    await signInInBrowser(page, oldEmail);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account", exact: true }).click();
    await heading(page, "Account");

    const form = page.locator("form", { has: page.getByLabel("New email address") });
    await page.getByLabel("New email address").fill(newEmail);
    await form.getByLabel("Current password").fill("not my password at all");
    await page.getByRole("button", { name: "Send confirmation link" }).click();
    await page.locator("#email-password-error", { hasText: "That is not your password." }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("email-password");

    await form.getByLabel("Current password").fill(PASSWORD);
    await page.getByRole("button", { name: "Send confirmation link" }).click();
    await page.getByTestId("email-change-sent").filter({ hasText: "Check your new inbox" }).waitFor();
    // Nothing changed yet: the profile still shows the old address.
    await page.goto("/settings/profile");
    await page.getByText(oldEmail).first().waitFor();

    await page.goto(await linkFromEmail(suite.web.smtp, newEmail, "/confirm-email-change"));
    await heading(page, "Confirm your new email address");
    await page.getByTestId("email-changed").waitFor();
    await screenshot(page, "confirm-email-change-done");
    await page.getByRole("link", { name: "Sign in with your new address" }).click();
    await heading(page, "Sign in");

    await page.getByLabel("Email").fill(oldEmail);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.locator("#sign-in-password-error").waitFor();
    await signInInBrowser(page, newEmail);
    await page.goto("/settings/account");
    await page.getByText("You sign in with").filter({ hasText: newEmail }).waitFor();
    await context.close();
  });

  it("downloads the user's data with the profile and no secret", async () => {
    const email = "exporter@example.test";
    await signUp(suite.web.stack, email, "Dorothy Vaughan");
    const { page, context } = await open();
    await signInInBrowser(page, email);
    await page.goto("/settings/account");
    await heading(page, "Account");
    await page.getByRole("button", { name: "Prepare my download" }).click();
    const link = page.getByTestId("export-link");
    await link.waitFor();
    const href = (await link.getAttribute("href")) ?? "";
    const downloading = page.waitForEvent("download");
    await link.click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^tidings-export-\d{4}-\d{2}-\d{2}\.zip$/);
    const files = await readZip(await readFile(await download.path()));
    // No mail account connected: the account data alone.
    expect([...files.keys()]).toEqual(["account.json"]);
    const text = files.get("account.json")?.toString("utf8") ?? "";
    const data = JSON.parse(text) as { profile: { email: string; displayName: string }; sessions: unknown[] };
    expect(data.profile).toMatchObject({ email, displayName: "Dorothy Vaughan" });
    expect(data.sessions.length).toBeGreaterThan(0);

    const user = await suite.web.stack.testDb.handle.db
      .selectFrom("users")
      .select("password_hash")
      .where("email", "=", email)
      .executeTakeFirstOrThrow();
    expect(user.password_hash).toBeTruthy();
    expect(text).not.toContain(user.password_hash ?? "");
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(decodeURIComponent(href.split("/exports/")[1] ?? "missing"));
    expect(text).not.toMatch(/hash|sealed|secret|\$argon2/i);
    await context.close();
  });

  it("deletes the account after the password and a typed confirmation; signed out, and the email is free again", async () => {
    const email = "leaving@example.test";
    await signUp(suite.web.stack, email, "Katherine Leaving");
    const { page, context } = await open({ width: 390 });
    await signInInBrowser(page, email);
    await page.goto("/settings/account");
    await heading(page, "Account");

    const deleteButton = page.getByRole("button", { name: "Delete my account" });
    expect(await deleteButton.isDisabled()).toBe(true);
    await page.getByLabel("Type “delete my account” to confirm").fill("delete my account");
    const deleteForm = page.locator("form", { has: page.getByLabel("Type “delete my account” to confirm") });
    await deleteForm.getByLabel("Current password").fill("wrong password here");
    await deleteButton.click();
    await page.getByRole("alertdialog").getByText("Delete your account for good?").waitFor();
    await screenshot(page, "account-delete-dialog-phone");
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete account" }).click();
    await page.locator("#delete-password-error", { hasText: "That is not your password." }).waitFor();

    await deleteForm.getByLabel("Current password").fill(PASSWORD);
    await deleteButton.click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete account" }).click();
    await page.waitForURL(/\/account-deleted/);
    await heading(page, "Your account is deleted");
    await page.getByTestId("account-deleted").waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, "account-deleted-phone");

    const rows = await suite.web.stack.testDb.handle.db
      .selectFrom("users")
      .select("id")
      .where("email", "=", email)
      .execute();
    expect(rows).toEqual([]);
    // Signed out here: the signed-in pages send to sign-in, and the password no longer works.
    await page.goto("/settings/profile");
    await page.waitForURL(/\/sign-in/);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.locator("#sign-in-password-error").waitFor();
    // The address can register again: through the sign-up page and the new confirmation email
    // (only emails sent after this point count, since the first account's link is in the sink too).
    const before = suite.web.smtp.accepted.length;
    await page.goto("/sign-up");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await heading(page, "Check your email");
    const verifyLink = /https?:\/\/[^\s"<>]+\/verify-email\?token=[A-Za-z0-9_%-]+/;
    let link = "";
    await expect
      .poll(
        () => {
          const mail = suite.web.smtp.accepted.slice(before).find((m) => m.to === email && verifyLink.test(m.text));
          link = mail?.text.match(verifyLink)?.[0] ?? "";
          return link;
        },
        { timeout: 30_000 },
      )
      .not.toBe("");
    await page.goto(link);
    await page.waitForURL(/\/dashboard/);
    await context.close();
  });

  for (const colorScheme of ["light", "dark"] as const) {
    it(`has no serious or critical axe violations on the account pages (${colorScheme} theme)`, async () => {
      const found: Record<string, string[]> = {};
      const { page, context } = await open({ colorScheme });
      const check = async (name: string) => {
        found[name] = await seriousViolations(page);
        await screenshot(page, `${name}-${colorScheme}`);
      };
      const bogus = "x".repeat(43);
      await page.goto(`/accept-invite?token=${bogus}`);
      await heading(page, "Join Tidings");
      await check("accept-invitation");
      await page.goto("/accept-invite");
      await page.getByRole("alert").waitFor();
      await check("accept-invitation-incomplete");
      await page.goto(`/confirm-email-change?token=${bogus}`);
      await page.getByRole("alert").waitFor();
      await check("confirm-email-change-invalid");
      await page.goto("/account-deleted");
      await heading(page, "Your account is deleted");
      await check("account-deleted");

      await signInAsAdmin(page);
      await page.goto("/admin/invitations");
      await heading(page, "Invitations");
      await page.getByText("Loading…").waitFor({ state: "detached" });
      await check("admin-invitations");
      await page.getByRole("button", { name: "Send invitation" }).click();
      await page.locator("#invite-email-error").waitFor();
      await check("admin-invitations-error");
      await page.goto("/settings/account");
      await heading(page, "Account");
      await page.getByRole("button", { name: "Prepare my download" }).click();
      await page.getByTestId("export-link").waitFor();
      await check("account");
      await page.getByLabel("Type “delete my account” to confirm").fill("delete my account");
      await page.getByRole("button", { name: "Delete my account" }).click();
      await page.getByRole("alertdialog").waitFor();
      found["account-delete-dialog"] = await seriousViolations(page);
      await page.keyboard.press("Escape");
      expect(Object.fromEntries(Object.entries(found).filter(([, list]) => list.length > 0))).toEqual({});
      await context.close();
    });
  }

  it("lays the account pages out for a 375 px wide phone", async () => {
    const { page, context } = await open({ width: 375, colorScheme: "dark" });
    await page.goto(`/accept-invite?token=${"y".repeat(43)}`);
    await heading(page, "Join Tidings");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, "accept-invitation-phone");
    await signInAsAdmin(page);
    for (const [name, path, title] of [
      ["account", "/settings/account", "Account"],
      ["admin-invitations", "/admin/invitations", "Invitations"],
    ] as const) {
      await page.goto(path);
      await heading(page, title);
      await page.getByText("Loading…").waitFor({ state: "detached" });
      expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(375);
      await screenshot(page, `${name}-phone`);
    }
    await context.close();
  });

  describe("AI settings and usage", () => {
    let fake: Awaited<ReturnType<typeof startFakeOpenAi>>;
    beforeAll(async () => {
      fake = await startFakeOpenAi(() => ({
        json: completion("OK", { prompt_tokens: 40_000, completion_tokens: 2_000 }),
      }));
    });
    afterAll(() => fake?.close());

    it("changes the provider, tests it against a loopback server, shows the spend chart and a spent budget; axe clean light and dark, 390 px", async () => {
      const email = "ai.user@example.test";
      await signUp(suite.web.stack, email, "Ada AI");
      const { page } = await open();
      await signInInBrowser(page, email);
      // Before any paid call: no empty charts, but what will show there and where the model is chosen.
      await page.goto("/settings/ai/usage");
      await page.getByTestId("ai-usage-empty").getByRole("link", { name: "AI settings" }).waitFor();
      expect(await page.getByTestId("ai-spend-by-day-chart").count()).toBe(0);
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "AI", exact: true }).click();
      await heading(page, "AI");

      await page.getByLabel("OpenAI-compatible server").check();
      // An internal address is refused by the server, next to the field (S24).
      await page.getByLabel("Base URL").fill("http://10.1.2.3/v1");
      await page.getByLabel("Senders").fill("doctor@clinic.example\nnot a sender!");
      await page.getByRole("button", { name: "Save AI settings" }).click();
      // The form refuses the bad sender itself, naming the line; the host is the server's to judge.
      await page.locator("[data-field-error=ai-excluded-senders]", { hasText: "not a sender!" }).waitFor();
      await page.getByLabel("Senders").fill("doctor@clinic.example");
      await page.getByRole("button", { name: "Save AI settings" }).click();
      await page.locator("#ai-base-url-error").waitFor();

      await page.getByLabel("Base URL").fill(fake.baseUrl);
      await page.getByLabel("Triage model").fill("gpt-4o-mini");
      await page.getByLabel("API key", { exact: true }).fill("sk-typed-in-browser");
      // The reveal button names what the field holds: a key, not a password.
      await page.getByRole("button", { name: "Show key" }).click();
      expect(await page.getByLabel("API key", { exact: true }).getAttribute("type")).toBe("text");
      expect(await page.getByRole("button", { name: /password/i }).count()).toBe(0);
      await page.getByRole("button", { name: "Test the provider" }).click();
      await page.getByTestId("ai-test-result").filter({ hasText: "The provider answered: gpt-4o-mini" }).waitFor();
      // The unsaved key went to the fake server, once.
      expect(fake.requests.map((request: RecordedRequest) => request.headers.authorization)).toEqual([
        "Bearer sk-typed-in-browser",
      ]);
      await page.getByLabel("Budget (US dollars per month)").fill("50");
      await page.getByRole("button", { name: "Save AI settings" }).click();
      await page.locator("#ai-budget-error", { hasText: "At most" }).waitFor();
      await page.getByLabel("Budget (US dollars per month)").fill("2");
      await page.getByRole("button", { name: "Save AI settings" }).click();
      await page.getByText("AI settings saved.").waitFor();
      await page.getByText("Set", { exact: true }).waitFor();
      expect(await page.getByLabel("API key", { exact: true }).count()).toBe(0);

      const found: Record<string, string[]> = {};
      found["ai-settings-light"] = await seriousViolations(page);
      await screenshot(page, "ai-settings-light");

      await page.getByRole("navigation", { name: "AI" }).getByRole("link", { name: "Usage" }).click();
      await heading(page, "AI usage");
      // The test call is on the chart: one bar, and the same numbers in words.
      await expect
        .poll(() => page.locator("[data-testid=ai-spend-by-day-chart] .recharts-bar-rectangle").count())
        .toBe(1);
      await page.getByTestId("ai-spend-by-feature-summary").filter({ hasText: "Provider tests" }).waitFor();
      await page.getByText("Show as a table").first().click();
      found["ai-usage-light"] = await seriousViolations(page);
      await screenshot(page, "ai-usage-light");

      // A budget of 0 is spent at once: both pages say so.
      await page.goto("/settings/ai");
      await heading(page, "AI");
      await page.getByLabel("Budget (US dollars per month)").fill("0");
      await page.getByRole("button", { name: "Save AI settings" }).click();
      await page.getByTestId("ai-budget-exceeded").waitFor();
      await page.getByRole("button", { name: "Test the provider" }).click();
      await page.getByTestId("ai-test-result").filter({ hasText: "budget is spent" }).waitFor();
      expect(fake.requests).toHaveLength(1);

      const phone = await open({ width: 390, colorScheme: "dark" });
      await signInInBrowser(phone.page, email);
      for (const [name, path, title] of [
        ["ai-settings", "/settings/ai", "AI"],
        ["ai-usage", "/settings/ai/usage", "AI usage"],
      ] as const) {
        await phone.page.goto(path);
        await heading(phone.page, title);
        await phone.page.getByTestId("ai-budget-exceeded").waitFor();
        expect(await phone.page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(390);
        found[`${name}-dark`] = await seriousViolations(phone.page);
        await screenshot(phone.page, `${name}-dark-phone`);
      }
      expect(Object.fromEntries(Object.entries(found).filter(([, list]) => list.length > 0))).toEqual({});
    }, 120_000);
  });
});
