import type { AuthDeps, RateLimiter } from "@tidings/auth";
import type { Config } from "@tidings/config";
import type { Database, Kysely } from "@tidings/db";
import type { JobProducer } from "@tidings/jobs";
import type { MailEventBus } from "@tidings/mail";
import type { AppCode } from "./errors.ts";
import type { RateLimitName } from "./rate-limits.ts";

/**
 * Optional reporting hooks (metrics, log fields) for the process serving the API: plain
 * functions, so this package needs no metrics library and no HTTP framework. Values passed are
 * fixed names (procedure paths, app codes, rule names) or ids, never input, tokens or emails (S16).
 */
export interface ApiObserver {
  /** After every procedure call (each call of a batch), with "ok" or the app code of its error. */
  procedureDone?(path: string, outcome: "ok" | AppCode, durationSeconds: number, request: RequestInfo): void;
  /** Once the caller's access token has been accepted. */
  signedIn?(request: RequestInfo, principal: { userId: string; sessionId: string }): void;
  /**
   * When a rate-limit rule refuses a call (a tRPC call's request; none from the OAuth token endpoint).
   * A property, not a method: TypeScript then refuses an implementation that requires `request`.
   */
  rateLimited?: (rule: RateLimitName, request?: RequestInfo) => void;
}

/** What every procedure may use; built without HTTP so tests can call procedures directly. */
export interface InnerContext {
  config: Config;
  db: Kysely<Database>;
  jobs: JobProducer;
  auth: AuthDeps;
  rateLimiter: RateLimiter;
  /** Per-user mail events: what the worker and the API report, what `mail.events` relays. */
  mailEvents: MailEventBus;
  observer?: ApiObserver;
  /** Aborted when the process starts shutting down: long-lived calls (`mail.events`) end then. */
  shutdown?: AbortSignal;
}

/** The refresh-token cookie, behind an interface so this package needs no HTTP framework. */
export interface RefreshCookie {
  read(): string | undefined;
  set(token: string, expiresAt: Date): void;
  clear(): void;
}

export interface RequestInfo {
  ip: string;
  userAgent: string | undefined;
  requestId: string;
  /** The bearer token of the Authorization header, if any. */
  accessToken: string | undefined;
  /** True when the request carries `x-tidings-csrf: 1` or an Origin equal to APP_URL. */
  csrfProof: boolean;
  refreshCookie: RefreshCookie;
  /** The transport's own request object, handed back untouched to the observer. */
  raw?: unknown;
}

export interface Context extends InnerContext {
  request: RequestInfo;
}

export function createContext(deps: InnerContext, request: RequestInfo): Context {
  return { ...deps, request };
}

/** A request as a test (or a non-HTTP caller) would make it. */
export function plainRequest(overrides: Partial<RequestInfo> = {}): RequestInfo {
  let cookie: string | undefined;
  return {
    ip: "127.0.0.1",
    userAgent: undefined,
    requestId: "local",
    accessToken: undefined,
    csrfProof: false,
    refreshCookie: {
      read: () => cookie,
      set: (token) => {
        cookie = token;
      },
      clear: () => {
        cookie = undefined;
      },
    },
    ...overrides,
  };
}
