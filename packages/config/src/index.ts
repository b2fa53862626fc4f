import { resolve } from "node:path";
import { envSchema } from "./schema.ts";

export { envReferenceMarkdown, replaceEnvReference } from "./env-reference.ts";
export type { Env } from "./schema.ts";
export { envSchema } from "./schema.ts";

export type Mode = "embedded" | "production";

/**
 * A value that must never reach a log line, an error or a metric: it prints as [redacted] through
 * String(), JSON and util.inspect (which pino and console use); only reveal() gives the value.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return "[redacted]";
  }
  toJSON(): string {
    return "[redacted]";
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "[redacted]";
  }
}

// Values of these variables are never echoed in configuration errors.
const secretVariables = new Set([
  "OPENAI_API_KEY",
  "ENCRYPTION_KEY",
  "JWT_PRIVATE_KEYS",
  "METRICS_TOKEN",
  "MAIL_OAUTH_GOOGLE_CLIENT_SECRET",
  "MAIL_OAUTH_MICROSOFT_CLIENT_SECRET",
]);

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
  log: LogConfig;
  metrics: MetricsConfig;
  auth: AuthConfig;
  ai: AiConfig;
  mail: MailConfig;
  dataDir: string;
  webDistDir: string | undefined;
  shutdownTimeoutMs: number;
  migrateOnStart: boolean;
}

export interface LogConfig {
  /** true, false, or "auto": pretty only in development on a terminal. */
  pretty: "auto" | boolean;
  /** Rotated JSON log file, written besides stdout. */
  file: { path: string; maxSize: string; maxFiles: number; interval: string | undefined } | undefined;
}

export interface MetricsConfig {
  enabled: boolean;
  /** Bearer token /metrics requires; unset: open (keep the port internal). */
  token: string | undefined;
  workerPort: number;
}

export interface RateLimitSetting {
  limit: number;
  windowSeconds: number;
}

export interface AuthConfig {
  encryptionKey: string | undefined;
  jwtPrivateKeys: string | undefined;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  refreshReuseGraceSeconds: number;
  requireVerifiedEmail: boolean;
  lockoutThreshold: number;
  trustProxy: string[];
  corsOrigins: string[];
  hibpEnabled: boolean;
  adminEmails: string[];
  registrationMode: "open" | "invite";
  rateLimits: {
    login: RateLimitSetting;
    loginIp: RateLimitSetting;
    emailActions: RateLimitSetting;
    emailActionsIp: RateLimitSetting;
    refresh: RateLimitSetting;
    default: RateLimitSetting;
    ai: RateLimitSetting;
  };
}

export interface AiConfig {
  /** The deployment's default provider; each user may choose another. */
  provider: "local" | "openai" | "compatible";
  openaiApiKey: Secret | undefined;
  /** Base URL of an OpenAI-compatible server (with /v1), for the compatible provider. */
  baseUrl: string | undefined;
  models: { triage: string; summary: string; draft: string };
  monthlyBudgetUsd: number;
  /** Prices added to or replacing the built-in table, US dollars per million tokens. */
  prices: Record<string, { inputPerMillion: number; outputPerMillion: number }>;
  timeoutMs: number;
  maxRetries: number;
}

export interface OAuthClientConfig {
  clientId: string;
  clientSecret: Secret | undefined;
  /** Authorization server endpoints; the provider's own unless overridden. */
  endpoints: { authorize: string; token: string; revoke: string | undefined };
  /**
   * The `iss` of the server's ID tokens. With `discovery`, the server's own metadata is read from
   * the issuer (how Microsoft's per-tenant issuer is checked); an override names its endpoints.
   */
  issuer: string;
  discovery: boolean;
  /** IMAP/SMTP servers replacing the provider preset's; only set by an endpoints override. */
  servers: { imap?: OAuthMailServer; smtp?: OAuthMailServer } | undefined;
}

export interface OAuthMailServer {
  host: string;
  port: number;
  security: "tls" | "starttls" | "none";
}

