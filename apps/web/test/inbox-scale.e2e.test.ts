import { mkdir, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { type SeedThread, seedMailThreads } from "@tidings/test-stack";
import { repoRoot, services } from "@tidings/testing";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshot, seriousViolations, signInInBrowser, signUpInBrowser, webStackForSuite } from "./web-stack.ts";

// Issue #17 must-hold 6 and #18's marks in the list, in Chromium against a production-mode server:
// 5 000 threads (stored straight into the database, as a finished sync leaves them) scroll to the
// end with the wheel with a bounded DOM, and the long tasks seen meanwhile are reported (never
// asserted: this machine is shared); `from:` with a body word finds the one right thread; the AI
// marks show their reasons and take a correction that the server keeps.

const ready = services();
const EMAIL = "scale-user@example.test";
const THREADS = 5_000;
const report = join(repoRoot, "test-results", "inbox-scale-longtasks.json");

const senders = ["Alice Adams", "Bruno Braga", "Chen Wei", "Dara Doyle", "Emil Egger", "Femi Fola"];
const categories = ["work", "personal", "newsletter", "notification", "transactional"];
const priorities = ["high", "normal", "low"] as const;

/** Thread i is i minutes old; every 10th has an analysis, every 20th of those says it needs a reply. */
function seedThreads(): SeedThread[] {
  const now = Date.now();
  const threads: SeedThread[] = Array.from({ length: THREADS }, (_, index) => {
    const name = senders[index % senders.length] ?? "Someone";
    return {
      subject: `Seeded thread ${String(index).padStart(4, "0")}`,
      from: { name, email: `${name.split(" ")[0]?.toLowerCase()}@example.test` },
      text: `Notes number ${index} about the quarterly plan and other ordinary things.`,
      date: new Date(now - index * 60_000),
      seen: index % 3 !== 0,
      ...(index % 10 === 0
        ? {
            analysis: {
              priority: priorities[(index / 10) % 3] ?? "normal",
              category: categories[(index / 10) % categories.length] ?? "work",
              needsReply: index % 20 === 0,
              reasons: ["Sent to you directly", `You often answer ${name}`],
            },
          }
        : {}),
    };
  });
  // The search must find exactly this one: Grace's and the body word together (each alone is elsewhere).
  threads[2_345] = {
    subject: "Ships and harbours",
    from: { name: "Grace Hopper", email: "grace@navy.test" },
    text: "The compiler finally runs on the new machine.",
    date: new Date(now - 2_345 * 60_000),
  };
  threads[2_346] = {
    subject: "Coffee",
    from: { name: "Grace Hopper", email: "grace@navy.test" },
    text: "Coffee at ten?",
    date: new Date(now - 2_346 * 60_000),
  };
  threads[2_347] = {
    subject: "Build notes",
    from: { name: "Alan Turing", email: "alan@example.test" },
    text: "Our compiler needs a new back end.",
    date: new Date(now - 2_347 * 60_000),
  };
  return threads;
}

interface ScrollStep {
  rendered: number;
  ids: string[];
  atEnd: boolean;
}

/** The rows in the page now, and whether the list has reached its last row. */
function sampleRows(page: Page): Promise<ScrollStep> {
  return page.evaluate(
    () =>
      new Promise<ScrollStep>((resolve) =>
        // Two frames: the wheel's scroll and the virtualizer's render have both happened.
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            const rows = [...document.querySelectorAll<HTMLElement>('[data-testid="thread-list"] > li')];
            const scroller = document.querySelector<HTMLElement>('[data-testid="thread-scroller"]');
            resolve({
              rendered: rows.length,
              ids: rows.map((row) => row.dataset.threadId ?? ""),
              atEnd: Boolean(
                scroller &&
                  scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 2 &&
                  rows.some((row) => row.getAttribute("aria-setsize") !== "-1"),
              ),
            });
          }),
        ),
      ),
  );
}

