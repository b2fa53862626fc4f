import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { childProcessEnv } from "@tidings/config/test-env";
import autocannon from "autocannon";

export const repoRoot = resolve(import.meta.dirname, "..");

export interface LoadResult {
  requestsPerSecond: number;
  /** Answers received in the measured time. */
  requests: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

/** Drives a URL with autocannon; the caller compares two results taken with the same settings. */
export async function load(
  url: string,
  options: {
    connections?: number;
    seconds?: number;
    headers?: Record<string, string>;
    method?: "GET" | "POST";
    body?: string;
  } = {},
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: options.connections ?? 20,
    duration: options.seconds ?? 5,
    headers: options.headers ?? {},
    method: options.method ?? "GET",
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  return {
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

export interface BenchProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a process that prints "Tidings is running at URL" (or "listening at URL") and returns that URL. */
export function startListening(args: string[], env: Record<string, string>, cwd = repoRoot): Promise<BenchProcess> {
  const child = spawn("node", args, { cwd, env: childProcessEnv(env), stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolveStart, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/(?:Tidings is running at|listening at) (\S+)/);
      if (match?.[1]) {
        resolveStart({
          url: match[1],
          child,
          stop: () =>
            new Promise((done) => {
              child.once("exit", () => done());
              child.kill("SIGTERM");
            }),
        });
      }
    });
    child.once("exit", (code) => reject(new Error(`process exited (${code}) before listening:\n${output}`)));
  });
}

export function ratio(candidate: number, baseline: number): string {
  return (candidate / baseline).toFixed(2);
}

export const POSTGRES_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";
export const REDIS_URL = "redis://127.0.0.1:6379";

/** Runs one statement on the admin database (create/drop the benchmark's own database). */
export async function postgresAdmin(statement: string): Promise<void> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Deletes every Redis key under a benchmark's own prefix. */
export async function flushRedisPrefix(prefix: string): Promise<void> {
  const { Redis } = await import("ioredis");
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = "0";
    do {
      const [nextCursor, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = nextCursor;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/** One row of the table `pnpm bench` prints: a figure, what it is compared with, and a target if it has one. */
export interface ReportLine {
  measure: string;
  tidings: string;
  comparedWith?: string;
  ratio?: string;
  target?: string;
  verdict?: "PASS" | "FAIL";
}

/** A line with a target: PASS when `value` is at least (or at most) `limit`. */
export function targetLine(
  line: Omit<ReportLine, "target" | "verdict">,
  value: number,
  limit: { atLeast: number } | { atMost: number },
  label: string,
): ReportLine {
  const pass = "atLeast" in limit ? value >= limit.atLeast : value <= limit.atMost;
  return { ...line, target: label, verdict: pass ? "PASS" : "FAIL" };
}

export function perSecond(result: LoadResult, unit = "req/s"): string {
  return `${Math.round(result.requestsPerSecond)} ${unit}, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`;
}

/**
 * Throws when a load had errors or answers other than 2xx (its figure would measure failures), or
 * none at all in the time given (a ratio over zero means nothing): measure longer then.
 */
export function assertAllOk(what: string, result: LoadResult): LoadResult {
  if (result.non2xx || result.errors) throw new Error(`${what} failed: ${JSON.stringify(result)}`);
  if (!result.requests) throw new Error(`${what}: no answer within the measured time; give it more seconds`);
  return result;
}
