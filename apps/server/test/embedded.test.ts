import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, launchChromium, type RunningProcess, repoRoot, services, startProcess } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The README's quick start: `pnpm start` on a clone, with nothing configured.
let app: RunningProcess;
let url: string;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "tidings-embedded-"));
  app = startProcess("pnpm", ["start"], {
    cwd: repoRoot,
    env: { PORT: String(await freePort()), TIDINGS_DATA_DIR: dataDir },
  });
  const [, found = ""] = await app.waitFor(/Tidings is running at (\S+) \(embedded mode\)/, 150_000);
  url = found;
});

afterAll(async () => {
  await app?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("pnpm start on embedded defaults", () => {
  it("runs the server built into apps/server/dist with node, not tsx", () => {
    // pnpm start runs in its own process group (startProcess); list the commands of that group.
    const commands = execFileSync("ps", ["-eo", "pgid=,args="], { encoding: "utf8" })
      .split("\n")
      .map((line) => line.trim().match(/^(\d+)\s+(.*)$/))
      .filter((match) => match?.[1] === String(app.child.pid))
      .map((match) => match?.[2] ?? "")
      .filter((command) => /^node\b/.test(command));
    expect(commands).toContainEqual(expect.stringMatching(/^node --enable-source-maps dist\/main\.js$/));
    expect(commands.filter((line) => line.includes("tsx"))).toEqual([]);
  });

  it("answers /healthz and /readyz with no Postgres, Redis or SMTP configured", async () => {
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: "ready",
      checks: { database: "ok", redis: "not configured" },
    });
  });

  it("serves the web app at / and on client-side routes", async () => {
    for (const path of ["/", "/some/page"]) {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/html");
      expect(await response.text()).toContain('<div id="root"></div>');
    }
    expect((await fetch(`${url}/missing.js`)).status).toBe(404);
  });

  it.skipIf(!services().chromium)("shows the health.ping answer in Chromium", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(url);
      const result = page.getByTestId("ping-result");
      await result.waitFor({ timeout: 15_000 });
      expect(await result.textContent()).toMatch(/Server says ok \(embedded mode\)/);
      const screenshots = join(repoRoot, "test-results", "screenshots");
      await mkdir(screenshots, { recursive: true });
      await page.screenshot({ path: join(screenshots, "embedded-home.png"), fullPage: true });
    } finally {
      await browser.close();
    }
  });

  it.skipIf(!services().chromium)(
    "shows an email sent in embedded mode in the dev mailbox, links clickable",
    async () => {
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        await page.goto(url);
        await page.getByRole("link", { name: "dev mailbox" }).click();
        await page.waitForURL(/\/dev\/mailbox$/);

        // Sent through the real pipeline: outbox row, relay, in-process queue, email processor, dev mailbox.
        await page.getByLabel("Send a test email to").fill("newcomer@example.test");
        await page.getByRole("button", { name: "Send" }).click();
        const item = page.getByTestId("mailbox-item").filter({ hasText: "newcomer@example.test" });
        await item.waitFor({ timeout: 20_000 });
        await item.click();

        const message = page.getByTestId("mailbox-message");
        await message.waitFor();
        expect(await message.textContent()).toContain("newcomer@example.test");
        const html = page.frameLocator('iframe[title="HTML part"]');
        // Links lead to the address the server printed (APP_URL unset), the origin this tab is on.
        const appLink = html.locator(`a[href="${url}/"]`).first();
        await appLink.waitFor();
        const textLink = page.getByTestId("mailbox-text").getByRole("link").first();
        expect(await textLink.getAttribute("href")).toBe(`${url}/`);

        const screenshots = join(repoRoot, "test-results", "screenshots");
        await mkdir(screenshots, { recursive: true });
        await page.screenshot({ path: join(screenshots, "dev-mailbox.png"), fullPage: true });

        // The email's button opens the app in a new tab, where the app runs (scripts not sandboxed).
        const [opened] = await Promise.all([page.context().waitForEvent("page"), appLink.click()]);
        await opened.waitForLoadState();
        expect(opened.url()).toBe(`${url}/`);
        await opened.getByTestId("ping-result").waitFor();
      } finally {
        await browser.close();
      }
    },
  );

  // Last: it ends the process. Ctrl-C in a terminal sends SIGINT to the whole foreground group.
  it("ends quietly on Ctrl-C: exit code 0, no pnpm ELIFECYCLE error", async () => {
    expect(await app.stop("SIGINT")).toBe(0);
    expect(app.output()).toContain("shut down cleanly");
    expect(app.output()).not.toMatch(/ELIFECYCLE|ERR_PNPM/);
  });
});
