import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type AuthStack, startAuthStack } from "@tidings/test-stack";
import { freePort, launchChromium, repoRoot, type SmtpSink } from "@tidings/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, inject } from "vitest";

export const PASSWORD = "correct horse battery staple 42";
export const screenshotDir = join(repoRoot, "test-results", "screenshots", "web");

export interface WebStack {
  stack: AuthStack;
  /** The origin the browser uses; the server's APP_URL, so CORS, Origin and cookie rules hold. */
  url: string;
  browser: Browser;
  smtp: SmtpSink;
  stop(): Promise<void>;
}

/**
 * One production-mode server (Postgres, Redis, worker, SMTP sink) serving the web app built for
 * this run, and one Chromium; each test opens its own contexts.
 */
export async function startWebStack(
  env: Record<string, string> = {},
  /** `localhost` where the browser needs a domain, not an address (WebAuthn's RP ID). */
  options: { host?: "127.0.0.1" | "localhost" } = {},
): Promise<WebStack> {
  const port = await freePort();
  const url = `http://${options.host ?? "127.0.0.1"}:${port}`;
  const [stack, browser] = await Promise.all([
    startAuthStack({
      env: { NODE_ENV: "production", PORT: String(port), APP_URL: url, WEB_DIST_DIR: inject("webDistDir"), ...env },
    }),
    launchChromium(),
  ]);
  await mkdir(join(screenshotDir, "failures"), { recursive: true });
  return {
    stack,
    url,
    browser,
    smtp: stack.smtp,
    stop: async () => {
      await browser.close();
      await stack.stop();
    },
  };
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Content Security Policy violations reported in this page so far. */
  cspViolations: string[];
}

/** A fresh browser context (its own cookies and storage) with a page whose CSP reports are collected. */
export async function openPage(
  web: WebStack,
  options: { colorScheme?: "light" | "dark"; width?: number; userAgent?: string } = {},
) {
  const context = await web.browser.newContext({
    baseURL: web.url,
    colorScheme: options.colorScheme ?? "light",
    viewport: { width: options.width ?? 1280, height: 900 },
    ...(options.userAgent ? { userAgent: options.userAgent } : {}),
  });
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  return { page, context, cspViolations } satisfies WatchedPage;
}

/**
 * A web stack for the enclosing describe block: started before its tests and stopped after them,
 * with a screenshot of every open page when a test fails. No page may report a CSP violation.
 */
export function webStackForSuite(env: Record<string, string> = {}, options: Parameters<typeof startWebStack>[1] = {}) {
  let web: WebStack | undefined;
  const opened: WatchedPage[] = [];
  const suite = {
    get web(): WebStack {
      if (!web) throw new Error("The web stack has not started yet.");
      return web;
    },
    /** A fresh watched page on the stack, screenshotted and checked for CSP violations with the rest. */
    async open(options?: Parameters<typeof openPage>[1]) {
      const watched = await openPage(suite.web, options);
      opened.push(watched);
      return watched;
    },
  };

  beforeAll(async () => {
    web = await startWebStack(env, options);
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === "fail") await screenshotOpenPages(opened, task.name);
  });

  afterAll(async () => {
    // CSP must allow everything the app does: no page may have reported a violation.
    const violations = opened.flatMap((watched) => watched.cspViolations);
    await web?.stop();
    expect(violations).toEqual([]);
  });

  return suite;
}

/** The newest link to `path` in an email to `to`, as the recipient would click it. */
export async function linkFromEmail(smtp: SmtpSink, to: string, path: string): Promise<string> {
  const pattern = new RegExp(`https?://[^\\s"<>]+${path}\\?token=[A-Za-z0-9_%-]+`);
  let link = "";
  await expect
    .poll(
      () => {
        const mail = smtp.accepted.filter((message) => message.to === to && pattern.test(message.text)).at(-1);
        link = mail?.text.match(pattern)?.[0] ?? "";
        return link;
      },
      { timeout: 30_000 },
    )
    .not.toBe("");
  return link;
}

/** Signs up through the pages and the emailed link; ends signed in on the dashboard. */
export async function signUpInBrowser(web: WebStack, page: Page, email: string, name = "Ada Lovelace") {
  await page.goto("/sign-up");
  await page.getByLabel("Your name (optional)").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Check your email" }).waitFor();
  const link = await linkFromEmail(web.smtp, email, "/verify-email");
  await page.goto(link);
  await page.waitForURL(/\/dashboard/);
  // The URL changes before the lazily loaded dashboard replaces the verification page's heading.
  await page.getByRole("heading", { level: 1, name: "Confirming your email" }).waitFor({ state: "detached" });
  await page.getByRole("heading", { level: 1 }).waitFor();
}

/** Signs in through the sign-in page. */
export async function signInInBrowser(page: Page, email: string, password = PASSWORD) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(/\/dashboard/);
}

/**
 * Keeps doing something a signed-in user would (opening a settings page) until the tab lands on
 * the sign-in page. Revocation reaches every server within about a second, so the first action may
 * still pass.
 */
export async function actUntilSignedOut(page: Page) {
  const pages = ["Security activity", "Sessions"];
  for (let attempt = 0; attempt < 20; attempt++) {
    if (/\/sign-in/.test(page.url())) break;
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: pages[attempt % 2] ?? "Sessions", exact: true })
      .click({ timeout: 5_000 })
      .catch(() => {});
    await page.waitForURL(/\/sign-in/, { timeout: 1_500 }).catch(() => {});
  }
  await page.waitForURL(/\/sign-in/);
}

export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

/** What each still-open page showed when a test failed, for the person reading the failure. */
export async function screenshotOpenPages(pages: WatchedPage[], testName: string) {
  const slug = testName.replace(/[^a-z0-9]+/gi, "-").slice(0, 60);
  for (const [index, { page }] of pages.entries()) {
    if (page.isClosed()) continue;
    await page
      .screenshot({ path: join(screenshotDir, "failures", `${slug}-${index}.png`), fullPage: true })
      .catch(() => {});
  }
}

const axeSource: string = createRequire(import.meta.url)("axe-core").source;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical findings on the page as it is now (one helper for every browser test). */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Colours still fading after a theme switch or a hover read as low contrast: let finite
  // transitions finish first (an endless spinner is not waited for).
  await page.evaluate(() =>
    Promise.race([
      Promise.allSettled(
        document
          .getAnimations()
          .filter((animation) => animation.effect?.getTiming().iterations !== Number.POSITIVE_INFINITY)
          .map((animation) => animation.finished),
      ),
      new Promise((resolve) => setTimeout(resolve, 2_000)),
    ]),
  );
  // evaluate() runs outside the page's CSP, which forbids the inline script addScriptTag would add.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<unknown> } }).axe;
    const result = (await axe.run(document, { resultTypes: ["violations"] })) as { violations: AxeViolation[] };
    return result.violations;
  });
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((node) => node.target.join(" ")).join(", ")}`);
}
