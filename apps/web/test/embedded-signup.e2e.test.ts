import { join } from "node:path";
import { type StartedServer, startServer } from "@tidings/test-stack";
import { freePort, launchChromium, services } from "@tidings/testing";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { PASSWORD, screenshotDir } from "./web-stack.ts";

// Embedded mode (PGlite, in-process queues, no SMTP): the dev mailbox is where a new user finds
// the verification link, and the app must lead them there.
let server: StartedServer;
let browser: Browser;
let url: string;

describe.skipIf(!services().chromium)("signing up in embedded mode", () => {
  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    [server, browser] = await Promise.all([
      startServer({ PORT: String(port), APP_URL: url, WEB_DIST_DIR: inject("webDistDir") }),
      launchChromium(),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("links to the dev mailbox, whose verification link signs the new user in", async () => {
    const context = await browser.newContext({ baseURL: url });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    await page.goto("/sign-up");
    await page.getByLabel("Email").fill("newcomer@example.test");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Check your email" }).waitFor();
    await page.screenshot({ path: join(screenshotDir, "check-email-embedded.png"), fullPage: true });

    await page.getByRole("link", { name: "dev mailbox" }).click();
    await page.getByRole("heading", { name: "Dev mailbox" }).waitFor();
    const item = page.getByTestId("mailbox-item").filter({ hasText: "newcomer@example.test" });
    await item.first().click({ timeout: 30_000 });
    const link = page.getByTestId("mailbox-text").getByRole("link", { name: /\/verify-email\?token=/ });
    await link.click();
    await page.waitForURL(/\/dashboard/);
    await page.getByText("Your email is confirmed and you are signed in").waitFor();
    expect(cspViolations).toEqual([]);
    await context.close();
  });
});
