import { serverDir } from "@tidings/test-stack";
import { startProcess } from "@tidings/testing";
import { describe, expect, it } from "vitest";

describe("invalid configuration", () => {
  it("stops the server at start with a line naming PORT", async () => {
    const server = startProcess("node", ["--import", "tsx", "src/main.ts"], {
      cwd: serverDir,
      env: { PORT: "abc" },
    });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('PORT: expected a whole number from 0 to 65535 (got "abc")');
    expect(server.output()).not.toContain("Tidings is running");
  });

  it("lists every bad variable, one per line", async () => {
    const server = startProcess("node", ["--import", "tsx", "src/main.ts"], {
      cwd: serverDir,
      env: { PORT: "99999", DATABASE_URL: "mysql://nope", LOG_LEVEL: "chatty" },
    });
    expect(await server.exited).toBe(1);
    const lines = server.output().split("\n");
    for (const name of ["PORT", "DATABASE_URL", "LOG_LEVEL"]) {
      expect(lines.filter((line) => line.trim().startsWith(`${name}:`))).toHaveLength(1);
    }
  });

  it("stops the worker when it has no REDIS_URL to consume from", async () => {
    const worker = startProcess("node", ["--import", "tsx", "../worker/src/main.ts"], { cwd: serverDir });
    expect(await worker.exited).toBe(1);
    expect(worker.output()).toMatch(/^(REDIS_URL|DATABASE_URL): required/m);
  });
});
