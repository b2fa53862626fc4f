import "vitest";
import { existsSync } from "node:fs";
import { loadTestEnv } from "@tidings/config/test-env";
import { Redis } from "ioredis";
import pg from "pg";
import { DOVECOT_PATH, dovecotAvailable } from "./dovecot.ts";

export const CHROMIUM_PATH = loadTestEnv().chromiumPath;

export interface ServiceStatus {
  requireServices: boolean;
  postgres: { url: string; available: boolean; error?: string };
  redis: { url: string; available: boolean; error?: string };
  chromium: { path: string; available: boolean };
  dovecot: { path: string; available: boolean };
}

export async function probeServices(): Promise<ServiceStatus> {
  const env = loadTestEnv();
  const [postgres, redis] = await Promise.all([probePostgres(env.postgresAdminUrl), probeRedis(env.redisUrl)]);
  return {
    requireServices: env.requireServices,
    postgres: { url: env.postgresAdminUrl, ...postgres },
    redis: { url: env.redisUrl, ...redis },
    chromium: { path: CHROMIUM_PATH, available: existsSync(CHROMIUM_PATH) },
    dovecot: { path: DOVECOT_PATH, available: dovecotAvailable() },
  };
}

async function probePostgres(url: string): Promise<{ available: boolean; error?: string }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query("select 1");
    return { available: true };
  } catch (error) {
    return { available: false, error: String(error) };
  } finally {
    await client.end().catch(() => {});
  }
}

async function probeRedis(url: string): Promise<{ available: boolean; error?: string }> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.ping();
    return { available: true };
  } catch (error) {
    return { available: false, error: String(error) };
  } finally {
    client.disconnect();
  }
}

export function missingServices(status: ServiceStatus): string[] {
  const missing: string[] = [];
  if (!status.postgres.available) missing.push(`PostgreSQL at ${status.postgres.url} (${status.postgres.error})`);
  if (!status.redis.available) missing.push(`Redis at ${status.redis.url} (${status.redis.error})`);
  if (!status.chromium.available) missing.push(`Chromium at ${status.chromium.path}`);
  if (!status.dovecot.available) missing.push(`Dovecot at ${status.dovecot.path} (Debian dovecot-core, dovecot-imapd)`);
  return missing;
}

declare module "vitest" {
  export interface ProvidedContext {
    services: ServiceStatus;
  }
}
