import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { childProcessEnv } from "@tidings/config/test-env";
import autocannon from "autocannon";

export const repoRoot = resolve(import.meta.dirname, "..");

export interface LoadResult {
  requestsPerSecond: number;
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

/** Runs a script to its end and parses the JSON line it prints last. */
export function runJson<T>(args: string[], env: Record<string, string>, cwd = repoRoot): Promise<T> {
  const child = spawn("node", args, { cwd, env: childProcessEnv(env), stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolveRun, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => {
      const last = output.trim().split("\n").at(-1) ?? "";
      if (code === 0) resolveRun(JSON.parse(last) as T);
      else reject(new Error(`process exited (${code}):\n${output}`));
    });
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
