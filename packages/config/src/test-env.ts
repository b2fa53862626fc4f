import { z } from "zod";
import { envSchema } from "./schema.ts";

const flag = z
  .string()
  .optional()
  .transform((value) => value === "true" || value === "1");

const testEnvSchema = z.object({
  CI: flag,
  REQUIRE_SERVICES: flag,
  TEST_DATABASE_URL: z.string().optional(),
  TEST_REDIS_URL: z.string().optional(),
  CHROMIUM_PATH: z.string().optional(),
});

export interface TestEnv {
  /** With CI=true or REQUIRE_SERVICES=1 a missing Postgres, Redis or browser fails the run. */
  requireServices: boolean;
  /** An admin connection to a Postgres server on which each test file creates its own database. */
  postgresAdminUrl: string;
  redisUrl: string;
  /** The browser for end-to-end tests: Debian's Chromium unless CHROMIUM_PATH says otherwise. */
  chromiumPath: string;
}

/** The settings of the test suite itself (not of the app), read in this one place. */
export function loadTestEnv(source: Record<string, string | undefined> = process.env): TestEnv {
  const env = testEnvSchema.parse(source);
  return {
    requireServices: env.CI || env.REQUIRE_SERVICES,
    postgresAdminUrl: env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
    redisUrl: env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
    chromiumPath: env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  };
}

/**
 * The environment for a process a test starts: the inherited one (PATH, HOME, ...) without any
 * Tidings setting, so a developer's own DATABASE_URL can never leak into a test's server.
 */
export function childProcessEnv(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const appVariables = new Set(Object.keys(envSchema.shape));
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !appVariables.has(key) && key !== "INIT_CWD") env[key] = value;
  }
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) env[key] = value;
  }
  return env;
}
