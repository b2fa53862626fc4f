import { randomBytes } from "node:crypto";
import {
  type AuthStack,
  bearer,
  type ForwardedEvent,
  type SseSplitProxy,
  signUp,
  startAuthStack,
  startSseSplitProxy,
  trpcCall,
} from "@tidings/test-stack";
import {
  launchChromium,
  type SmtpSink,
  services,
  startDovecot,
  startSmtpSink,
  type TestDovecot,
  watchForListItem,
} from "@tidings/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { screenshot, screenshotOpenPages, signInInBrowser, type WatchedPage } from "./web-stack.ts";

// Issue #17, must-hold 3, in Chromium: two production-mode server processes and one worker behind
// a loopback proxy that sends the live connection (mail.events over SSE) to server 1 and every other
// request to server 2, so the worker's event reaches the browser only through Redis. New mail shows
// in the open list without a reload; after the live connection is cut and refused for a while, the
// EventSource reconnects with its last event id and every message that arrived meanwhile shows,
// once. Times are measured in the page (a MutationObserver) and reported, not asserted beyond 2 s.

const ready = services();
const MAILBOX_PASSWORD = `mailbox-${randomBytes(6).toString("hex")}`;
const EMAIL = "live-user@example.test";
const LIST = '[data-testid="thread-list"]';

function raw(subject: string): string {
  const id = `${randomBytes(6).toString("hex")}@sender.test`;
  return (
    `From: Bob <bob@example.test>\r\nTo: ada@mailbox.test\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\n` +
    `Date: ${new Date().toUTCString()}\r\n\r\nAbout ${subject}.\r\n`
  );
}

/** A message dated `date`, so a list's order is known. */
function rawAt(subject: string, date: Date): string {
  return raw(subject).replace(/^Date: .*$/m, `Date: ${date.toUTCString()}`);
}

/** The mail event a forwarded SSE message carried (tRPC sends it superjson-encoded). */
function mailEvent(forwarded: ForwardedEvent): { type?: string; messageId?: string } {
  const parsed = JSON.parse(forwarded.data) as { json?: { type?: string; messageId?: string } };
  return parsed.json ?? {};
}

/** Redis stream ids (`ms-seq`) in order. */
function compareIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split("-").map(Number);
  const [bMs = 0, bSeq = 0] = b.split("-").map(Number);
  return aMs - bMs || aSeq - bSeq;
}

