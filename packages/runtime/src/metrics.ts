import { timingSafeEqual } from "node:crypto";
import { countOutboxBacklog, type Database, type Kysely } from "@tidings/db";
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { withTimeout } from "./timeout.ts";

/**
 * What the server and the worker both export: Node process metrics (process_*, nodejs_*), a
 * `service` label on every series, the outbox backlog and whether Postgres and Redis answer.
 * Scrape-time values come from cheap queries with short time limits, so a scrape never hangs.
 */
export function createMetricsRegistry(service: "server" | "worker"): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** The fixed set of dependencies `tidings_dependency_up` reports. */
export const dependencies = ["postgres", "redis"] as const;

export function registerSharedGauges(
  registry: Registry,
  deps: {
    db: Kysely<Database>;
    /** Rejects when the database does not answer within the time limit. */
    pingDatabase(timeoutMs: number): Promise<void>;
    /** Rejects when Redis does not answer; undefined when this process has no Redis. */
    pingRedis: ((timeoutMs: number) => Promise<void>) | undefined;
  },
): void {
  new Gauge({
    name: "tidings_outbox_backlog",
    help: "Outbox rows written but not yet handed to the queue",
    registers: [registry],
    async collect() {
      try {
        this.set(await withTimeout(countOutboxBacklog(deps.db), 2_000));
      } catch {
        // Unknown: leave the series out rather than report a made-up number.
        this.reset();
      }
    },
  });
  new Gauge({
    name: "tidings_dependency_up",
    help: "1 when the dependency answered at scrape time, 0 when not",
    labelNames: ["dependency"],
    registers: [registry],
    async collect() {
      const [postgres, redis] = await Promise.allSettled([
        deps.pingDatabase(1_000),
        deps.pingRedis ? deps.pingRedis(1_000) : Promise.reject(new Error("no redis")),
      ]);
      this.labels("postgres").set(postgres.status === "fulfilled" ? 1 : 0);
      if (deps.pingRedis) this.labels("redis").set(redis.status === "fulfilled" ? 1 : 0);
    },
  });
}

/**
 * Whether a request may read the metrics: always without METRICS_TOKEN, else only with
 * `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time).
 */
export function metricsAccessAllowed(token: string | undefined, authorization: string | undefined): boolean {
  if (!token) return true;
  const given = Buffer.from(authorization ?? "");
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
