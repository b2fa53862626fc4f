import { z } from "zod";

const emptyAsUndefined = (value: unknown) => (value === "" ? undefined : value);

const optionalUrl = (protocols: readonly string[], example: string) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine(
        (value) => {
          try {
            return protocols.includes(new URL(value).protocol);
          } catch {
            return false;
          }
        },
        `expected a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}, e.g. ${example}`,
      )
      .optional(),
  );

const booleanFlag = z.preprocess(
  emptyAsUndefined,
  z
    .enum(["true", "false", "1", "0"], { error: 'expected "true" or "false"' })
    .optional()
    .transform((value) => value === "true" || value === "1"),
);

const rateLimit = (fallback: string) =>
  z.preprocess(emptyAsUndefined, z.string().default(fallback)).pipe(
    z
      .string()
      .regex(/^\d{1,6}\/\d{1,7}$/, 'expected "<attempts>/<seconds>", e.g. "5/900"')
      .transform((value) => {
        const [limit, windowSeconds] = value.split("/").map(Number) as [number, number];
        return { limit, windowSeconds };
      })
      .refine((rule) => rule.limit > 0 && rule.windowSeconds > 0, "attempts and seconds must be above 0"),
  );

const commaList = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .optional()
    .transform((value) =>
      (value ?? "")
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean),
    ),
);

/** A JSON-valued variable: unset is undefined, bad JSON or a bad shape is refused with `example`. */
function jsonSetting<T extends z.ZodType>(example: string, shape: (error: string) => T) {
  return z
    .preprocess(emptyAsUndefined, z.string().optional())
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: example });
        return z.NEVER;
      }
    })
    .pipe(shape(example).optional());
}

const pricesExample = 'expected JSON like {"my-model":{"input":0.2,"output":0.8}} (US dollars per million tokens)';
const modelPrices = jsonSetting(pricesExample, (error) =>
  z.record(z.string().min(1), z.object({ input: z.number().min(0), output: z.number().min(0) }, { error }).strict(), {
    error,
  }),
);

const mailServer = z
  .object({
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65_535),
    security: z.enum(["tls", "starttls", "none"]),
  })
  .strict();
const endpointsExample = 'expected JSON like {"authorize":"https://…/authorize","token":"https://…/token"}';
const oauthEndpoints = jsonSetting(endpointsExample, (error) =>
  z
    .object(
      {
        authorize: z.url({ protocol: /^https?$/ }),
        token: z.url({ protocol: /^https?$/ }),
        revoke: z.url({ protocol: /^https?$/ }).optional(),
        // The `iss` of the server's ID tokens; default: the origin of `authorize`.
        issuer: z.url({ protocol: /^https?$/ }).optional(),
        // Mail servers to use instead of the provider preset's (a private deployment, or tests).
        imap: mailServer.optional(),
        smtp: mailServer.optional(),
      },
      { error },
    )
    .strict(),
);

/**
 * Every setting Tidings reads, with its default. The documentation's environment reference is
 * generated from `describe()` texts below, so keep them accurate.
 */
