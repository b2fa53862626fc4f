import { resolve } from "node:path";
import { envSchema } from "./schema.ts";

export { envReferenceMarkdown, replaceEnvReference } from "./env-reference.ts";
export type { Env } from "./schema.ts";
export { envSchema } from "./schema.ts";

export type Mode = "embedded" | "production";

export interface Config {
  nodeEnv: "development" | "production" | "test";
  /** embedded: PGlite and in-process queues in one process; production: Postgres and Redis. */
  mode: Mode;
  host: string;
  port: number;
  appUrl: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  redisPrefix: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  workerConcurrency: number;
  workerLockDurationMs: number;
  logLevel: string;
  dataDir: string;
  webDistDir: string | undefined;
  shutdownTimeoutMs: number;
  migrateOnStart: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((line) => `  ${line}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type EnvSource = Record<string, string | undefined>;

/** Parses the environment; throws ConfigError with one line per bad variable. */
export function loadConfig(source: EnvSource = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join(".") || "(environment)";
      const value = source[name];
      const shown = value === undefined ? "" : ` (got ${JSON.stringify(value)})`;
      return `${name}: ${issue.message}${shown}`;
    });
    throw new ConfigError(problems);
  }
  const env = parsed.data;
  if (env.NODE_ENV === "production" && !env.SMTP_URL) {
    throw new ConfigError([
      "SMTP_URL: required when NODE_ENV=production (without it emails only reach the dev mailbox, which production does not serve)",
    ]);
  }
  const appUrl = (env.APP_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, "");
  const mode: Mode = env.DATABASE_URL || env.REDIS_URL ? "production" : "embedded";
  return {
    nodeEnv: env.NODE_ENV,
    mode,
    host: env.HOST,
    port: env.PORT,
    appUrl,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    redisPrefix: env.REDIS_PREFIX,
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM ?? `Tidings <no-reply@${new URL(appUrl).hostname}>`,
    workerConcurrency: env.WORKER_CONCURRENCY,
    workerLockDurationMs: env.WORKER_LOCK_DURATION_MS,
    logLevel: env.LOG_LEVEL,
    // pnpm runs package scripts inside the package folder; INIT_CWD is where the user typed the command.
    dataDir: resolve(source.INIT_CWD ?? process.cwd(), env.TIDINGS_DATA_DIR),
    webDistDir: env.WEB_DIST_DIR,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    migrateOnStart: mode === "embedded" || env.MIGRATE_ON_START,
  };
}

/** For process entry points: print what is wrong, one line per variable, and exit 1. */
export function loadConfigOrExit(source: EnvSource = process.env): Config {
  try {
    return loadConfig(source);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
