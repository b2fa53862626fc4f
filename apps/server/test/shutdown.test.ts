import { startServer } from "@tidings/test-stack";
import { describe, expect, it } from "vitest";

describe("graceful shutdown", () => {
  it("lets a slow request finish after SIGTERM, then exits 0", async () => {
    const server = await startServer({}, "test/fixtures/slow-server.ts");
    const response = fetch(`${server.url}/__test/slow?ms=1500`);
    await server.process.waitFor(/"url":"\/__test\/slow\?ms=1500".*"msg":"incoming request"/);

    server.process.child.kill("SIGTERM");
    await server.process.waitFor(/shutting down/);
    // New connections are refused while the old request is still running.
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();

    const answer = await response;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ finished: true });
    expect(await server.process.exited).toBe(0);
    expect(server.process.output()).toContain("shut down cleanly");
    await server.stop();
  });

  it("gives up after SHUTDOWN_TIMEOUT_MS when a request never ends, and exits 1", async () => {
    const server = await startServer({ SHUTDOWN_TIMEOUT_MS: "500" }, "test/fixtures/slow-server.ts");
    const response = fetch(`${server.url}/__test/slow?ms=60000`).catch((error: unknown) => error);
    await server.process.waitFor(/"url":"\/__test\/slow\?ms=60000".*"msg":"incoming request"/);
    server.process.child.kill("SIGTERM");
    expect(await server.process.exited).toBe(1);
    expect(server.process.output()).toContain("shutdown took too long");
    expect(await response).toBeInstanceOf(Error);
    await server.stop();
  });
});
