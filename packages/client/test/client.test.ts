import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningProcess, startProcess } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { createTidingsClient, type RouterOutputs, TRPCClientError } from "../src/index.ts";

let server: RunningProcess;
let url: string;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "tidings-client-"));
  server = startProcess("pnpm", ["--filter", "@tidings/server", "dev"], {
    env: { PORT: "0", TIDINGS_DATA_DIR: dataDir, LOG_LEVEL: "warn" },
  });
  const [, found] = await server.waitFor(/Tidings is running at (\S+)/);
  url = found ?? "";
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("createTidingsClient", () => {
  it("calls health.ping on a running server with full types", async () => {
    const client = createTidingsClient({ url: `${url}/trpc` });
    const answer = await client.health.ping.query();

    expectTypeOf(answer).toEqualTypeOf<RouterOutputs["health"]["ping"]>();
    expectTypeOf(answer.time).toEqualTypeOf<Date>();
    expectTypeOf(answer.mode).toEqualTypeOf<"embedded" | "production">();
    expect(answer.status).toBe("ok");
    expect(answer.mode).toBe("embedded");
    expect(answer.time).toBeInstanceOf(Date);
  });

  it("types security events with the event types of API.md, not any string", () => {
    type SecurityEventType = RouterOutputs["account"]["securityEvents"]["items"][number]["type"];
    expectTypeOf<SecurityEventType>().toEqualTypeOf<
      | "register"
      | "email_verified"
      | "login_succeeded"
      | "login_failed"
      | "logout"
      | "refresh_reused"
      | "password_changed"
      | "password_reset_requested"
      | "password_reset"
      | "account_locked"
      | "account_unlocked"
      | "account_disabled"
      | "account_enabled"
      | "role_changed"
      | "session_revoked"
      | "mfa_enabled"
      | "mfa_disabled"
      | "mfa_failed"
      | "recovery_code_used"
      | "passkey_added"
      | "passkey_removed"
      | "email_changed"
      | "invitation_sent"
      | "invitation_accepted"
      | "account_deleted"
      | "mail_account_added"
      | "mail_account_removed"
      | "ai_settings_changed"
    >();
  });

  it("turns server errors into TRPCClientError with the app code", async () => {
    const client = createTidingsClient({ url: `${url}/trpc` });
    // A procedure that does not exist is a type error, and the server answers NOT_FOUND.
    // @ts-expect-error health.pong is not a procedure of AppRouter
    const call = client.health.pong.query() as Promise<unknown>;
    const error = await call.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<never>).data).toMatchObject({ code: "NOT_FOUND", appCode: "NOT_FOUND" });
  });

  it("sends the access token as a Bearer header", async () => {
    const seen: string[] = [];
    const client = createTidingsClient({
      url: `${url}/trpc`,
      getAccessToken: () => "token-123",
      fetch: async (input, init) => {
        seen.push(new Headers(init?.headers).get("authorization") ?? "");
        return fetch(input, init);
      },
    });
    await client.health.ping.query();
    expect(seen).toEqual(["Bearer token-123"]);
  });
});
