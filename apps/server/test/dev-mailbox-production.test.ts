import { randomBytes } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { type StartedServer, startServer } from "@tidings/test-stack";
import { services } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

describe.skipIf(!services().postgres)("the dev mailbox with NODE_ENV=production", () => {
  let testDb: TestDatabase;
  let server: StartedServer;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    server = await startServer({
      NODE_ENV: "production",
      DATABASE_URL: testDb.url,
      SMTP_URL: "smtp://127.0.0.1:1",
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    });
  });
  afterAll(async () => {
    await server?.stop();
    await testDb?.drop();
  });

  it("is not mounted: no page and no procedures", async () => {
    expect((await fetch(`${server.url}/dev/mailbox`)).status).toBe(404);
    const list = await fetch(`${server.url}/trpc/devMailbox.list`);
    expect(list.status).toBe(404);
    expect(await list.json()).toMatchObject({ error: { json: { data: { appCode: "NOT_FOUND" } } } });
    const send = await fetch(`${server.url}/trpc/devMailbox.sendTest`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: { to: "x@example.test" } }),
    });
    expect(send.status).toBe(404);
    // The rest of the app is there.
    expect((await fetch(`${server.url}/`)).status).toBe(200);
  });
});