export interface MailConfig {
  /** Hosts, addresses or CIDRs allowed although internal (S24), as written in the environment. */
  allowedPrivateHosts: string[];
  workerMaxAccounts: number;
  pollSeconds: number;
  fullSyncMinutes: number;
  leaseSeconds: number;
  undoSeconds: number;
  maxAttachmentBytes: number;
  syncDays: number;
  rateLimits: { send: RateLimitSetting; sendRecipients: RateLimitSetting };
  /** Configured OAuth clients; a provider without one connects with an app password. */
  oauth: { google: OAuthClientConfig | undefined; microsoft: OAuthClientConfig | undefined };
}

const providerIssuers = {
  google: "https://accounts.google.com",
  microsoft: "https://login.microsoftonline.com/common/v2.0",
} as const;

const providerEndpoints = {
  google: {
    authorize: "https://accounts.google.com/o/oauth2/v2/auth",
    token: "https://oauth2.googleapis.com/token",
    revoke: "https://oauth2.googleapis.com/revoke",
  },
  microsoft: {
    authorize: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
    token: "https://login.microsoftonline.com/common/oauth2/v2.0/token",
    revoke: undefined,
  },
} as const;

function oauthClient(
  provider: keyof typeof providerEndpoints,
  clientId: string | undefined,
  clientSecret: string | undefined,
  endpoints:
    | {
        authorize: string;
        token: string;
        revoke?: string | undefined;
        issuer?: string | undefined;
        imap?: OAuthMailServer | undefined;
        smtp?: OAuthMailServer | undefined;
      }
    | undefined,
): OAuthClientConfig | undefined {
  if (!clientId) return undefined;
  const chosen = endpoints ?? providerEndpoints[provider];
  return {
    clientId,
    clientSecret: clientSecret ? new Secret(clientSecret) : undefined,
    endpoints: { authorize: chosen.authorize, token: chosen.token, revoke: chosen.revoke },
    issuer: endpoints ? (endpoints.issuer ?? new URL(endpoints.authorize).origin) : providerIssuers[provider],
    discovery: !endpoints,
    servers: endpoints?.imap || endpoints?.smtp ? { imap: endpoints.imap, smtp: endpoints.smtp } : undefined,
  };
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
      const shown = value === undefined || secretVariables.has(name) ? "" : ` (got ${JSON.stringify(value)})`;
      return `${name}: ${issue.message}${shown}`;
    });
    throw new ConfigError(problems);
  }
  const env = parsed.data;
  const missing: string[] = [];
  if (env.NODE_ENV === "production" && !env.SMTP_URL) {
    missing.push(
      "SMTP_URL: required when NODE_ENV=production (without it emails only reach the dev mailbox, which production does not serve)",
    );
  }
  if (env.NODE_ENV === "production" && !env.ENCRYPTION_KEY) {
    missing.push("ENCRYPTION_KEY: required when NODE_ENV=production (generate one with `openssl rand -base64 32`)");
  }
  const aiProvider = env.AI_PROVIDER ?? (env.OPENAI_API_KEY ? "openai" : "local");
  if (aiProvider === "openai" && !env.OPENAI_API_KEY) {
    missing.push("OPENAI_API_KEY: required when AI_PROVIDER=openai");
  }
  if (aiProvider === "compatible" && !env.OPENAI_BASE_URL) {
    missing.push("OPENAI_BASE_URL: required when AI_PROVIDER=compatible (e.g. http://127.0.0.1:11434/v1 for Ollama)");
  }
  if (missing.length) throw new ConfigError(missing);
  // Unset: the address the server prints at start, so email links open the origin the user is on.
  const appUrl = (env.APP_URL ?? listenUrl(env.HOST, env.PORT)).replace(/\/+$/, "");
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
    log: {
      pretty: env.LOG_PRETTY,
      file: env.LOG_FILE
        ? {
            path: resolve(source.INIT_CWD ?? process.cwd(), env.LOG_FILE),
            maxSize: env.LOG_FILE_MAX_SIZE,
            maxFiles: env.LOG_FILE_MAX_FILES,
            interval: env.LOG_FILE_INTERVAL,
          }
        : undefined,
    },
    metrics: { enabled: env.METRICS_ENABLED, token: env.METRICS_TOKEN, workerPort: env.WORKER_METRICS_PORT },
    auth: {
      encryptionKey: env.ENCRYPTION_KEY,
      jwtPrivateKeys: env.JWT_PRIVATE_KEYS,
      issuer: appUrl,
      audience: env.JWT_AUDIENCE,
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
      refreshReuseGraceSeconds: env.REFRESH_REUSE_GRACE_SECONDS,
      requireVerifiedEmail: env.AUTH_REQUIRE_VERIFIED_EMAIL,
      lockoutThreshold: env.LOCKOUT_THRESHOLD,
      trustProxy: env.TRUST_PROXY,
      corsOrigins: env.CORS_ORIGINS,
      hibpEnabled: env.HIBP_ENABLED,
      adminEmails: env.ADMIN_EMAILS.map((email) => email.toLowerCase()),
      registrationMode: env.REGISTRATION_MODE,
      rateLimits: {
        login: env.RATE_LIMIT_LOGIN,
        loginIp: env.RATE_LIMIT_LOGIN_IP,
        emailActions: env.RATE_LIMIT_EMAIL_ACTIONS,
        emailActionsIp: env.RATE_LIMIT_EMAIL_ACTIONS_IP,
        refresh: env.RATE_LIMIT_REFRESH,
        default: env.RATE_LIMIT_DEFAULT,
        ai: env.RATE_LIMIT_AI,
      },
    },
    ai: {
      provider: aiProvider,
      openaiApiKey: env.OPENAI_API_KEY ? new Secret(env.OPENAI_API_KEY) : undefined,
      baseUrl: env.OPENAI_BASE_URL,
      models: {
        triage: env.AI_MODEL_TRIAGE ?? env.AI_MODEL,
        summary: env.AI_MODEL_SUMMARY ?? env.AI_MODEL,
        draft: env.AI_MODEL_DRAFT ?? env.AI_MODEL,
      },
      monthlyBudgetUsd: env.AI_MONTHLY_BUDGET_USD,
      prices: Object.fromEntries(
        Object.entries(env.AI_PRICES ?? {}).map(([model, price]) => [
          model,
          { inputPerMillion: price.input, outputPerMillion: price.output },
        ]),
      ),
      timeoutMs: env.AI_TIMEOUT_MS,
      maxRetries: env.AI_MAX_RETRIES,
    },
    mail: {
      allowedPrivateHosts: env.MAIL_ALLOWED_PRIVATE_HOSTS,
      workerMaxAccounts: env.WORKER_MAX_ACCOUNTS,
      pollSeconds: env.MAIL_SYNC_POLL_SECONDS,
      fullSyncMinutes: env.MAIL_FULL_SYNC_MINUTES,
      leaseSeconds: env.MAIL_LEASE_SECONDS,
      undoSeconds: env.MAIL_UNDO_SECONDS,
      maxAttachmentBytes: env.MAIL_MAX_ATTACHMENT_MB * 1024 * 1024,
      syncDays: env.MAIL_SYNC_DAYS,
      rateLimits: { send: env.RATE_LIMIT_SEND, sendRecipients: env.RATE_LIMIT_SEND_RECIPIENTS },
      oauth: {
        google: oauthClient(
          "google",
          env.MAIL_OAUTH_GOOGLE_CLIENT_ID,
          env.MAIL_OAUTH_GOOGLE_CLIENT_SECRET,
          env.MAIL_OAUTH_GOOGLE_ENDPOINTS,
        ),
        microsoft: oauthClient(
          "microsoft",
          env.MAIL_OAUTH_MICROSOFT_CLIENT_ID,
          env.MAIL_OAUTH_MICROSOFT_CLIENT_SECRET,
          env.MAIL_OAUTH_MICROSOFT_ENDPOINTS,
        ),
      },
    },
    // pnpm runs package scripts inside the package folder; INIT_CWD is where the user typed the command.
    dataDir: resolve(source.INIT_CWD ?? process.cwd(), env.TIDINGS_DATA_DIR),
    webDistDir: env.WEB_DIST_DIR,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    migrateOnStart: mode === "embedded" || env.MIGRATE_ON_START,
  };
}

/**
 * The address a server bound to host:port is reached at, as the server prints it: a wildcard bind
 * (0.0.0.0, ::) is reached through localhost, an IPv6 address goes in brackets.
 */
export function listenUrl(host: string, port: number): string {
  const reachable = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  return `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
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
