import { type ApiObserver, type AppCode, appCodes, procedureList, type RateLimitName } from "@tidings/api";
import { type AuthObserver, type SignInOutcome, signInOutcomes, tokenRefreshOutcomes } from "@tidings/auth";
import type { Config } from "@tidings/config";
import { countActiveSessions } from "@tidings/db";
import { createMetricsRegistry, metricsAccessAllowed, registerSharedGauges, withTimeout } from "@tidings/runtime";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Counter, Gauge, Histogram } from "prom-client";
import type { Services } from "../services.ts";

/**
 * Metrics (`GET /metrics`, Prometheus text format) and the log fields that name who called what.
 * Every label value comes from a fixed set (route patterns, procedure paths of the catalogue, app
 * codes, outcome names): nothing a caller sends becomes a label, and no token or email ever does (S16).
 *
 * /metrics is open unless METRICS_TOKEN is set; then it needs `Authorization: Bearer <token>`.
 * Keep it off the public internet either way (scrape the server's port directly, not via the proxy).
 */

/** What one request did, for its access-log line; made only for tRPC requests. */
export interface RequestObservation {
  userId: string | undefined;
  sessionId: string | undefined;
  /** Procedure paths, comma-separated for a batch. */
  procedure: string | undefined;
  /** "ok" or the app code of each call, in the same order. */
  outcome: string | undefined;
  /** Each call's duration in milliseconds, in the same order. */
  procedureMs: string | undefined;
}

declare module "fastify" {
  interface FastifyRequest {
    observation: RequestObservation | null;
  }
}

const rateLimitRules: readonly RateLimitName[] = [
  "login",
  "loginIp",
  "emailActions",
  "emailActionsIp",
  "refresh",
  "default",
  "ai",
];

export interface Observability {
  /** For the tRPC context: procedure metrics and log fields. */
  api: ApiObserver;
}

/**
 * Registers the metrics route and the request hooks, and hands the auth core its observer.
 * Call before the routes it should measure are registered.
 */
