import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StartedServer, startServer } from "./helpers.ts";

describe("LOG_FILE: JSON logs in a file rotated by size", () => {
  let dir: string;
  let server: StartedServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tidings-log-file-"));
    // Embedded mode: no services needed; a tiny rotation size so a few requests rotate.
    server = await startServer({ LOG_FILE: join(dir, "server.log"), LOG_FILE_MAX_SIZE: "4K", LOG_FILE_MAX_FILES: "3" });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("writes past the size, rotates to server.log.1, ..., keeps at most LOG_FILE_MAX_FILES, all JSON lines", async () => {
    // Each request logs two lines of a few hundred bytes: 60 requests write well past 4 KiB twice over.
    for (let batch = 0; batch < 6; batch++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          fetch(new URL("/healthz", server.url), { headers: { "x-request-id": `log-file-${batch}-${i}` } }).then((r) =>
            r.arrayBuffer(),
          ),
        ),
      );
    }
    await expect
      .poll(async () => (await readdir(dir)).filter((name) => /^server\.log\.\d+$/.test(name)).length, {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(2);
    const files = (await readdir(dir)).filter((name) => name.startsWith("server.log"));
    expect(files).toContain("server.log");
    // The live file and at most 3 rotated ones.
    expect(files.length).toBeLessThanOrEqual(4);
    let lines = 0;
    for (const name of files.filter((file) => file !== "server.log")) {
      const content = await readFile(join(dir, name), "utf8");
      expect(content.length, name).toBeGreaterThan(0);
      for (const line of content.split("\n").filter(Boolean)) {
        const entry = JSON.parse(line) as { level: number; time: number; msg: string };
        expect(typeof entry.level).toBe("number");
        expect(typeof entry.time).toBe("number");
        lines++;
      }
    }
    expect(lines).toBeGreaterThan(10);
    // Stdout still gets the same JSON lines.
    expect(server.process.output()).toContain('"reqId":"log-file-5-9"');
  });
});
