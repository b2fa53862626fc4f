import { type SmtpSink, services, startDovecot, startSmtpSink, type TestDovecot } from "@tidings/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshot, seriousViolations, signInInBrowser, signUpInBrowser, webStackForSuite } from "./web-stack.ts";

// Issue #17 in Chromium against a production-mode server and worker: a mailbox connected through
// the onboarding form (a wrong password first), the synced threads, reading, archiving with the
// keyboard, a reply with an attachment reaching the mailbox's SMTP server, an undone send, axe in
// both themes, and the phone layout.

const ready = services();
const MAILBOX_PASSWORD = "mailbox-password";
const EMAIL = "inbox-user@example.test";
const UNDO_SECONDS = 4;

function message(subject: string, from: string, id: string, body: string, date: string, extra = ""): string {
  return (
    `From: ${from}\r\nTo: Ada <ada@mailbox.test>\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\n` +
    `Date: ${date}\r\n${extra}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`
  );
}

const htmlMessage =
  "From: Carol <carol@example.test>\r\nTo: Ada <ada@mailbox.test>\r\nSubject: Newsletter\r\n" +
  "Message-ID: <news-1@carol.test>\r\nDate: Wed, 02 Dec 2026 08:00:00 +0000\r\nMIME-Version: 1.0\r\n" +
  "Content-Type: text/html; charset=utf-8\r\n\r\n" +
  '<h1 style="color:#4338ca">Winter news</h1><p>Hello <b>Ada</b>, here is what happened.</p>' +
  "<script>parent.document.title='pwned'</script>\r\n";