describe.skipIf(!ready.postgres || !ready.redis || !ready.chromium)("the inbox with 5 000 threads in Chromium", () => {
  const suite = webStackForSuite();

  // Signing up waits on the emailed link (expect.poll), which only a test may do: the first test to
  // run seeds, the others reuse it.
  let seeding: Promise<string> | undefined;
  const seeded = () => {
    seeding ??= (async () => {
      const { page, context } = await suite.open();
      await signUpInBrowser(suite.web, page, EMAIL, "Scale Tester");
      await context.close();
      const result = await seedMailThreads(suite.web.stack.testDb.handle.db, {
        user: { email: EMAIL },
        email: "scale@mailbox.test",
        threads: seedThreads(),
      });
      // The newest thread with a high priority analysis (thread 0 is analysed "high").
      return result.threads[0]?.threadId ?? "";
    })();
    return seeding;
  };

  const row = (page: Page, subject: string) => page.getByTestId("thread-list").locator("li", { hasText: subject });

  it("scrolls all 5 000 threads with the wheel, keeps the DOM bounded, and reports the long tasks", async () => {
    await seeded();
    const { page, context } = await suite.open();
    // Long tasks from the first paint on, collected in the page (the observer outlives navigation).
    await page.addInitScript(() => {
      const seen: { start: number; duration: number }[] = [];
      (window as unknown as { __longTasks: typeof seen }).__longTasks = seen;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) seen.push({ start: entry.startTime, duration: entry.duration });
      }).observe({ type: "longtask", buffered: true });
    });
    await signInInBrowser(page, EMAIL);
    await page.goto("/mail");
    await row(page, "Seeded thread 0000").waitFor({ timeout: 30_000 });
    const scrollStart = await page.evaluate(() => performance.now());

    const scroller = page.getByTestId("thread-scroller");
    const box = await scroller.boundingBox();
    if (!box) throw new Error("the thread list is not on screen");
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    // Less than the rows rendered beyond the visible ones on either side, so no row is jumped over.
    const step = Math.round(box.height * 1.2);
    const seen = new Set<string>();
    let maxRendered = 0;
    let steps = 0;
    for (let sample = await sampleRows(page); ; sample = await sampleRows(page)) {
      for (const id of sample.ids) seen.add(id);
      maxRendered = Math.max(maxRendered, sample.rendered);
      if (sample.atEnd) break;
      if (steps > THREADS) throw new Error(`stuck after ${steps} wheel steps with ${seen.size} threads seen`);
      await page.mouse.wheel(0, step);
      steps += 1;
    }
    const scrollEnd = await page.evaluate(() => performance.now());
    const longTasks = (
      await page.evaluate(
        () => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks,
      )
    ).filter((task) => task.start >= scrollStart);
    const durations = longTasks.map((task) => Math.round(task.duration)).sort((a, b) => a - b);
    const measured = {
      // The machine's load while measuring: long tasks grow with it (2 cores shared by several runs).
      loadAverage1m: loadavg()[0],
      threads: THREADS,
      wheelSteps: steps,
      scrollMs: Math.round(scrollEnd - scrollStart),
      maxRowsInDom: maxRendered,
      longTasks: durations.length,
      longTaskMsTotal: durations.reduce((sum, value) => sum + value, 0),
      longTaskMsMax: durations.at(-1) ?? 0,
      longTaskMsP50: durations[Math.floor(durations.length / 2)] ?? 0,
      blockedShareOfScroll: Number(
        (durations.reduce((sum, value) => sum + value, 0) / Math.max(1, scrollEnd - scrollStart)).toFixed(3),
      ),
      durationsMs: durations,
    };
    await mkdir(join(repoRoot, "test-results"), { recursive: true });
    await writeFile(report, `${JSON.stringify(measured, null, 2)}\n`);
    process.stdout.write(`inbox scale: ${JSON.stringify({ ...measured, durationsMs: undefined })}\n`);

    expect(seen.size).toBe(THREADS);
    expect(maxRendered).toBeLessThan(200);
    await page.getByText(`${THREADS.toLocaleString("en-US")} conversations · that is all`).waitFor();
    await row(page, "Seeded thread 4999").waitFor();

    // The keyboard reaches rows that left the DOM long ago: j moves the cursor to the second row.
    await page.keyboard.press("j");
    await page.locator('[data-testid="thread-list"] > li[data-cursor]', { hasText: "Seeded thread 0001" }).waitFor();
    await context.close();
  }, 300_000);

  it("finds the one thread from Grace with the word compiler through the search box", async () => {
    await seeded();
    const { page, context } = await suite.open();
    await signInInBrowser(page, EMAIL);
    await page.goto("/mail");
    await row(page, "Seeded thread 0000").waitFor();
    await page.keyboard.press("/");
    await page.getByRole("combobox", { name: "Search mail" }).fill("from:grace compiler");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Search: from:grace compiler" }).waitFor();
    await row(page, "Ships and harbours").waitFor();
    await row(page, "Seeded thread 0000").waitFor({ state: "detached" });
    expect(await page.getByTestId("thread-list").locator("li").allInnerTexts()).toHaveLength(1);
    await context.close();
  });

  it("shows the AI marks with their reasons, takes a correction at once and keeps it; axe clean light and dark", async () => {
    const highThread = await seeded();
    const { page, context } = await suite.open({ colorScheme: "light" });
    await signInInBrowser(page, EMAIL);
    await page.goto("/mail");
    await page.getByRole("navigation", { name: "Folders" }).getByRole("link", { name: "Priority inbox" }).click();
    await page.getByRole("heading", { level: 1, name: "Priority inbox" }).waitFor();
    const first = page.locator(`[data-thread-id="${highThread}"]`);
    await first.waitFor();
    // The priority view puts high priority first.
    expect(await page.locator('[data-testid="thread-list"] > li[data-index="0"]').getAttribute("data-thread-id")).toBe(
      highThread,
    );

    // Why: the reasons show on hover (and on focus, for the keyboard).
    await first.getByRole("button", { name: /^High priority\s*Needs reply\s*Work\s*\(why\?\)$/ }).hover();
    const reasons = page.getByTestId("ai-reasons");
    await reasons.getByText("You often answer Alice Adams").waitFor();
    await screenshot(page, "mail-ai-marks-reasons-light");
    const found: Record<string, string[]> = { "reasons-light": await seriousViolations(page) };
    await page.mouse.move(0, 0, { steps: 4 });
    await reasons.waitFor({ state: "detached" });

    // Correct this (in the newest-first inbox, where the thread stays on top whatever its priority):
    // the marks change before the server answers, and stay after a reload.
    await page.goto("/mail");
    await first.waitFor();
    await first.getByRole("button", { name: /Correct the marks of/ }).click();
    await page.getByRole("menu").waitFor();
    found["correct-menu-light"] = await seriousViolations(page);
    await screenshot(page, "mail-ai-correct-menu-light");
    await page.getByRole("menuitemradio", { name: "Low" }).click();
    await first.getByText("Low priority").waitFor();
    expect(await first.getByText("High priority").count()).toBe(0);
    await page.getByTestId("toast").filter({ hasText: "Corrected" }).waitFor();
    await page.reload();
    await page.locator(`[data-thread-id="${highThread}"]`).getByText("Low priority").waitFor();
    await page
      .locator(`[data-thread-id="${highThread}"]`)
      .getByRole("button", { name: /\(why\?\)$/ })
      .focus();
    await reasons.getByText("You marked this low priority").waitFor();

    // The needs-reply filter lists only threads the AI says need a reply.
    await page.getByRole("button", { name: "Needs reply", exact: true, pressed: false }).click();
    await page.getByRole("button", { name: "Needs reply", exact: true, pressed: true }).waitFor();
    await row(page, "Seeded thread 0020").waitFor();
    await row(page, "Seeded thread 0010").waitFor({ state: "detached" });

    for (const colorScheme of ["light", "dark"] as const) {
      if (colorScheme === "dark") await page.getByTestId("theme-toggle").click();
      await expect
        .poll(() => page.evaluate(() => document.documentElement.dataset.theme), { timeout: 10_000 })
        .toBe(colorScheme);
      await page.goto("/mail?role=inbox&sort=priority");
      await page.locator('[data-testid="thread-list"] [data-testid="ai-marks"]').first().waitFor();
      found[`priority-inbox-${colorScheme}`] = await seriousViolations(page);
      await screenshot(page, `mail-priority-inbox-${colorScheme}`);
    }
    await context.close();

    const phone = await suite.open({ width: 390, colorScheme: "dark" });
    await signInInBrowser(phone.page, EMAIL);
    await phone.page.goto("/mail");
    await phone.page.locator('[data-testid="thread-list"] [data-testid="ai-marks"]').first().waitFor();
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // Picking rows for a bulk action: by tap, and with x on the cursor row.
    await phone.page.getByRole("checkbox", { name: /Select “Seeded thread 0001”/ }).check();
    const bulkBar = phone.page.getByRole("toolbar", { name: "Selected conversations" });
    await bulkBar.getByText("1 selected").waitFor();
    await phone.page.keyboard.press("j");
    await phone.page.keyboard.press("x");
    await bulkBar.getByText("2 selected").waitFor();
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(
      await phone.page
        .getByRole("combobox", { name: "Search mail" })
        .evaluate((box) => box.getBoundingClientRect().right),
    ).toBeLessThanOrEqual(390);
    found["phone-dark"] = await seriousViolations(phone.page);
    await screenshot(phone.page, "mail-inbox-marks-phone");
    await bulkBar.getByRole("button", { name: "Archive" }).click();
    await phone.page.getByTestId("toast").filter({ hasText: "2 conversations archived" }).waitFor();
    await row(phone.page, "Seeded thread 0001").waitFor({ state: "detached" });
    await row(phone.page, "Seeded thread 0002").waitFor({ state: "detached" });
    await row(phone.page, "Seeded thread 0003").waitFor();
    await phone.context.close();
    expect(Object.fromEntries(Object.entries(found).filter(([, list]) => list.length > 0))).toEqual({});
  });

  it("picks a range with Shift+click, all loaded with the header box (mixed between), clears with Esc, and archives the range", async () => {
    await seeded();
    const { page, context } = await suite.open();
    await signInInBrowser(page, EMAIL);
    await page.goto("/mail");
    await row(page, "Seeded thread 0008").waitFor();
    const box = (subject: string) => page.getByRole("checkbox", { name: `Select “${subject}”` });
    const bulkBar = page.getByRole("toolbar", { name: "Selected conversations" });
    const all = bulkBar.getByRole("checkbox", { name: "Select all loaded conversations" });
    const range = ["0004", "0005", "0006", "0007", "0008"].map((number) => `Seeded thread ${number}`);

    await box("Seeded thread 0004").check();
    await box("Seeded thread 0008").click({ modifiers: ["Shift"] });
    await bulkBar.getByText("5 selected").waitFor();
    for (const subject of range) expect(await box(subject).isChecked(), subject).toBe(true);
    expect(await box("Seeded thread 0003").isChecked()).toBe(false);
    expect(await box("Seeded thread 0009").isChecked()).toBe(false);
    // Partly picked: the header box says "mixed", to the eye and to assistive technology.
    expect(await all.getAttribute("aria-checked")).toBe("mixed");
    expect(await all.evaluate((element) => (element as HTMLInputElement).indeterminate)).toBe(true);

    // All loaded (not all 5 000: more pages are still to load), then none.
    await all.click();
    const loaded = await page.evaluate(() =>
      document.querySelector('[data-testid="thread-list"] > li')?.getAttribute("aria-setsize"),
    );
    expect(loaded).toBe("-1");
    await bulkBar.getByText(/^(\d+) selected$/).waitFor();
    const count = Number((await bulkBar.getByText(/ selected$/).textContent())?.split(" ")[0]);
    expect(count).toBeGreaterThanOrEqual(100);
    expect(count).toBeLessThan(5_000);
    expect(await all.getAttribute("aria-checked")).toBe("true");
    await all.click();
    await bulkBar.waitFor({ state: "detached" });

    // The keyboard walks a range (Shift+j from the row picked), and Esc clears the selection.
    await box("Seeded thread 0004").check();
    await bulkBar.getByText("1 selected").waitFor();
    await page.keyboard.press("Shift+J");
    await page.keyboard.press("Shift+J");
    await bulkBar.getByText("3 selected").waitFor();
    expect(await box("Seeded thread 0006").isChecked()).toBe(true);
    await page.keyboard.press("Escape");
    await bulkBar.waitFor({ state: "detached" });
    await box("Seeded thread 0004").check();
    await box("Seeded thread 0008").click({ modifiers: ["Shift"] });
    await bulkBar.getByText("5 selected").waitFor();
    await bulkBar.getByRole("button", { name: "Archive" }).click();
    await page.getByTestId("toast").filter({ hasText: "5 conversations archived" }).waitFor();
    for (const subject of range) await row(page, subject).waitFor({ state: "detached" });
    await row(page, "Seeded thread 0009").waitFor();

    // The server has them in Archive.
    await page.goto("/mail?role=archive");
    for (const subject of range) await row(page, subject).waitFor();
    await context.close();
  });
});
