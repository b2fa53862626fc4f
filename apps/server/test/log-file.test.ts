import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type StartedServer, startServer } from "@tidings/test-stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

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
    // Every request's lines have reached stdout; the file gets the same lines from the same write.
    await expect
      .poll(() => server.process.output().match(/"reqId":"log-file-\d-\d"/g)?.length ?? 0, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(120);
    const lastLine = server.process
      .output()
      .split("\n")
      .filter((line) => line.includes('"reqId":"log-file-'))
      .at(-1);
    // A rotation renames the files one by one (server.log.2 to .3, .1 to .2, the live file to .1)
    // and then opens the next live file, and the last write may set one off. Read the folder once
    // the last line has been written, the live file exists, and two readings in a row agree: no
    // rotation is then in flight.
    let files: Map<string, string> | undefined;
    let previous = "";
    await expect
      .poll(
        async () => {
          files = await readLogFiles(dir).catch(() => undefined);
          const listing = JSON.stringify([...(files ?? [])].map(([name, content]) => [name, content.length]).sort());
          const settled = listing === previous;
          previous = listing;
          if (!settled || !files?.has("server.log") || !lastLine) return false;
          return [...files.values()].some((content) => content.includes(lastLine));
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    const rotated = [...(files ?? new Map<string, string>())].filter(([name]) => name !== "server.log");
    // ~36 KiB of lines through a 4 KiB file rotate it far more than 3 times: exactly
    // LOG_FILE_MAX_FILES rotated ones are kept, named server.log.1, server.log.2, server.log.3.
    expect(rotated.map(([name]) => name).sort()).toEqual(["server.log.1", "server.log.2", "server.log.3"]);
    let lines = 0;
    for (const [name, content] of rotated) {
      expect(name).toMatch(/^server\.log\.[1-3]$/);
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

/** The log files in `dir` with their contents; throws if one vanishes while it is read (a rotation). */
async function readLogFiles(dir: string): Promise<Map<string, string>> {
  const names = (await readdir(dir)).filter((name) => name.startsWith("server.log"));
  return new Map(
    await Promise.all(names.map(async (name) => [name, await readFile(join(dir, name), "utf8")] as const)),
  );
}