describe.skipIf(!ready.postgres || !ready.redis || !ready.chromium || !ready.dovecot)(
  "live mail in Chromium with two server processes behind the browser",
  () => {
    let proxy: SseSplitProxy;
    let stack: AuthStack;
    let browser: Browser;
    let dovecot: TestDovecot;
    let mailboxSmtp: SmtpSink;
    const opened: WatchedPage[] = [];

    beforeAll(async () => {
      proxy = await startSseSplitProxy();
      [stack, browser, dovecot, mailboxSmtp] = await Promise.all([
        startAuthStack({
          serverCount: 2,
          env: {
            NODE_ENV: "production",
            APP_URL: proxy.url,
            WEB_DIST_DIR: inject("webDistDir"),
            MAIL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1",
          },
        }),
        launchChromium(),
        startDovecot({ users: { ada: MAILBOX_PASSWORD, ben: MAILBOX_PASSWORD } }),
        startSmtpSink({ users: { ada: MAILBOX_PASSWORD, ben: MAILBOX_PASSWORD } }),
      ]);
      const [events, rest] = stack.servers;
      proxy.route({ events: events?.url ?? "", rest: rest?.url ?? "" });
      await dovecot.append("ada", "INBOX", raw("Before the tab opened"));
    });

    afterEach(async ({ task }) => {
      if (task.result?.state === "fail") await screenshotOpenPages(opened, task.name);
    });
    afterAll(async () => {
      await browser?.close();
      await proxy?.close();
      await Promise.all([stack?.stop(), dovecot?.close(), mailboxSmtp?.close()]);
    });

    it("shows appended mail without a reload, through Redis, and misses or doubles nothing across a cut connection", async ({
      annotate,
    }) => {
      const restUrl = stack.servers[1]?.url ?? "";
      const token = (await signUp(stack, EMAIL)).accessToken;
      const side = {
        host: "127.0.0.1",
        port: dovecot.port,
        security: "none",
        username: "ada",
        password: MAILBOX_PASSWORD,
      };
      const added = await trpcCall(
        restUrl,
        "mutation",
        "mailAccount.add",
        { email: "ada@mailbox.test", imap: side, smtp: { ...side, port: Number(new URL(mailboxSmtp.url).port) } },
        bearer(token),
      );
      expect(added.error).toBeUndefined();
      const storedCount = async () =>
        (
          await trpcCall<{ status: string; messageCount: number }[]>(
            restUrl,
            "query",
            "mailAccount.list",
            undefined,
            bearer(token),
          )
        ).data?.[0];
      await vi.waitFor(async () => expect(await storedCount()).toMatchObject({ status: "ready", messageCount: 1 }), {
        timeout: 30_000,
        interval: 200,
      });

      const context = await browser.newContext({ baseURL: proxy.url, viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const cspViolations: string[] = [];
      page.on("console", (message) => {
        if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
      });
      opened.push({ page, context, cspViolations });
      await signInInBrowser(page, EMAIL);
      await page.goto("/mail");
      await row(page, "Before the tab opened").waitFor();
      // The live connection is open on server 1 (tRPC's "connected" event went through the proxy).
      await vi.waitFor(() => expect(proxy.events.some((event) => event.name === "connected")).toBe(true), {
        timeout: 15_000,
      });
      await page.evaluate(() => {
        (window as unknown as { sameDocument: boolean }).sameDocument = true;
      });

      // Connected: each append shows in the open list.
      const connectedMs: number[] = [];
      for (const subject of ["Live one", "Live two", "Live three"]) {
        connectedMs.push(await appendAndTime(page, dovecot, subject, 15_000));
      }

      // Cut once the stream is quiet (the sync's count and thread events have gone by), so the last
      // id the proxy passed on is the last one the browser has: both sides of the live connection
      // drop and the proxy refuses it; mail arrives meanwhile.
      await untilQuiet(proxy, 1_000);
      const lastSeenId = proxy.events.filter((event) => event.id).at(-1)?.id ?? "";
      expect(lastSeenId).not.toBe("");
      const connectionsBeforeCut = proxy.sseRequests.filter((request) => request.forwarded).length;
      proxy.cut();
      const missed = ["While cut one", "While cut two", "While cut three"];
      for (const subject of missed) await dovecot.append("ada", "INBOX", raw(subject));
      // The worker stored them (and so published their events) while the browser could not listen,
      // and the browser tried to reconnect and was refused.
      await vi.waitFor(async () => expect(await storedCount()).toMatchObject({ messageCount: 7 }), {
        timeout: 30_000,
        interval: 200,
      });
      await vi.waitFor(() => expect(proxy.sseRequests.some((request) => !request.forwarded)).toBe(true), {
        timeout: 20_000,
      });
      const watchers = await Promise.all(missed.map((subject) => watchForListItem(page, LIST, subject)));
      const restoredAt = Date.now();
      proxy.restore();
      const shownAt = await Promise.all(watchers.map((visible) => visible(30_000)));
      const afterRestoreMs = shownAt.map((at) => Math.max(0, at - restoredAt));

      // The reconnect went to server 1 with the last id the browser had, and replayed exactly what
      // it missed: one message.new per message appended while cut, no id twice, none from before.
      const resumed = proxy.sseRequests.filter((request) => request.forwarded).slice(connectionsBeforeCut);
      expect(resumed[0]?.lastEventId).toBe(lastSeenId);
      const afterCut = proxy.events.filter((event) => event.id && event.connection >= connectionsBeforeCut);
      expect(afterCut.every((event) => compareIds(event.id, lastSeenId) > 0)).toBe(true);
      const allIds = proxy.events.filter((event) => event.id).map((event) => event.id);
      expect(new Set(allIds).size).toBe(allIds.length);
      const replayedNew = afterCut.map(mailEvent).filter((event) => event.type === "message.new");
      expect(replayedNew).toHaveLength(missed.length);
      expect(new Set(replayedNew.map((event) => event.messageId)).size).toBe(missed.length);

      // Still live after the reconnect.
      connectedMs.push(await appendAndTime(page, dovecot, "Live after the cut", 15_000));

      // Every message shows once, and the page never reloaded.
      for (const subject of ["Before the tab opened", "Live one", "Live two", "Live three", ...missed]) {
        expect(await row(page, subject).count(), subject).toBe(1);
      }
      expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
      // The split held: server 2 never saw the live connection, server 1 saw nothing else.
      expect(proxy.forwardedPaths.rest).not.toContain("/trpc/mail.events");
      expect(new Set(proxy.forwardedPaths.events)).toEqual(new Set(["/trpc/mail.events"]));
      await screenshot(page, "mail-inbox-live-after-cut");

      // Reported, not asserted (beyond 2 s while connected): shown in the run's output and JSON report.
      const measured =
        `append -> row visible while connected: ${connectedMs.join(", ")} ms; ` +
        `restore -> missed rows visible: ${afterRestoreMs.join(", ")} ms`;
      process.stdout.write(`inbox-live: ${measured}\n`);
      await annotate(measured, "measured");
      // Must-hold 3: within 2 s while connected.
      expect(Math.max(...connectedMs)).toBeLessThan(2_000);
      expect(cspViolations).toEqual([]);
      await context.close();
    });

    it("patches a list scrolled five pages deep from one appended message with one or two small requests, once", async () => {
      const restUrl = stack.servers[1]?.url ?? "";
      // 450 threads, one minute apart (the list's pages hold 100): delivered as files, synced at once.
      const start = Date.now() - 60 * 60_000;
      const old = (index: number) => `Deep ${String(index).padStart(3, "0")}`;
      await dovecot.deliverToInbox(
        "ben",
        Array.from({ length: 450 }, (_, index) => rawAt(old(index), new Date(start - index * 60_000))),
      );
      const token = (await signUp(stack, "deep-user@example.test")).accessToken;
      const side = {
        host: "127.0.0.1",
        port: dovecot.port,
        security: "none",
        username: "ben",
        password: MAILBOX_PASSWORD,
      };
      const added = await trpcCall(
        restUrl,
        "mutation",
        "mailAccount.add",
        { email: "ben@mailbox.test", imap: side, smtp: { ...side, port: Number(new URL(mailboxSmtp.url).port) } },
        bearer(token),
      );
      expect(added.error).toBeUndefined();
      await vi.waitFor(
        async () =>
          expect(
            (
              await trpcCall<{ status: string; messageCount: number }[]>(
                restUrl,
                "query",
                "mailAccount.list",
                undefined,
                bearer(token),
              )
            ).data?.[0],
          ).toMatchObject({ status: "ready", messageCount: 450 }),
        { timeout: 60_000, interval: 250 },
      );

      const context = await browser.newContext({ baseURL: proxy.url, viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      opened.push({ page, context, cspViolations: [] });
      await signInInBrowser(page, "deep-user@example.test");
      const connections = proxy.sseRequests.filter((request) => request.forwarded).length;
      await page.goto("/mail");
      await row(page, old(0)).waitFor();
      await vi.waitFor(
        () => expect(proxy.sseRequests.filter((request) => request.forwarded).length).toBeGreaterThan(connections),
        {
          timeout: 15_000,
        },
      );
      // Scrolled to the end: every page loaded (5), the last row drawn.
      const scroller = page.getByTestId("thread-scroller");
      await vi.waitFor(
        async () => {
          await scroller.evaluate((element) => {
            element.scrollTop = element.scrollHeight;
          });
          await page.getByText("450 conversations · that is all").waitFor({ timeout: 500 });
        },
        { timeout: 60_000, interval: 100 },
      );
      await untilQuiet(proxy, 1_000);

      // From here on, every mail.threads call the page makes (a batch may carry several).
      const listCalls: string[] = [];
      page.on("request", (request) => {
        const path = new URL(request.url()).pathname;
        if (!path.startsWith("/trpc/")) return;
        for (const name of path.slice("/trpc/".length).split(","))
          if (name === "mail.threads") listCalls.push(request.url());
      });
      await dovecot.append("ben", "INBOX", raw("Fresh on top"));
      // The list grows by exactly one (no row twice across the pages), and the new one is first.
      await page.getByText("451 conversations · that is all").waitFor({ timeout: 15_000 });
      await untilQuiet(proxy, 1_000);
      await scroller.evaluate((element) => {
        element.scrollTop = 0;
      });
      await page.locator(`${LIST} > li[data-index="0"]`, { hasText: "Fresh on top" }).waitFor();
      expect(await row(page, "Fresh on top").count()).toBe(1);
      // Before, each event refetched all five pages; now each asks only for the thread it names.
      expect(listCalls.length).toBeGreaterThanOrEqual(1);
      expect(listCalls.length).toBeLessThanOrEqual(2);
      expect(listCalls.every((url) => decodeURIComponent(url).includes("threadIds"))).toBe(true);
      await context.close();
    });
  },
);

const row = (page: Page, subject: string) => page.locator(LIST).locator("li", { hasText: subject });

/** Appends a message to the mailbox and answers how long until the open list showed it (ms). */
async function appendAndTime(page: Page, dovecot: TestDovecot, subject: string, timeoutMs: number): Promise<number> {
  const visible = await watchForListItem(page, LIST, subject);
  const appendedAt = Date.now();
  await dovecot.append("ada", "INBOX", raw(subject));
  return (await visible(timeoutMs)) - appendedAt;
}

/** Waits until the proxy has passed on no live event for `quietMs`. */
async function untilQuiet(proxy: SseSplitProxy, quietMs: number): Promise<void> {
  let count = -1;
  while (count !== proxy.events.length) {
    count = proxy.events.length;
    await new Promise((resolve) => setTimeout(resolve, quietMs));
  }
}