describe.skipIf(!ready.postgres || !ready.redis || !ready.chromium || !ready.dovecot)(
  "the web inbox in Chromium",
  () => {
    const suite = webStackForSuite({
      MAIL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1",
      MAIL_UNDO_SECONDS: String(UNDO_SECONDS),
    });
    const { open } = suite;
    let dovecot: TestDovecot;
    let mailboxSmtp: SmtpSink;

    beforeAll(async () => {
      [dovecot, mailboxSmtp] = await Promise.all([
        startDovecot({ users: { ada: MAILBOX_PASSWORD } }),
        startSmtpSink({ users: { ada: MAILBOX_PASSWORD } }),
      ]);
      await dovecot.append(
        "ada",
        "INBOX",
        message(
          "Trip to Lisbon",
          "Bob <bob@example.test>",
          "trip-1@bob.test",
          "Shall we go in March?",
          "Thu, 03 Dec 2026 10:00:00 +0000",
        ),
      );
      await dovecot.append(
        "ada",
        "INBOX",
        message(
          "Lunch on Friday",
          "Dan <dan@example.test>",
          "lunch-1@dan.test",
          "Noon at the usual place?",
          "Thu, 03 Dec 2026 12:00:00 +0000",
        ),
      );
      await dovecot.append("ada", "INBOX", htmlMessage);
    }, 60_000);
    afterAll(async () => {
      await Promise.all([dovecot?.close(), mailboxSmtp?.close()]);
    });

    const row = (page: Page, subject: string) => page.getByTestId("thread-list").locator("li", { hasText: subject });

    it("connects a mailbox through onboarding, reads, archives by keyboard, replies with an attachment and undoes a send", async () => {
      const { page, context } = await open();
      await signUpInBrowser(suite.web, page, EMAIL, "Ada Lovelace");
      await page.goto("/mail");
      await page.getByRole("heading", { level: 1, name: "Connect your first mailbox" }).waitFor();
      await screenshot(page, "mail-onboarding");

      await page.getByLabel("Email address").fill("ada@mailbox.test");
      await page.getByRole("button", { name: "Continue" }).click();
      await page.getByTestId("provider-help").waitFor();
      await page.getByLabel("User name").fill("ada");
      await page.locator("#connect-imap-host").fill("127.0.0.1");
      await page.locator("#connect-imap-port").fill(String(dovecot.port));
      await page.getByLabel("Incoming (IMAP) security").selectOption("none");
      await page.locator("#connect-smtp-host").fill("127.0.0.1");
      await page.locator("#connect-smtp-port").fill(new URL(mailboxSmtp.url).port);
      await page.getByLabel("Outgoing (SMTP) security").selectOption("none");
      await page.getByLabel("Password", { exact: true }).fill("not the password");
      await page.getByRole("button", { name: "Connect mailbox" }).click();
      // The IMAP server's refusal, in place, on the password field.
      const passwordError = page.locator("#connect-password-error");
      await passwordError.waitFor({ timeout: 30_000 });
      expect(await passwordError.textContent()).toMatch(/IMAP server .* refused the username or password/);
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("connect-password");
      await screenshot(page, "mail-onboarding-wrong-password");

      await page.getByLabel("Password", { exact: true }).fill(MAILBOX_PASSWORD);
      await page.getByRole("button", { name: "Connect mailbox" }).click();
      await page.getByRole("heading", { level: 1, name: /Bringing in your mail|Your mailbox is ready/ }).waitFor();
      await page.getByTestId("sync-status").getByText("Up to date").waitFor({ timeout: 60_000 });
      await screenshot(page, "mail-sync-done");
      await page.getByRole("button", { name: "Open your inbox" }).click();

      for (const subject of ["Trip to Lisbon", "Lunch on Friday", "Newsletter"]) await row(page, subject).waitFor();
      await screenshot(page, "mail-inbox-light");

      // Opening reads it, here and on the IMAP server.
      await row(page, "Newsletter").getByRole("link").click();
      await page.getByRole("heading", { level: 2, name: "Newsletter" }).waitFor();
      const frame = page.frameLocator('[data-testid="message-html"]');
      await frame.getByRole("heading", { name: "Winter news" }).waitFor();
      // The script in the mail never ran.
      expect(await page.title()).not.toBe("pwned");
      await expect
        .poll(
          async () =>
            (await dovecot.messages("ada", "INBOX")).filter((stored) => stored.flags.includes("\\Seen")).length,
          {
            timeout: 20_000,
          },
        )
        .toBe(1);
      await screenshot(page, "mail-thread-light");

      // Archive by keyboard: the next conversation opens, and the server files it in Archive.
      await page.keyboard.press("e");
      await row(page, "Newsletter").waitFor({ state: "detached" });
      await page.getByRole("status").filter({ hasText: "Archived" }).waitFor();
      await expect.poll(async () => (await dovecot.messages("ada", "Archive")).length, { timeout: 20_000 }).toBe(1);

      // New mail shows without a reload: the live connection (mail.events over SSE) refreshes the
      // list well before the 30 s safety-net poll could.
      await dovecot.append(
        "ada",
        "INBOX",
        `From: Eve <eve@example.test>\r\nTo: ada@mailbox.test\r\nSubject: Just arrived\r\nMessage-ID: <live-1@eve.test>\r\nDate: ${new Date().toUTCString()}\r\n\r\nHello from the live connection.\r\n`,
      );
      await row(page, "Just arrived").waitFor({ timeout: 10_000 });

      // Reply with an attachment: the mailbox's SMTP server gets it with the threading headers.
      await page.goto("/mail");
      await row(page, "Lunch on Friday").getByRole("link").click();
      await page.getByRole("heading", { level: 2, name: "Lunch on Friday" }).waitFor();
      await page.keyboard.press("r");
      const composer = page.getByRole("dialog", { name: "Reply" });
      await composer.waitFor();
      expect(await composer.getByLabel("To").inputValue()).toBe("Dan <dan@example.test>");
      expect(await composer.getByLabel("Subject").inputValue()).toBe("Re: Lunch on Friday");
      await composer.getByLabel("Message").press("Control+Home");
      await composer.getByLabel("Message").pressSequentially("Noon works. Agenda attached.");
      await composer.locator('input[type="file"]').setInputFiles({
        name: "agenda.txt",
        mimeType: "text/plain",
        buffer: Buffer.from("1. lunch\n2. more lunch\n"),
      });
      await composer.getByRole("list", { name: "Attachments" }).getByText("agenda.txt").waitFor();
      await composer.getByTestId("draft-status").getByText("Draft saved").waitFor({ timeout: 15_000 });
      await screenshot(page, "mail-reply-light");
      await composer.getByRole("button", { name: "Send" }).click();
      await composer.waitFor({ state: "detached" });
      await page.getByTestId("toast").filter({ hasText: "Sending…" }).waitFor();
      const delivered = await mailboxSmtp.waitForAccepted(1, 30_000);
      const reply = delivered[0];
      expect(reply?.subject).toBe("Re: Lunch on Friday");
      expect(reply?.inReplyTo).toBe("<lunch-1@dan.test>");
      expect(reply?.references).toContain("<lunch-1@dan.test>");
      expect(reply?.text).toContain("Noon works. Agenda attached.");
      expect(reply?.text).toContain("> Noon at the usual place?");
      expect(reply?.attachments.map((attachment) => attachment.filename)).toEqual(["agenda.txt"]);

      // Undo within the window: nothing is delivered, and the message comes back to the editor.
      await page.keyboard.press("c");
      const compose = page.getByRole("dialog", { name: "New message" });
      await compose.waitFor();
      await compose.getByLabel("To").fill("erin@example.test");
      await compose.getByLabel("Subject").fill("Never sent");
      await compose.getByLabel("Message").fill("This one is taken back.");
      await compose.getByRole("button", { name: "Send" }).click();
      await page.getByTestId("toast").filter({ hasText: "Sending…" }).getByRole("button", { name: "Undo" }).click();
      await page.getByTestId("toast").filter({ hasText: "Sending cancelled" }).waitFor();
      const reopened = page.getByRole("dialog", { name: "New message" });
      expect(await reopened.getByLabel("Subject").inputValue()).toBe("Never sent");
      await new Promise((resolve) => setTimeout(resolve, (UNDO_SECONDS + 3) * 1000));
      expect(mailboxSmtp.accepted.map((email) => email.subject)).toEqual(["Re: Lunch on Friday"]);
      await context.close();
    });

    it("has no serious or critical axe violations on the mail screens, light and dark", async () => {
      const { page, context } = await open({ colorScheme: "light" });
      await signInInBrowser(page, EMAIL);
      const found: Record<string, string[]> = {};
      for (const colorScheme of ["light", "dark"] as const) {
        if (colorScheme === "dark") await page.getByTestId("theme-toggle").click();
        await expect
          .poll(() => page.evaluate(() => document.documentElement.dataset.theme), { timeout: 10_000 })
          .toBe(colorScheme);
        await page.goto("/mail/connect");
        await page.getByRole("heading", { level: 1, name: "Connect a mailbox" }).waitFor();
        found[`connect-${colorScheme}`] = await seriousViolations(page);
        await screenshot(page, `mail-connect-${colorScheme}`);

        await page.goto("/mail/settings");
        await page.getByRole("heading", { level: 1, name: "Mailboxes" }).waitFor();
        await page.getByText("Up to date").waitFor();
        found[`settings-${colorScheme}`] = await seriousViolations(page);
        await screenshot(page, `mail-settings-${colorScheme}`);

        await page.goto("/mail");
        await row(page, "Trip to Lisbon").waitFor();
        found[`inbox-${colorScheme}`] = await seriousViolations(page);
        await screenshot(page, `mail-inbox-${colorScheme}`);

        // j moves the cursor, Enter opens: keyboard only.
        await page.keyboard.press("j");
        await page.keyboard.press("k");
        await page.keyboard.press("Enter");
        await page.getByRole("heading", { level: 2 }).waitFor();
        found[`thread-${colorScheme}`] = await seriousViolations(page);
        await screenshot(page, `mail-thread-${colorScheme}`);

        await page.keyboard.press("?");
        await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
        found[`shortcuts-${colorScheme}`] = await seriousViolations(page);
        await screenshot(page, `mail-shortcuts-${colorScheme}`);
        await page.keyboard.press("Escape");
        await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor({ state: "detached" });

        await page.keyboard.press("c");
        await page.getByRole("dialog", { name: "New message" }).waitFor();
        found[`compose-${colorScheme}`] = await seriousViolations(page);
        await screenshot(page, `mail-compose-${colorScheme}`);
        await page.keyboard.press("Escape");
        await page.getByRole("dialog", { name: "New message" }).waitFor({ state: "detached" });
      }
      expect(Object.fromEntries(Object.entries(found).filter(([, list]) => list.length > 0))).toEqual({});
      await context.close();
    });

    it("shows the list and the conversation as separate screens at 390 px, with a way back", async () => {
      const { page, context } = await open({ width: 390, colorScheme: "dark" });
      await signInInBrowser(page, EMAIL);
      await page.goto("/mail");
      await row(page, "Trip to Lisbon").waitFor();
      expect(await page.getByRole("region", { name: "Reading pane" }).isVisible()).toBe(false);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(page, "mail-inbox-phone");
      await row(page, "Trip to Lisbon").getByRole("link").click();
      await page.getByRole("heading", { level: 2, name: "Trip to Lisbon" }).waitFor();
      expect(await page.getByRole("region", { name: "Conversations" }).isVisible()).toBe(false);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(page, "mail-thread-phone");
      await page.getByRole("button", { name: "Back to the list" }).click();
      await row(page, "Trip to Lisbon").waitFor();
      // Search with an operator and a body word.
      await page.getByRole("searchbox", { name: "Search mail" }).fill("from:bob march");
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { level: 1, name: "Search: from:bob march" }).waitFor();
      await row(page, "Lunch on Friday").waitFor({ state: "detached" });
      await row(page, "Trip to Lisbon").waitFor();
      await context.close();
    });
  },
);