export function registerObservability(
  app: FastifyInstance,
  { config, services }: { config: Config; services: Services },
): Observability {
  app.decorateRequest("observation", null);

  // The access-log line ("request completed") carries who and what, once they are known.
  const bindLogFields = (request: FastifyRequest, reply: FastifyReply) => {
    const seen = request.observation;
    // A pino child costs more than a small request: made only when the access log is written.
    if (!seen || !(reply.log as { isLevelEnabled?(level: string): boolean }).isLevelEnabled?.("info")) return;
    const fields: Record<string, string> = {};
    if (seen.userId) fields.userId = seen.userId;
    if (seen.sessionId) fields.sessionId = seen.sessionId;
    if (seen.procedure) fields.procedure = seen.procedure;
    if (seen.outcome) fields.outcome = seen.outcome;
    if (seen.procedureMs) fields.procedureMs = seen.procedureMs;
    reply.log = reply.log.child(fields);
  };

  const observationOf = (raw: unknown): RequestObservation | undefined => {
    const request = raw as FastifyRequest | undefined;
    if (!request || typeof request !== "object" || !("observation" in request)) return undefined;
    request.observation ??= {
      userId: undefined,
      sessionId: undefined,
      procedure: undefined,
      outcome: undefined,
      procedureMs: undefined,
    };
    return request.observation;
  };

  if (!config.metrics.enabled) {
    app.addHook("onResponse", (request, reply, done) => {
      bindLogFields(request, reply);
      done();
    });
    return {
      api: {
        procedureDone: (path, outcome, seconds, request) =>
          noteProcedure(observationOf(request.raw), path, outcome, seconds),
        signedIn: (request, principal) => noteSignedIn(observationOf(request.raw), principal),
      },
    };
  }

  const registry = createMetricsRegistry("server");

  // HTTP: one sample per request, labelled by the route pattern ("unmatched" when none matched).
  const httpRequests = new Counter({
    name: "tidings_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status code",
    labelNames: ["method", "route", "status_code"],
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: "tidings_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by method, route pattern and status code",
    labelNames: ["method", "route", "status_code"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook("onResponse", (request, reply, done) => {
    const labels = [request.method, request.routeOptions.url ?? "unmatched", String(reply.statusCode)];
    httpRequests.labels(...labels).inc();
    httpDuration.labels(...labels).observe(reply.elapsedTime / 1000);
    bindLogFields(request, reply);
    done();
  });

  // tRPC: one sample per procedure call, batched calls each; paths only from the procedure catalogue.
  const trpcRequests = new Counter({
    name: "tidings_trpc_requests_total",
    help: "tRPC procedure calls, by procedure and status (ok or the app code)",
    labelNames: ["procedure", "status"],
    registers: [registry],
  });
  const trpcDuration = new Histogram({
    name: "tidings_trpc_request_duration_seconds",
    help: "Time a procedure call took, by procedure and status (ok or the app code)",
    labelNames: ["procedure", "status"],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const knownProcedures = new Set<string>(procedureList.map((procedure) => procedure.path));
  const knownStatuses = new Set<string>(["ok", ...Object.keys(appCodes)]);
  const trpcLabels = (path: string, status: string) => [
    knownProcedures.has(path) ? path : "unknown",
    knownStatuses.has(status) ? status : "INTERNAL",
  ];

  const rateLimitRejections = new Counter({
    name: "tidings_rate_limit_rejections_total",
    help: "Calls refused by a rate-limit rule, by rule",
    labelNames: ["rule"],
    registers: [registry],
  });
  const ruleChildren = new Map(rateLimitRules.map((rule) => [rule, rateLimitRejections.labels(rule)] as const));

  // Authentication events, from the auth core's observer.
  const signIns = new Counter({
    name: "tidings_auth_sign_ins_total",
    help: "Password sign-ins (auth.login and the OAuth password grant), by outcome",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const lockouts = new Counter({
    name: "tidings_auth_lockouts_total",
    help: "Accounts locked after too many failed sign-ins",
    registers: [registry],
  });
  const reuseDetected = new Counter({
    name: "tidings_auth_refresh_reuse_detected_total",
    help: "Rotated refresh tokens presented again after the grace window (the session was revoked)",
    registers: [registry],
  });
  const refreshes = new Counter({
    name: "tidings_auth_token_refreshes_total",
    help: "Refresh-token rotations (auth.refresh and the OAuth refresh_token grant), by outcome",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const registrations = new Counter({
    name: "tidings_auth_registrations_total",
    help: "New accounts created",
    registers: [registry],
  });
  const logouts = new Counter({
    name: "tidings_auth_logouts_total",
    help: "Sessions ended by logout",
    registers: [registry],
  });
  const signInChildren = new Map(signInOutcomes.map((outcome) => [outcome, signIns.labels(outcome)] as const));
  const refreshChildren = new Map(tokenRefreshOutcomes.map((outcome) => [outcome, refreshes.labels(outcome)] as const));
  // Every fixed series starts at 0, so rates and alerts work before the first event.
  for (const child of [...signInChildren.values(), ...refreshChildren.values(), ...ruleChildren.values()]) child.inc(0);

  const authObserver: AuthObserver = {
    signIn: (outcome: SignInOutcome) => signInChildren.get(outcome)?.inc(),
    lockout: () => lockouts.inc(),
    refresh: (outcome) => {
      refreshChildren.get(outcome)?.inc();
      if (outcome === "reused") reuseDetected.inc();
    },
    registration: () => registrations.inc(),
    logout: () => logouts.inc(),
  };
  // The auth deps are built with the services; this process is the one that counts their events.
  services.auth.observer = authObserver;

  new Gauge({
    name: "tidings_active_sessions",
    help: "Sessions neither revoked nor expired (whole deployment, read at scrape time)",
    registers: [registry],
    async collect() {
      try {
        this.set(await withTimeout(countActiveSessions(services.database.db), 2_000));
      } catch {
        this.reset();
      }
    },
  });
  registerSharedGauges(registry, {
    db: services.database.db,
    pingDatabase: (timeoutMs) => services.database.ping(timeoutMs),
    pingRedis: services.redis ? (timeoutMs) => services.pingRedis(timeoutMs) : undefined,
  });

  app.get("/metrics", async (request, reply) => {
    if (!metricsAccessAllowed(config.metrics.token, request.headers.authorization)) {
      return reply.code(401).header("www-authenticate", 'Bearer realm="metrics"').send({ error: "Unauthorized" });
    }
    const body = await registry.metrics();
    return reply.header("cache-control", "no-store").type(registry.contentType).send(body);
  });

  return {
    api: {
      procedureDone(path, outcome, seconds, request) {
        const labels = trpcLabels(path, outcome);
        trpcRequests.labels(...labels).inc();
        trpcDuration.labels(...labels).observe(seconds);
        noteProcedure(observationOf(request.raw), path, outcome, seconds);
      },
      signedIn: (request, principal) => noteSignedIn(observationOf(request.raw), principal),
      rateLimited: (rule) => ruleChildren.get(rule)?.inc(),
    },
  };
}

function noteProcedure(seen: RequestObservation | undefined, path: string, outcome: "ok" | AppCode, seconds: number) {
  if (!seen) return;
  const ms = (seconds * 1000).toFixed(1);
  seen.procedure = seen.procedure === undefined ? path : `${seen.procedure},${path}`;
  seen.outcome = seen.outcome === undefined ? outcome : `${seen.outcome},${outcome}`;
  seen.procedureMs = seen.procedureMs === undefined ? ms : `${seen.procedureMs},${ms}`;
}

function noteSignedIn(seen: RequestObservation | undefined, principal: { userId: string; sessionId: string }) {
  if (!seen) return;
  seen.userId = principal.userId;
  seen.sessionId = principal.sessionId;
}
