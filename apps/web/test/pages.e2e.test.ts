import { signUp } from "@tidings/test-stack";
import { services } from "@tidings/testing";
import { describe, expect, it } from "vitest";
import { PASSWORD, screenshot, seriousViolations, signUpInBrowser, webStackForSuite } from "./web-stack.ts";

const ADMIN_EMAIL = "root@example.test";
const ready = services();

const signedOutPages = [
  { name: "landing", path: "/", heading: "Email that sorts itself out." },
  { name: "sign-in", path: "/sign-in", heading: "Sign in" },
  { name: "sign-up", path: "/sign-up", heading: "Create your account" },
  { name: "check-email", path: "/check-email", heading: "Check your email" },
  { name: "verify-email-invalid", path: `/verify-email?token=${"x".repeat(43)}`, heading: "Confirming your email" },
  { name: "forgot-password", path: "/forgot-password", heading: "Reset your password" },
  { name: "reset-password-invalid", path: `/reset-password?token=${"x".repeat(43)}`, heading: "Choose a new password" },
  { name: "unlock-account-invalid", path: `/unlock-account?token=${"x".repeat(43)}`, heading: "Unlock your account" },
  { name: "not-found", path: "/no/such/page", heading: "Page not found" },
];

const signedInPages = [
  { name: "dashboard", path: "/dashboard", heading: /^Good (morning|afternoon|evening)/ },
  { name: "profile", path: "/settings/profile", heading: "Profile" },
  { name: "password", path: "/settings/password", heading: "Change password" },
  { name: "sessions", path: "/settings/sessions", heading: "Active sessions" },
  { name: "activity", path: "/settings/activity", heading: "Security activity" },
  { name: "admin-users", path: "/admin/users", heading: "Users" },
  { name: "admin-events", path: "/admin/events", heading: "Events" },
];

