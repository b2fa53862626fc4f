import { randomUUID } from "node:crypto";
import fastifyCookie from "@fastify/cookie";
import { AppError, appRouter, createContext, errorResponseBody } from "@tidings/api";
import type { Config } from "@tidings/config";
import Fastify, { type FastifyInstance } from "fastify";
import type { DestinationStream } from "pino";
import { registerAccountExportRoute } from "./account-export.ts";
import { registerAttachmentRoutes } from "./attachments.ts";
import { redactedLogPaths, serializeRequest } from "./log-redaction.ts";
import { registerMailOAuthCallback } from "./mail-oauth-callback.ts";
import { registerObservability } from "./metrics/observability.ts";
import { registerOAuthTokenRoute } from "./oauth-token.ts";
import { registerApiDocs } from "./openapi/routes.ts";
import { csrfProofCheck, refreshCookieFor } from "./refresh-cookie.ts";
import { registerSecurityHeaders } from "./security-headers.ts";
import type { Services } from "./services.ts";
import { registerTrpc, type TrpcOptions } from "./trpc-fastify.ts";
import { registerWebApp } from "./web.ts";

export interface AppOptions {
  config: Config;
  services: Services;
}

export function createFastify(config: Config, logStream?: DestinationStream): FastifyInstance {
  return Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: redactedLogPaths, censor: "[redacted]" },
      serializers: { req: serializeRequest },
      // LOG_FILE and pretty output (see createLogDestination); otherwise pino's stdout.
      ...(logStream ? { stream: logStream } : {}),
    },
    // A caller-supplied id (from a proxy) is kept when it is sane, so logs can be joined across hops.
    genReqId: (request) => {
      const given = request.headers["x-request-id"];
      return typeof given === "string" && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    // S11: X-Forwarded-For counts only when it comes from a proxy named in TRUST_PROXY.
    trustProxy: config.auth.trustProxy.length ? config.auth.trustProxy : false,
    routerOptions: { maxParamLength: 5_000 },
  });
}

/** Everything the HTTP server answers; composition only, the rules live in the packages. */
export async function registerRoutes(app: FastifyInstance, { config, services }: AppOptions): Promise<void> {
  // Set on arrival (synchronously): every answer carries it, and an async onSend hook costs a promise per request.
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    done();
  });
  // Metrics, and the user, session and procedure fields of the access-log line.
  const observability = registerObservability(app, { config, services });
  await registerSecurityHeaders(app, config);

  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
    const [database, redis] = await Promise.allSettled([services.database.ping(), services.pingRedis()]);
    const checks = {
      database: database.status === "fulfilled" ? "ok" : "unavailable",
      redis: !services.redis ? "not configured" : redis.status === "fulfilled" ? "ok" : "unavailable",
    };
    const ready = database.status === "fulfilled" && redis.status === "fulfilled";
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not ready", checks });
  });

  app.get("/.well-known/jwks.json", async (_request, reply) => {
    reply.header("cache-control", "public, max-age=300");
    return services.auth.keyRing.jwks();
  });
  await registerOAuthTokenRoute(app, services, config, observability.api);
  await registerMailOAuthCallback(app, { config, services });
  await registerAccountExportRoute(app, services, config);
  await registerApiDocs(app);
  await registerAttachmentRoutes(app, services, config);

  await app.register(fastifyCookie);

  // Server-sent event streams (mail.events) never finish by themselves, and Node's close() waits
  // for every open request: end them as closing starts, so shutdown is not held to its timeout.
  const shutdown = new AbortController();
  app.addHook("preClose", (done) => {
    shutdown.abort();
    done();
  });

  const deps = {
    config,
    db: services.database.db,
    jobs: services.jobs,
    auth: services.auth,
    rateLimiter: services.rateLimiter,
    mailEvents: services.mailEvents,
    observer: observability.api,
    shutdown: shutdown.signal,
  };
  const hasCsrfProof = csrfProofCheck(config);
  await registerTrpc(app, {
    prefix: "/trpc",
    errorBody: errorResponseBody,
    trpcOptions: {
      router: appRouter,
      createContext: ({ req, res }) =>
        createContext(deps, {
          ip: req.ip,
          userAgent: req.headers["user-agent"],
          requestId: String(req.id),
          accessToken: bearerToken(req.headers.authorization),
          csrfProof: hasCsrfProof(req),
          refreshCookie: refreshCookieFor(config, req, res),
          raw: req,
        }),
      responseMeta: ({ errors }) => {
        // RATE_LIMITED answers also say when to come back in the HTTP way (S9).
        const limited = errors.find((error) => error instanceof AppError && error.appCode === "RATE_LIMITED");
        const seconds = limited instanceof AppError ? limited.extra.retryAfterSeconds : undefined;
        if (typeof seconds !== "number") return corsVary;
        return { headers: new Headers({ vary: "Origin", "retry-after": String(seconds) }) };
      },
      onError: ({ error, path }) => {
        if (error.code === "INTERNAL_SERVER_ERROR")
          app.log.error({ err: error.cause ?? error, path }, "procedure failed");
      },
    } satisfies TrpcOptions<typeof appRouter>,
  });

  await registerWebApp(app, { distDir: config.webDistDir, production: config.nodeEnv === "production" });
}

// CORS gives every answer `Vary: Origin`; tRPC's own Vary would replace it, responseMeta's headers
// add to it. Shared by every answer: tRPC only reads it.
const corsVary = { headers: new Headers({ vary: "Origin" }) };

function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer ([A-Za-z0-9._~+/=-]{1,8192})$/);
  return match?.[1];
}
