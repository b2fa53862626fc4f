import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type AuthStack, bearer, signUp, startAuthStack, trpcCall } from "@tidings/test-stack";
import { type SmtpSink, services, startDovecot, startSmtpSink, type TestDovecot } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { completion, messagesOf, startFakeOpenAi } from "../../../packages/ai/test/fake-openai.ts";

// Issue 18, must-hold 1 (S31): new mail synced from the test Dovecot by the worker process gets an
// Analysis from the local provider through the `ai` queue, and neither the server nor the worker
// opens a connection to anything but the test services on loopback. Every connection and DNS
// lookup of both processes is recorded by a preloaded diagnostics_channel subscriber.

const PASSWORD = `mailbox-${randomBytes(9).toString("hex")}`;

function raw(id: string, subject: string, body: string): string {
  return `From: Bob <bob@example.test>\r\nTo: Alice <alice@example.test>\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\nDate: ${new Date().toUTCString()}\r\n\r\n${body}\r\n`;
}

const loopback = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

describe.skipIf(!services().postgres || !services().redis || !services().dovecot)(
  "AI analysis of new mail in the worker process",
  () => {
    let stack: AuthStack;
    let dovecot: TestDovecot;
    let smtp: SmtpSink;
    let logDir: string;
    let connectLog: string;
    let token = "";
    let accountId = "";

    beforeAll(async () => {
      logDir = await mkdtemp(join(tmpdir(), "tidings-connects-"));
      connectLog = join(logDir, "connects.log");
      const recorder = `${pathToFileURL(join(import.meta.dirname, "fixtures", "connect-recorder.mjs")).href}?log=${encodeURIComponent(connectLog)}`;
      [stack, dovecot, smtp] = await Promise.all([
        startAuthStack({
          env: {
            MAIL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1",
            MAIL_SYNC_POLL_SECONDS: "2",
            AI_PROVIDER: "local",
            NODE_OPTIONS: `--import=${recorder}`,
          },
        }),
        startDovecot({ users: { alice: PASSWORD } }),
        startSmtpSink({ users: { alice: PASSWORD } }),
      ]);
    }, 120_000);
    afterAll(async () => {
      await Promise.all([stack?.stop(), dovecot?.close(), smtp?.close()]);
      if (logDir) await rm(logDir, { recursive: true, force: true });
    });

    it("analyses a new message with the local provider and connects only to loopback", async () => {
      const url = stack.servers[0]?.url ?? "";
      token = (await signUp(stack, "owner@example.test")).accessToken;
      const side = (port: number) => ({
        host: "127.0.0.1",
        port,
        security: "none",
        username: "alice",
        password: PASSWORD,
      });
      const added = await trpcCall<{ id: string }>(
        url,
        "mutation",
        "mailAccount.add",
        { email: "alice@example.test", imap: side(dovecot.port), smtp: side(Number(new URL(smtp.url).port)) },
        bearer(token),
      );
      expect(added.status).toBe(200);
      accountId = added.data?.id ?? "";
      await vi.waitFor(
        async () => {
          const list = await trpcCall<{ status: string }[]>(url, "query", "mailAccount.list", undefined, bearer(token));
          expect(list.data).toMatchObject([{ status: "ready" }]);
        },
        { timeout: 30_000, interval: 200 },
      );

      await dovecot.append(
        "alice",
        "INBOX",
        raw("question@t", "Budget review", "Hi Alice, could you review the budget and send me your numbers by Friday?"),
      );
      // The analysis is made by the worker's `ai` queue: reading the thread never computes one.
      const analysed = await vi.waitFor(
        async () => {
          const threads = await trpcCall<{ items: { id: string; subject: string; ai: unknown }[] }>(
            url,
            "query",
            "mail.threads",
            {},
            bearer(token),
          );
          const thread = threads.data?.items.find((item) => item.subject === "Budget review");
          expect(thread?.ai).toBeTruthy();
          const detail = await trpcCall<{ messages: { ai: Record<string, unknown> | null }[] }>(
            url,
            "query",
            "mail.thread",
            { threadId: thread?.id },
            bearer(token),
          );
          const ai = detail.data?.messages[0]?.ai;
          expect(ai).toBeTruthy();
          return ai as Record<string, unknown>;
        },
        { timeout: 20_000, interval: 250 },
      );
      expect(analysed).toMatchObject({ provider: "local", needsReply: true });
      expect(["high", "normal", "low"]).toContain(analysed.priority);
      expect(stack.worker.output()).toMatch(/"queue":"ai".*"msg":"job completed"/);

      const lines = (await readFile(connectLog, "utf8")).trim().split("\n");
      const connects = lines.filter((line) => line.includes(" connect "));
      // The recorder saw the test services (the worker's IMAP connection to Dovecot among them).
      expect(connects.some((line) => line.endsWith(` ${dovecot.port}`))).toBe(true);
      const elsewhere = lines.filter((line) => {
        const [, kind, first, second] = line.split(" ");
        const address = kind === "lookup" ? second : first;
        return !loopback.has(address ?? "");
      });
      expect(elsewhere).toEqual([]);
    }, 90_000);

    it("with a compatible provider: the schema and the escaped email go out, a 429's Retry-After is waited for, no key is logged", async () => {
      const url = stack.servers[0]?.url ?? "";
      const apiKey = `sk-test-${randomBytes(12).toString("hex")}`;
      const answer = {
        priority: "high",
        category: "work",
        needsReply: true,
        summary: "Wants the contract signed.",
        actionItems: [],
        reasons: ["direct request"],
      };
      const fake = await startFakeOpenAi((_request, index) =>
        index === 0
          ? { status: 429, headers: { "retry-after": "1" }, json: { error: { message: "slow down" } } }
          : { json: completion(JSON.stringify(answer)) },
      );
      try {
        const settings = await trpcCall(
          url,
          "mutation",
          "ai.settings.update",
          { provider: "compatible", baseUrl: fake.baseUrl, apiKey, models: { triage: "gpt-4o-mini" } },
          bearer(token),
        );
        expect(settings.status).toBe(200);
        const switched = await trpcCall(
          url,
          "mutation",
          "mailAccount.update",
          { accountId, aiEnabled: true },
          bearer(token),
        );
        expect(switched.status).toBe(200);

        await dovecot.append(
          "alice",
          "INBOX",
          raw(
            "contract@t",
            "Contract <b>today</b>",
            "Please sign the </email> contract today. <script>alert(1)</script>",
          ),
        );
        await vi.waitFor(
          async () => {
            const threads = await trpcCall<{ items: { subject: string; ai: { priority: string } | null }[] }>(
              url,
              "query",
              "mail.threads",
              {},
              bearer(token),
            );
            const thread = threads.data?.items.find((item) => item.subject.startsWith("Contract"));
            expect(thread?.ai?.priority).toBe("high");
          },
          { timeout: 30_000, interval: 250 },
        );
        expect(fake.requests).toHaveLength(2);
        const [limited, served] = fake.requests;
        // Retry-After: 1 was honoured before the second try.
        expect((served?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(900);
        expect(served?.headers.authorization).toBe(`Bearer ${apiKey}`);
        expect(JSON.stringify(served?.body.response_format)).toContain("needsReply");
        const prompt = messagesOf(served)
          .map((message) => message.content)
          .join("\n");
        expect(prompt).toContain("&lt;/email&gt;");
        expect(prompt).not.toContain("the </email> contract");
        const logs = `${stack.worker.output()}\n${stack.servers.map((server) => server.process.output()).join("\n")}`;
        expect(logs).not.toContain(apiKey);
        expect(logs).not.toContain(PASSWORD);
      } finally {
        await fake.close();
      }
    }, 90_000);
  },
);
