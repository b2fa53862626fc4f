import { signUp, trpcCall } from "@tidings/test-stack";
import { services } from "@tidings/testing";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  actUntilSignedOut,
  linkFromEmail,
  PASSWORD,
  screenshot,
  signInInBrowser,
  signUpInBrowser,
  webStackForSuite,
} from "./web-stack.ts";

const ADMIN_EMAIL = "admin@example.test";
const IPHONE_SAFARI =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
const WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";

const ready = services();

/** Every access token the server handed this page, read off the wire. */
function collectAccessTokens(page: Page): string[] {
  const tokens: string[] = [];
  page.on("response", async (response) => {
    if (!response.url().includes("/trpc/")) return;
    const body = await response.text().catch(() => "");
    for (const match of body.matchAll(/"accessToken":"([^"]+)"/g)) if (match[1]) tokens.push(match[1]);
  });
  return tokens;
}

describe.skipIf(!ready.postgres || !ready.redis || !ready.chromium)("web app sign-in flows in Chromium", () => {
  const suite = webStackForSuite({ ADMIN_EMAILS: ADMIN_EMAIL });
  const { open } = suite;

  it("signs up, opens the emailed verification link and lands signed in on the dashboard", async () => {
    const { page, context } = await open();
    await signUpInBrowser(suite.web, page, "grace@example.test", "Grace Hopper");
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toMatch(/, Grace$/);
    await page.getByText("Your email is confirmed and you are signed in").waitFor();
    await screenshot(page, "dashboard");
    await context.close();
  });

  it("stays signed in when the page-load refresh (no cookie yet) answers after the verification link signed in", async () => {
    const email = "slow-refresh@example.test";
    await trpcCall(suite.web.url, "mutation", "auth.register", { email, password: PASSWORD });
    const link = await linkFromEmail(suite.web.smtp, email, "/verify-email");
    const { page, context } = await open();
    // A browser that was signed in here before keeps a hint (and the refresh cookie may be gone),
    // so the page still tries the cookie on load.
    await page.addInitScript(() => localStorage.setItem("tidings.may-be-signed-in", "1"));
    // The refresh the page starts on load reaches the server first (so without a cookie), and its
    // answer is held back until verification has signed the tab in. Verification waits for that
    // first leg, or it could set the cookie before the refresh is sent and the refresh would succeed.
    let refreshSent = () => {};
    const refreshReachedServer = new Promise<void>((resolve) => {
      refreshSent = resolve;
    });
    await page.route(
      (url) => url.pathname === "/trpc/auth.verifyEmail",
      async (route) => {
        await refreshReachedServer;
        await route.continue();
      },
    );
    await page.route(
      (url) => url.pathname === "/trpc/auth.refresh",
      async (route) => {
        const response = await route.fetch();
        refreshSent();
        await page.waitForURL(/\/dashboard/);
        await route.fulfill({ response });
      },
    );
    const refreshAnswered = page.waitForResponse((response) => response.url().includes("/trpc/auth.refresh"));
    await page.goto(link);
    await page.waitForURL(/\/dashboard/);
    expect((await refreshAnswered).status()).toBe(401);
    await page.getByRole("link", { name: "Sessions", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Active sessions" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/settings/sessions");
    await context.close();
  });

  it("keeps the session across a reload through the HttpOnly cookie, never storing the access token", async () => {
    const { page, context } = await open();
    const tokens = collectAccessTokens(page);
    await signUpInBrowser(suite.web, page, "reload@example.test");
    await expect.poll(() => tokens.length).toBeGreaterThan(0);

    await page.reload();
    await page.getByRole("heading", { level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/dashboard");
    await page.getByRole("link", { name: "Sessions", exact: true }).click();
    await page.getByRole("heading", { name: "Active sessions" }).waitFor();
    await expect.poll(() => tokens.length).toBeGreaterThan(1);

    const stored = await page.evaluate(() => ({
      cookie: document.cookie,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
    }));
    for (const token of tokens) {
      expect(stored.cookie).not.toContain(token);
      expect(stored.local).not.toContain(token);
      expect(stored.session).not.toContain(token);
    }
    const cookies = await context.cookies();
    const refreshCookie = cookies.find((cookie) => cookie.name === "tidings_rt");
    expect(refreshCookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict", path: "/" });
    for (const cookie of cookies.filter((c) => !c.httpOnly)) {
      for (const token of tokens) expect(cookie.value).not.toContain(token);
    }

    // A second tab restores the same session from the cookie; reloading both at once rotates the
    // cookie twice, one tab after the other, and neither is signed out.
    const second = await context.newPage();
    await second.goto("/settings/profile");
    await second.getByRole("heading", { level: 1, name: "Profile" }).waitFor();
    await Promise.all([page.reload(), second.reload()]);
    await page.getByRole("heading", { level: 1, name: "Active sessions" }).waitFor();
    await second.getByRole("heading", { level: 1, name: "Profile" }).waitFor();
    expect(new URL(second.url()).pathname).toBe("/settings/profile");
    await context.close();
  });

  it("resets a forgotten password, signs in, and signs out a browser that was signed in", async () => {
    const email = "reset@example.test";
    const other = await open();
    await signUpInBrowser(suite.web, other.page, email);

    const { page, context } = await open();
    await page.goto("/sign-in");
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await page.getByRole("heading", { name: "Reset your password" }).waitFor();
    await screenshot(page, "forgot-password");
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Send reset link" }).click();
    await page.getByText("a reset link is on its way").waitFor();

    const resetLink = await linkFromEmail(suite.web.smtp, email, "/reset-password");
    await page.goto(resetLink);
    await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
    // The link decides the account: its address is shown, and cannot be typed over.
    const account = page.getByLabel("Account");
    await account.waitFor();
    expect(await account.inputValue()).toBe(email);
    expect(await account.getAttribute("readonly")).not.toBeNull();
    await page.getByLabel("New password", { exact: true }).fill("a brand new passphrase for tidings");
    await page
      .getByTestId("password-strength")
      .getByText(/Strong|Very strong/)
      .waitFor();
    await screenshot(page, "reset-password");
    await page.getByRole("button", { name: "Change password and sign in" }).click();
    await page.waitForURL(/\/dashboard/);
    // Signed in as the link's owner.
    await page.getByTestId("user-menu").click();
    await page.getByRole("menu").getByText(email).waitFor();
    await page.keyboard.press("Escape");

    // The spent link says so on load, instead of offering the form again.
    const again = await open();
    await again.page.goto(resetLink);
    await again.page.getByRole("alert").getByText("It may have been used already").waitFor();
    expect(await again.page.getByLabel("New password", { exact: true }).count()).toBe(0);
    await screenshot(again.page, "reset-password-used-link");
    await again.context.close();

    await actUntilSignedOut(other.page);
    await other.page.getByText("Your session has ended").waitFor();
    await screenshot(other.page, "sign-in-session-ended");
    await context.close();
    await other.context.close();
  });

  it("signs out one chosen device, then every other device, from the sessions page", async () => {
    const email = "sessions@example.test";
    const a = await open();
    await signUpInBrowser(suite.web, a.page, email);
    const b = await open({ userAgent: IPHONE_SAFARI, width: 375 });
    await signInInBrowser(b.page, email);
    const c = await open({ userAgent: WINDOWS_FIREFOX });
    await signInInBrowser(c.page, email);

    await a.page.getByRole("link", { name: "Sessions", exact: true }).click();
    const rows = a.page.getByTestId("session");
    await expect.poll(() => rows.count()).toBe(3);
    await a.page.getByTestId("session").filter({ hasText: "This device" }).waitFor();
    expect(await rows.filter({ hasText: "This device" }).count()).toBe(1);
    await rows.filter({ hasText: "Safari 17 on iPhone" }).waitFor();
    await screenshot(a.page, "sessions");

    await rows
      .filter({ hasText: "Safari 17 on iPhone" })
      .getByRole("button", { name: /^Sign out/ })
      .click();
    // The dialog names the device it signs out: it is not "this device", which stays signed in.
    await a.page.getByRole("alertdialog").getByRole("heading", { name: "Sign out Safari 17 on iPhone?" }).waitFor();
    await a.page.getByRole("alertdialog").getByRole("button", { name: "Sign out device" }).click();
    await a.page.getByText("That device has been signed out.").waitFor();
    await expect.poll(() => rows.count()).toBe(2);

    await b.page.getByRole("button", { name: "Open menu" }).click();
    await actUntilSignedOut(b.page);
    await b.page.getByText("Your session has ended").waitFor();
    await screenshot(b.page, "sign-in-session-ended-phone");

    // C was not chosen: it carries on.
    await c.page.getByRole("link", { name: "Security activity", exact: true }).click();
    await c.page.getByRole("heading", { name: "Security activity" }).waitFor();
    expect(new URL(c.page.url()).pathname).toBe("/settings/activity");

    await a.page.getByRole("button", { name: "Sign out everywhere else" }).click();
    await a.page.getByRole("alertdialog").getByRole("button", { name: "Sign out others" }).click();
    await a.page.getByText("Signed out 1 other session.").waitFor();
    await expect.poll(() => rows.count()).toBe(1);

    await actUntilSignedOut(c.page);
    await c.page.getByText("Your session has ended").waitFor();

    // A, the device that did it, is still signed in.
    await a.page.getByRole("link", { name: "Security activity", exact: true }).click();
    await a.page.getByRole("heading", { name: "Security activity" }).waitFor();
    await a.page.getByTestId("event-list").getByText("Session signed out remotely").first().waitFor();
    await screenshot(a.page, "security-activity");
    for (const watched of [a, b, c]) await watched.context.close();
  });

  it("lets an admin unlock an account locked by failed sign-ins, after which its owner signs in", async () => {
    const victim = "locked@example.test";
    await signUp(suite.web.stack, victim, "Lockie");
    for (let attempt = 0; attempt < 10; attempt++) {
      const answer = await trpcCall(suite.web.url, "mutation", "auth.login", {
        email: victim,
        password: "wrong password!!",
      });
      expect(answer.error?.data.appCode).toBe("INVALID_CREDENTIALS");
    }
    const locked = await trpcCall(suite.web.url, "mutation", "auth.login", { email: victim, password: PASSWORD });
    expect(locked.error?.data.appCode).toBe("INVALID_CREDENTIALS");

    const admin = await open();
    await signUpInBrowser(suite.web, admin.page, ADMIN_EMAIL, "Ada Admin");
    await admin.page.getByText("Administration", { exact: true }).waitFor();
    await admin.page.getByRole("link", { name: "Users", exact: true }).click();
    await admin.page.getByRole("heading", { name: "Users" }).waitFor();
    await admin.page.getByLabel("Search by email or name").fill("locked@");
    const row = admin.page.getByTestId("user-row").filter({ hasText: victim });
    await row.getByText("Locked", { exact: true }).waitFor();
    await screenshot(admin.page, "admin-users");
    await row.getByRole("button", { name: "Unlock Lockie" }).click();
    await admin.page.getByText("Lockie is unlocked and can sign in again.").waitFor();
    await expect.poll(() => row.getByText("Locked", { exact: true }).count()).toBe(0);

    await admin.page.getByRole("link", { name: "Events", exact: true }).first().click();
    await admin.page.getByRole("heading", { name: "Events" }).waitFor();
    // Whose account, and which admin did it, by email.
    await admin.page
      .getByTestId("event-list")
      .locator("li", { hasText: "Account unlocked" })
      .getByText(`${victim} · by ${ADMIN_EMAIL}`)
      .first()
      .waitFor();
    await screenshot(admin.page, "admin-events");

    const owner = await open();
    await signInInBrowser(owner.page, victim);
    await owner.page.getByRole("heading", { level: 1 }).waitFor();
    await admin.context.close();
    await owner.context.close();
  });
});