describe.skipIf(!ready.postgres || !ready.redis || !ready.chromium)("web app pages in Chromium", () => {
  const suite = webStackForSuite({
    ADMIN_EMAILS: ADMIN_EMAIL,
    RATE_LIMIT_LOGIN: "3/60",
    ACCESS_TOKEN_TTL_SECONDS: "70",
  });
  const { open } = suite;

  it("shows the generic error for a wrong password, then the wait once the sign-in limit is reached", async () => {
    const email = "limited@example.test";
    await signUp(suite.web.stack, email);
    const { page, context } = await open();
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill(email);
    const passwordField = page.getByLabel("Password", { exact: true });
    for (let attempt = 1; attempt <= 3; attempt++) {
      await passwordField.fill(`not my password ${attempt}`);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      const error = page.locator("#sign-in-password-error");
      await error.waitFor();
      expect(await error.textContent()).toBe("The email or password is incorrect.");
      expect(await passwordField.getAttribute("aria-describedby")).toContain("sign-in-password-error");
      // Focus goes to the field with the error.
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("sign-in-password");
      await passwordField.fill("");
    }
    await screenshot(page, "sign-in-wrong-password");
    await passwordField.fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    const limited = page.getByTestId("form-error");
    await limited.waitFor();
    expect(await limited.textContent()).toMatch(/Too many sign-in attempts\. Try again in (\d+ seconds?|1 minute)\./);
    await screenshot(page, "sign-in-rate-limited");
    await context.close();
  });

  it("refreshes the access token through the cookie before it expires, without a reload", async () => {
    const { page, context } = await open();
    await signUpInBrowser(suite.web, page, "refresher@example.test", "Refresh Me");
    const refreshed = await page.waitForResponse((response) => response.url().includes("/trpc/auth.refresh"), {
      timeout: 30_000,
    });
    expect(refreshed.status()).toBe(200);
    expect(await refreshed.text()).toContain('"accessToken"');
    await page.getByRole("link", { name: "Sessions", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Active sessions" }).waitFor();
    await context.close();
  });

  it("checks sign-up input with the server's schemas and shows the password policy's reasons", async () => {
    const { page, context } = await open({ width: 375 });
    await page.goto("/sign-up");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.locator("#sign-up-email-error").waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("sign-up-email");
    await page.getByLabel("Email").fill("weak@example.test");
    const password = page.getByLabel("Password", { exact: true });
    await password.fill("password1234");
    await page
      .getByTestId("password-strength")
      .getByText(/Very weak|Weak/)
      .waitFor();
    await page.getByRole("button", { name: "Create account" }).click();
    const reason = page.locator("#sign-up-password-error");
    await reason.waitFor();
    expect(await reason.textContent()).toMatch(/too easy to guess/);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, "sign-up-weak-password-phone");

    // What was typed can be read back, and hidden again.
    expect(await password.getAttribute("type")).toBe("password");
    await page.getByRole("button", { name: "Show password" }).click();
    expect(await password.getAttribute("type")).toBe("text");
    await screenshot(page, "sign-up-password-shown-phone");
    await page.getByRole("button", { name: "Hide password" }).click();
    expect(await password.getAttribute("type")).toBe("password");

    // A long address on a phone: it wraps where it must, and stays out of the URL.
    const email = "margaret.hamilton.apollo.guidance@example.test";
    await page.getByLabel("Email").fill(email);
    await password.fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Check your email" }).waitFor();
    const shown = page.locator("strong", { hasText: email });
    await shown.waitFor();
    expect(page.url()).not.toContain("margaret");
    expect(await shown.evaluate((element) => getComputedStyle(element).wordBreak)).not.toBe("break-all");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, "check-email-phone");
    // A reload keeps it: it lives in the tab's history.
    await page.reload();
    await page.locator("strong", { hasText: email }).waitFor();
    await context.close();
  });

  for (const colorScheme of ["light", "dark"] as const) {
    it(`has no serious or critical axe violations on any page (${colorScheme} theme)`, async () => {
      const found: Record<string, string[]> = {};
      const { page, context } = await open({ colorScheme });
      // A signed-out visitor's console stays clean: no refused session refresh on every page.
      // (The verification and unlock pages spend their link on load, and a garbage one is refused.)
      const spendsTokenOnLoad = new Set(["verify-email-invalid", "unlock-account-invalid"]);
      let current = "";
      const noise: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error" && !spendsTokenOnLoad.has(current)) noise.push(`${current}: ${message.text()}`);
      });
      page.on("response", (response) => {
        if (response.status() >= 400 && !spendsTokenOnLoad.has(current)) {
          noise.push(`${current}: ${response.status()} ${response.url()}`);
        }
      });
      for (const { name, path, heading } of signedOutPages) {
        current = name;
        const response = await page.goto(path);
        // The CSP watch means something only while the pages are served with the policy.
        expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
        await page.getByRole("heading", { level: 1, name: heading }).waitFor();
        if (name.endsWith("-invalid")) await page.getByRole("alert").waitFor();
        expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(colorScheme);
        found[name] = await seriousViolations(page);
        await screenshot(page, `${name}-${colorScheme}`);
      }
      current = "not-found";
      // The 404 sits in the site's frame, with the way home and the theme toggle where they always are.
      await page.goto("/no/such/page");
      await page.getByRole("heading", { level: 1, name: "Page not found" }).waitFor();
      await page.getByTestId("theme-toggle").waitFor();
      await page.getByRole("contentinfo").waitFor();
      expect(noise).toEqual([]);
      current = "signed-in";

      const email = colorScheme === "light" ? ADMIN_EMAIL : "user@example.test";
      await signUpInBrowser(suite.web, page, email, "Margaret Hamilton");
      for (const { name, path, heading } of signedInPages) {
        if (name.startsWith("admin") && email !== ADMIN_EMAIL) {
          // Told plainly, in place, rather than sent elsewhere without a word.
          await page.goto(path);
          await page.getByRole("heading", { level: 1, name: "Admins only" }).waitFor();
          expect(new URL(page.url()).pathname).toBe(path);
          found[`${name}-not-admin`] = await seriousViolations(page);
          await screenshot(page, `${name}-not-admin-${colorScheme}`);
          continue;
        }
        await page.goto(path);
        await page.getByRole("heading", { level: 1, name: heading }).waitFor();
        await page.getByText("Loading…").waitFor({ state: "detached" });
        found[name] = await seriousViolations(page);
        await screenshot(page, `${name}-${colorScheme}`);
      }
      // Open dialogs and menus are pages too, as far as a screen reader is concerned.
      await page.goto("/settings/sessions");
      await page.getByRole("heading", { level: 1, name: "Active sessions" }).waitFor();
      await page.getByTestId("user-menu").click();
      await page.getByRole("menu").waitFor();
      found["user-menu"] = await seriousViolations(page);
      await page.keyboard.press("Escape");

      const toggledTo = colorScheme === "light" ? "dark" : "light";
      await page.getByTestId("theme-toggle").click();
      await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(toggledTo);
      found[`sessions-toggled-${toggledTo}`] = await seriousViolations(page);
      // The choice outlives a reload.
      await page.reload();
      await page.getByRole("heading", { level: 1, name: "Active sessions" }).waitFor();
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(toggledTo);

      expect(Object.fromEntries(Object.entries(found).filter(([, list]) => list.length > 0))).toEqual({});
      await context.close();
    });
  }

  it("lays the signed-in pages out for a 375 px wide phone", async () => {
    const { page, context } = await open({ width: 375, colorScheme: "dark" });
    await signUpInBrowser(suite.web, page, "phone@example.test", "Katherine Johnson");
    for (const { name, path, heading } of signedInPages.filter((p) => !p.name.startsWith("admin"))) {
      await page.goto(path);
      await page.getByRole("heading", { level: 1, name: heading }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(375);
      await screenshot(page, `${name}-phone`);
    }
    await page.getByRole("button", { name: "Open menu" }).click();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Profile" }).click();
    await page.getByRole("heading", { level: 1, name: "Profile" }).waitFor();
    // Keyboard users land on the new page's heading.
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("H1");
    await context.close();
  });
});
