import { randomBytes } from "node:crypto";
import { createTidingsClient, type TidingsClient } from "@tidings/client";
import type { MailEvent } from "@tidings/mail";
import { type AuthStack, bearer, signUp, startAuthStack, trpcCall } from "@tidings/test-stack";
import { type SmtpSink, services, startDovecot, startSmtpSink, type TestDovecot } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// mail.events end to end: the worker process syncs new mail and publishes on Redis; the server
// process relays it over server-sent events to the real @tidings/client (httpSubscriptionLink,
// bearer header), to the mailbox's owner only; a client that reconnects with its last event id
// gets what it missed, once.

const PASSWORD = `mailbox-${randomBytes(9).toString("hex")}`;

function raw(id: string, subject: string): string {
  return `From: Bob <bob@example.test>\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\nDate: ${new Date().toUTCString()}\r\n\r\n${subject}\r\n`;
}

interface Received {
  id: string;
  event: MailEvent;
}

/** A subscription to mail.events with what it received so far. */
function listen(client: TidingsClient, lastEventId?: string) {
  const received: Received[] = [];
  let started = false;
  const errors: unknown[] = [];
  const subscription = client.mail.events.subscribe(lastEventId === undefined ? {} : { lastEventId }, {
    onStarted: () => {
      started = true;
    },
    onData: (tracked) => received.push({ id: tracked.id, event: tracked.data }),
    onError: (error) => errors.push(error),
  });
  return {
    received,
    errors,
    started: () => started,
    stop: () => subscription.unsubscribe(),
  };
}

describe.skipIf(!services().postgres || !services().redis || !services().dovecot)(
  "mail.events over SSE, published by the worker process",
  () => {
    let stack: AuthStack;
    let dovecot: TestDovecot;
    let smtp: SmtpSink;

    beforeAll(async () => {
      [stack, dovecot, smtp] = await Promise.all([
        startAuthStack({ env: { MAIL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1", MAIL_SYNC_POLL_SECONDS: "2" } }),
        startDovecot({ users: { alice: PASSWORD } }),
        startSmtpSink({ users: { alice: PASSWORD } }),
      ]);
      await dovecot.append("alice", "INBOX", raw("pre@t", "Before"));
    }, 120_000);
    afterAll(async () => {
      await Promise.all([stack?.stop(), dovecot?.close(), smtp?.close()]);
    });

    it("relays new mail to its owner within 2 s, to nobody else, and replays what a reconnect missed once", async () => {
      const url = stack.servers[0]?.url ?? "";
      // signUp waits on the emailed link with expect.poll, which only runs inside a test.
      const owner = (await signUp(stack, "owner@example.test")).accessToken;
      const other = (await signUp(stack, "other@example.test")).accessToken;
      const side = { host: "127.0.0.1", port: dovecot.port, security: "none", username: "alice", password: PASSWORD };
      const added = await trpcCall<{ id: string }>(
        url,
        "mutation",
        "mailAccount.add",
        { email: "alice@example.test", imap: side, smtp: { ...side, port: Number(new URL(smtp.url).port) } },
        bearer(owner),
      );
      expect(added.status).toBe(200);
      const accountId = added.data?.id ?? "";
      const messageCount = async () => {
        const answer = await trpcCall<{ status: string; messageCount: number }[]>(
          url,
          "query",
          "mailAccount.list",
          undefined,
          bearer(owner),
        );
        return answer.data?.[0];
      };
      await vi.waitFor(async () => expect(await messageCount()).toMatchObject({ status: "ready", messageCount: 1 }), {
        timeout: 20_000,
        interval: 200,
      });

      const ownerClient = createTidingsClient({ url: `${url}/trpc`, getAccessToken: () => owner });
      const otherClient = createTidingsClient({ url: `${url}/trpc`, getAccessToken: () => other });
      const mine = listen(ownerClient);
      const theirs = listen(otherClient);
      await vi.waitFor(() => expect(mine.started() && theirs.started()).toBe(true), { timeout: 5_000 });

      const appendedAt = Date.now();
      await dovecot.append("alice", "INBOX", raw("live@t", "Live"));
      await vi.waitFor(() => expect(mine.received.map((entry) => entry.event.type)).toContain("message.new"), {
        timeout: 2_000,
        interval: 20,
      });
      expect(Date.now() - appendedAt).toBeLessThan(2_000);
      const live = mine.received.find((entry) => entry.event.type === "message.new");
      expect(live?.event).toMatchObject({ type: "message.new", accountId });

      // The missed part: the owner's tab goes away, more mail arrives and is synced meanwhile.
      await vi.waitFor(() => expect(mine.received.some((entry) => entry.event.type === "folder.counts")).toBe(true), {
        timeout: 5_000,
      });
      mine.stop();
      const lastSeen = mine.received.at(-1)?.id ?? "";
      await dovecot.append("alice", "INBOX", raw("missed@t", "Missed"));
      await vi.waitFor(async () => expect(await messageCount()).toMatchObject({ messageCount: 3 }), {
        timeout: 10_000,
        interval: 100,
      });

      const back = listen(ownerClient, lastSeen);
      await vi.waitFor(
        () => expect(back.received.filter((entry) => entry.event.type === "message.new")).toHaveLength(1),
        { timeout: 5_000 },
      );
      // Settle, then: nothing twice, nothing from before the reconnect point, the new message only.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const ids = back.received.map((entry) => entry.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).not.toContain(lastSeen);
      expect(ids.some((id) => mine.received.some((seen) => seen.id === id))).toBe(false);
      const missed = back.received.filter((entry) => entry.event.type === "message.new");
      expect(missed).toHaveLength(1);
      const missedEvent = missed[0]?.event as { messageId: string; threadId: string } | undefined;
      expect(missedEvent).toMatchObject({ accountId });
      expect(missedEvent?.messageId).not.toBe((live?.event as { messageId: string } | undefined)?.messageId);

      // Expunged on the server: the thread disappears, and the owner is told.
      const stored = await dovecot.messages("alice", "INBOX");
      const missedUid = stored.at(-1)?.uid ?? 0;
      await dovecot.expunge("alice", "INBOX", [missedUid]);
      await vi.waitFor(
        () =>
          expect(back.received.map((entry) => entry.event)).toContainEqual({
            type: "thread.removed",
            accountId,
            threadId: missedEvent?.threadId,
          }),
        { timeout: 10_000, interval: 100 },
      );
      back.stop();

      expect(theirs.received).toEqual([]);
      expect(theirs.errors).toEqual([]);
      theirs.stop();
      // The bearer token travelled in a header, never in a URL the server logged.
      expect(stack.servers[0]?.process.output()).not.toContain(owner);

      // An open stream does not hold up a graceful shutdown (SIGTERM): it is ended, the server exits 0.
      const open = listen(ownerClient);
      await vi.waitFor(() => expect(open.started()).toBe(true), { timeout: 5_000 });
      const server = stack.servers[0];
      server?.process.child.kill("SIGTERM");
      expect(await server?.process.exited).toBe(0);
      expect(server?.process.output()).toContain("shut down cleanly");
      open.stop();
    }, 90_000);
  },
);