export const envSchema = z.object({
  NODE_ENV: z
    .preprocess(emptyAsUndefined, z.enum(["development", "production", "test"]).default("development"))
    .describe("development, production or test; production hides the dev mailbox and dev tooling."),
  HOST: z
    .preprocess(emptyAsUndefined, z.string().min(1).default("127.0.0.1"))
    .describe("Address the HTTP server binds to; use 0.0.0.0 in containers."),
  PORT: z
    .preprocess(
      emptyAsUndefined,
      z.coerce
        .number({ error: "expected a whole number from 0 to 65535" })
        .int("expected a whole number from 0 to 65535")
        .min(0, "expected a whole number from 0 to 65535")
        .max(65535, "expected a whole number from 0 to 65535")
        .default(3000),
    )
    .describe("HTTP port of the server (0 picks a free one)."),
  APP_URL: optionalUrl(["http:", "https:"], "https://mail.example.com").describe(
    "Public URL of the web app, used in email links and CORS; defaults to the address the server prints, http://HOST:PORT.",
  ),
  DATABASE_URL: optionalUrl(["postgres:", "postgresql:"], "postgres://user@127.0.0.1:5432/tidings").describe(
    "PostgreSQL connection string. Unset: embedded PGlite under TIDINGS_DATA_DIR.",
  ),
  REDIS_URL: optionalUrl(["redis:", "rediss:"], "redis://127.0.0.1:6379").describe(
    "Redis connection string. Set: BullMQ queues and a separate worker process. Unset: in-process queues.",
  ),
  REDIS_PREFIX: z
    .preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,64}$/, "expected 1 to 64 letters, digits, '.', '_' or '-'")
        .default("tidings"),
    )
    .describe("Prefix of every Redis key and BullMQ queue, so several deployments can share a Redis."),
  SMTP_URL: optionalUrl(["smtp:", "smtps:"], "smtps://user:pass@smtp.example.com:465").describe(
    "Outgoing mail server. Unset: emails go to the dev mailbox at /dev/mailbox.",
  ),
  MAIL_FROM: z
    .preprocess(emptyAsUndefined, z.string().min(3).max(320).optional())
    .describe("Sender of every email, e.g. `Tidings <no-reply@example.com>`; defaults to no-reply at APP_URL's host."),
  WORKER_CONCURRENCY: z
    .preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(200).default(10))
    .describe("Jobs one worker process runs at once, per queue."),
  WORKER_LOCK_DURATION_MS: z
    .preprocess(emptyAsUndefined, z.coerce.number().int().min(1_000).max(600_000).default(30_000))
    .describe("How long a crashed worker's jobs stay claimed before another worker retries them."),
  ENCRYPTION_KEY: z
    .preprocess(
      emptyAsUndefined,
      z
        .string()
        .refine((value) => Buffer.from(value, "base64").length === 32, "expected 32 random bytes in base64")
        .optional(),
    )
    .describe(
      "Key (base64, 32 bytes) sealing secrets stored in the database. Required in production; elsewhere generated into TIDINGS_DATA_DIR.",
    ),
  JWT_PRIVATE_KEYS: z
    .preprocess(emptyAsUndefined, z.string().optional())
    .describe(
      'JWK Set of Ed25519 private keys ({"keys":[...]}); the newest signs, all verify. Unset: generated once and kept in the database, sealed.',
    ),
  JWT_AUDIENCE: z
    .preprocess(emptyAsUndefined, z.string().min(1).max(200).default("tidings"))
    .describe("`aud` of access tokens; the issuer is APP_URL."),
  ACCESS_TOKEN_TTL_SECONDS: z
    .preprocess(emptyAsUndefined, z.coerce.number().int().min(30).max(86_400).default(900))
    .describe("Lifetime of an access token."),
  REFRESH_TOKEN_TTL_SECONDS: z
    .preprocess(emptyAsUndefined, z.coerce.number().int().min(300).max(31_536_000).default(2_592_000))
    .describe("Lifetime of a refresh token; each use starts it again."),
  REFRESH_REUSE_GRACE_SECONDS: z
    .preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(120).default(10))
    .describe("A rotated refresh token presented again within this window gets the successor (concurrent tabs)."),
  AUTH_REQUIRE_VERIFIED_EMAIL: z
    .preprocess(emptyAsUndefined, z.enum(["true", "false"]).default("true"))
    .transform((value) => value === "true")
    .describe("Signing in needs a verified email."),
  LOCKOUT_THRESHOLD: z
    .preprocess(emptyAsUndefined, z.coerce.number().int().min(3).max(100).default(10))
    .describe("Consecutive failed sign-ins that lock an account."),
  REGISTRATION_MODE: z
    .preprocess(emptyAsUndefined, z.enum(["open", "invite"], { error: 'expected "open" or "invite"' }).default("open"))
    .describe(
      "open: anyone may register. invite: only an administrator's invitation creates an account; registration answers as usual but does nothing.",
    ),
  TRUST_PROXY: commaList.describe(
    "Comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed. Unset: the socket address is the client.",
  ),
  CORS_ORIGINS: commaList.describe(
    "Extra origins (besides APP_URL) allowed to call the API from a browser, with credentials.",
  ),
  HIBP_ENABLED: booleanFlag.describe("Also refuse passwords found by the Have I Been Pwned range API (k-anonymity)."),
  ADMIN_EMAILS: commaList.describe(
    "Accounts with these emails get the admin role once verified; accounts verified earlier, at the next server start.",
  ),
  RATE_LIMIT_LOGIN: rateLimit("5/900").describe("Sign-ins per (IP, email): attempts/seconds."),
  RATE_LIMIT_LOGIN_IP: rateLimit("50/900").describe("Sign-ins per IP."),
  RATE_LIMIT_EMAIL_ACTIONS: rateLimit("3/3600").describe("Registrations, resends and reset requests per email."),
  RATE_LIMIT_EMAIL_ACTIONS_IP: rateLimit("20/3600").describe("Registrations, resends and reset requests per IP."),
  RATE_LIMIT_REFRESH: rateLimit("60/300").describe("Token refreshes per session."),
  RATE_LIMIT_DEFAULT: rateLimit("100/60").describe("Every other procedure, per user (per IP when signed out)."),
  RATE_LIMIT_AI: rateLimit("20/60").describe("AI procedures per user."),
  RATE_LIMIT_SEND: rateLimit("100/3600").describe(
    "Messages sent through connected mailboxes per user: messages/seconds.",
  ),
  RATE_LIMIT_SEND_RECIPIENTS: rateLimit("500/3600").describe(
    "Recipients (to, cc and bcc together) of mail sent through connected mailboxes per user: recipients/seconds.",
  ),
  MAIL_ALLOWED_PRIVATE_HOSTS: commaList.describe(
    "Hosts, addresses or CIDRs of mail servers (and AI base URLs) allowed although they are loopback or private, e.g. 127.0.0.1 for a Proton Mail Bridge. Everything internal is refused otherwise.",
  ),
  WORKER_MAX_ACCOUNTS: z
    .preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(100_000).default(500))
    .describe("Mailboxes one worker process keeps in sync at once; more workers share the rest."),
  MAIL_SYNC_POLL_SECONDS: z
    .preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(3_600).default(60))
    .describe("How often folders other than INBOX (which is watched with IDLE) are checked for changes."),
  MAIL_FULL_SYNC_MINUTES: z
    .preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(10_080).default(360))
    .describe(
      "How often every folder of a mailbox is compared in full with the server (catches deletions on servers without QRESYNC).",
    ),
  MAIL_LEASE_SECONDS: z
    .preprocess(emptyAsUndefined, z.coerce.number().int().min(2).max(600).default(15))
    .describe("A worker that stops renewing its hold on a mailbox for this long loses it to another worker."),
  MAIL_UNDO_SECONDS: z
    .preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(300).default(10))
    .describe("How long mail.send waits before sending, so the user can cancel (undo)."),
  MAIL_MAX_ATTACHMENT_MB: z
    .preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(200).default(25))
    .describe("Largest attachment a user may upload, in megabytes."),
  MAIL_SYNC_DAYS: z
    .preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(36_500).default(365))
    .describe("Default sync window: bodies are stored for mail this recent, headers only for older mail."),
  MAIL_OAUTH_GOOGLE_CLIENT_ID: z
    .preprocess(emptyAsUndefined, z.string().min(1).max(500).optional())
    .describe("OAuth client id for connecting Gmail mailboxes; unset: Gmail connects with an app password."),
  MAIL_OAUTH_GOOGLE_CLIENT_SECRET: z
    .preprocess(emptyAsUndefined, z.string().min(1).max(500).optional())
    .describe("OAuth client secret for Gmail. Never logged."),
  MAIL_OAUTH_MICROSOFT_CLIENT_ID: z
    .preprocess(emptyAsUndefined, z.string().min(1).max(500).optional())
    .describe(
      "OAuth client id for connecting Outlook and Microsoft 365 mailboxes; unset: they connect with an app password.",
    ),
  MAIL_OAUTH_MICROSOFT_CLIENT_SECRET: z
    .preprocess(emptyAsUndefined, z.string().min(1).max(500).optional())
    .describe("OAuth client secret for Microsoft. Never logged."),
  MAIL_OAUTH_GOOGLE_ENDPOINTS: oauthEndpoints.describe(
    'Override of Google\'s OAuth endpoints as JSON {"authorize":url,"token":url,"revoke"?:url,"issuer"?:url,"imap"?:{host,port,security},"smtp"?:{...}}, for a private authorization server or tests; issuer defaults to the origin of authorize, imap/smtp to the Gmail preset. Unset: Google\'s own (found by OpenID discovery).',
  ),
  MAIL_OAUTH_MICROSOFT_ENDPOINTS: oauthEndpoints.describe(
    "Override of Microsoft's OAuth endpoints, as for MAIL_OAUTH_GOOGLE_ENDPOINTS. Unset: Microsoft's own.",
  ),
  AI_PROVIDER: z
    .preprocess(emptyAsUndefined, z.enum(["local", "openai", "compatible"]).optional())
    .describe(
      "Default AI provider: local (no network), openai, or compatible (an OpenAI-compatible server at OPENAI_BASE_URL). Unset: openai when OPENAI_API_KEY is set, else local. Users may choose their own.",
    ),
  OPENAI_API_KEY: z
    .preprocess(emptyAsUndefined, z.string().min(1).max(500).optional())
    .describe("API key for the openai provider (and a compatible server that wants one). Never logged."),
  OPENAI_BASE_URL: optionalUrl(["http:", "https:"], "http://127.0.0.1:11434/v1").describe(
    "Base URL of an OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio); required with AI_PROVIDER=compatible.",
  ),
  AI_MODEL: z
    .preprocess(emptyAsUndefined, z.string().min(1).max(200).default("gpt-4o-mini"))
    .describe("Model for every AI task unless AI_MODEL_TRIAGE, AI_MODEL_SUMMARY or AI_MODEL_DRAFT say otherwise."),
  AI_MODEL_TRIAGE: z
    .preprocess(emptyAsUndefined, z.string().min(1).max(200).optional())
    .describe("Model for per-message analysis; defaults to AI_MODEL."),
  AI_MODEL_SUMMARY: z
    .preprocess(emptyAsUndefined, z.string().min(1).max(200).optional())
    .describe("Model for thread summaries; defaults to AI_MODEL."),
  AI_MODEL_DRAFT: z
    .preprocess(emptyAsUndefined, z.string().min(1).max(200).optional())
    .describe("Model for reply drafts; defaults to AI_MODEL."),
  AI_MONTHLY_BUDGET_USD: z
    .preprocess(
      emptyAsUndefined,
      z.coerce
        .number({ error: "expected an amount in US dollars, e.g. 5 or 2.50" })
        .min(0, "expected an amount of 0 or more")
        .max(100_000, "expected at most 100000")
        .default(5),
    )
    .describe(
      "Each user's monthly spending limit on cloud AI calls (users may lower their own); the local provider is free.",
    ),
  AI_PRICES: modelPrices.describe(
    'Extra or changed model prices in US dollars per million tokens, as JSON: {"my-model":{"input":0.2,"output":0.8}}. Built in: current OpenAI models.',
  ),
  AI_TIMEOUT_MS: z
    .preprocess(emptyAsUndefined, z.coerce.number().int().min(1_000).max(600_000).default(30_000))
    .describe("How long one AI request may take before it is abandoned (and retried)."),
  AI_MAX_RETRIES: z
    .preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(10).default(3))
    .describe(
      "Retries of an AI request on 408, 409, 429 and 5xx answers, honouring Retry-After, with exponential backoff.",
    ),
  LOG_LEVEL: z
    .preprocess(
      emptyAsUndefined,
      z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    )
    .describe("pino log level."),
  LOG_PRETTY: z
    .preprocess(emptyAsUndefined, z.enum(["auto", "true", "false", "1", "0"]).default("auto"))
    .transform((value): "auto" | boolean => (value === "auto" ? "auto" : value === "true" || value === "1"))
    .describe("Human-readable logs (pino-pretty) on stdout; auto: only with NODE_ENV=development on a terminal."),
  LOG_FILE: z
    .preprocess(emptyAsUndefined, z.string().min(1).optional())
    .describe("Also write the JSON logs to this file, rotated by size (for hosts without a log collector)."),
  LOG_FILE_MAX_SIZE: z
    .preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^\d{1,9}[BKMG]$/, 'expected a size like "10M" (B, K, M or G)')
        .default("10M"),
    )
    .describe("Size at which LOG_FILE is rotated to LOG_FILE.1, LOG_FILE.2, ..."),
  LOG_FILE_MAX_FILES: z
    .preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(1000).default(10))
    .describe("Rotated log files kept; older ones are deleted."),
  LOG_FILE_INTERVAL: z
    .preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^\d{1,4}[mhd]$/, 'expected e.g. "1d" or "12h"')
        .optional(),
    )
    .describe('Also rotate LOG_FILE after this time, e.g. "1d". Unset: by size only.'),
  METRICS_ENABLED: z
    .preprocess(emptyAsUndefined, z.enum(["true", "false", "1", "0"]).default("true"))
    .transform((value) => value === "true" || value === "1")
    .describe("Serve Prometheus metrics: GET /metrics on the server, and on WORKER_METRICS_PORT in the worker."),
  METRICS_TOKEN: z
    .preprocess(emptyAsUndefined, z.string().min(16).max(512).optional())
    .describe("If set, /metrics (server and worker) answers only requests with `Authorization: Bearer <token>`."),
  WORKER_METRICS_PORT: z
    .preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(9464))
    .describe("Port of the worker's /metrics endpoint, bound to HOST (0 picks a free one)."),
  TIDINGS_DATA_DIR: z
    .preprocess(emptyAsUndefined, z.string().min(1).default(".data"))
    .describe("Folder for embedded-mode data (the PGlite database)."),
  WEB_DIST_DIR: z
    .preprocess(emptyAsUndefined, z.string().min(1).optional())
    .describe("Folder of the built web app served at /; defaults to apps/web/dist."),
  SHUTDOWN_TIMEOUT_MS: z
    .preprocess(emptyAsUndefined, z.coerce.number().int().min(100).max(120_000).default(10_000))
    .describe("How long a graceful shutdown may take before the process exits anyway."),
  MIGRATE_ON_START: booleanFlag.describe(
    "Run database migrations when the server starts (always on in embedded mode).",
  ),
});

export type Env = z.infer<typeof envSchema>;
