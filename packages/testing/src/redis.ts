import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { inject } from "vitest";
import { freePort } from "./ports.ts";

export interface TestRedis {
  url: string;
  /** This file's own key prefix (also the BullMQ prefix); pass it as REDIS_PREFIX. */
  prefix: string;
  client: Redis;
  /** Deletes the keys matching a pattern (SCAN MATCH syntax), as a Redis restarted empty would have lost them. */
  deleteKeys(pattern: string): Promise<void>;
  /** Deletes every key under the prefix and disconnects. */
  cleanup(): Promise<void>;
}

export async function createTestRedis(): Promise<TestRedis> {
  const { url } = inject("services").redis;
  const prefix = `tidings_t_${randomBytes(4).toString("hex")}`;
  // BullMQ needs maxRetriesPerRequest: null on connections it is given (and on their duplicates).
  const client = new Redis(url, { maxRetriesPerRequest: null });
  const deleteKeys = async (pattern: string) => {
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", pattern, "COUNT", 500);
      cursor = next;
      if (keys.length) await client.del(...keys);
    } while (cursor !== "0");
  };
  return {
    url,
    prefix,
    client,
    deleteKeys,
    cleanup: async () => {
      await deleteKeys(`${prefix}*`);
      client.disconnect();
    },
  };
}

export interface OwnRedisServer {
  url: string;
  /** Starts (or restarts) the server on the same port. */
  start(): Promise<void>;
  /** Kills the server (SIGKILL), as if the host lost it. */
  stop(): Promise<void>;
  /** Stops it and removes its folder. */
  dispose(): Promise<void>;
}

/** A redis-server of the test's own on a free port, for tests that stop Redis on purpose. */
export async function startOwnRedisServer(): Promise<OwnRedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), "tidings-redis-"));
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
      { stdio: "ignore" },
    );
    const probe = new Redis(port, "127.0.0.1", {
      retryStrategy: (times) => (times > 50 ? null : 100),
      maxRetriesPerRequest: null,
    });
    probe.on("error", () => {});
    try {
      await probe.ping();
    } finally {
      probe.disconnect();
    }
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    await exited;
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
