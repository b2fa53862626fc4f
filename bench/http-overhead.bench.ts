import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load, perSecond, type ReportLine, ratio, startListening } from "./lib.ts";

/**
 * What the full server stack (Fastify + tRPC + superjson + request logging at "warn") costs per
 * request, against a bare Fastify route that returns the same JSON. Same machine, same run.
 */
export async function run(options: Record<string, string>): Promise<Record<string, unknown>> {
  const seconds = Number(options.overheadSeconds ?? 5);
  const dataDir = await mkdtemp(join(tmpdir(), "tidings-bench-"));
  const server = await startListening(["--import", "tsx", "apps/server/src/main.ts"], {
    PORT: "0",
    LOG_LEVEL: "warn",
    TIDINGS_DATA_DIR: dataDir,
    // health.ping is a public procedure: without this the default per-IP limit turns the load into 429s.
    RATE_LIMIT_DEFAULT: "999999/1",
  });
  const bare = await startListening(["--import", "tsx", "bench/fixtures/bare-fastify.ts"], {});
  try {
    // Warm both up so JIT and connection setup do not favour the second measurement.
    await load(`${server.url}/trpc/health.ping`, { seconds: 1 });
    await load(`${bare.url}/ping`, { seconds: 1 });
    const baseline = await load(`${bare.url}/ping`, { seconds });
    const candidate = await load(`${server.url}/trpc/health.ping`, { seconds });
    const name = "health.ping over tRPC (embedded mode) vs bare Fastify route, 20 connections";
    const lines: ReportLine[] = [
      {
        measure: `context: ${name}`,
        tidings: perSecond(candidate),
        comparedWith: perSecond(baseline),
        ratio: ratio(candidate.requestsPerSecond, baseline.requestsPerSecond),
      },
    ];
    return { name, baseline, candidate, ratio: ratio(candidate.requestsPerSecond, baseline.requestsPerSecond), lines };
  } finally {
    await Promise.all([server.stop(), bare.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  }
}
