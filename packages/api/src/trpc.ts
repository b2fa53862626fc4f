import { AuthFailure, authenticate, normalizeEmail } from "@tidings/auth";
import { findUserById } from "@tidings/db";
import { getErrorShape, initTRPC, TRPCError, transformTRPCResponse } from "@trpc/server";
import { ZodError } from "zod";
import type { Context } from "./context.ts";
import { AppError, appCodeForTrpcCode } from "./errors.ts";
import { consumeRateLimits, type RateLimitCheck, type RateLimitName } from "./rate-limits.ts";
import { transformer } from "./transformer.ts";

export interface ProcedureMeta {
  /** Procedures with limits of their own (sign-in, registration, ...) skip the default one. */
  ownRateLimits?: boolean;
}

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    transformer,
    // Stack traces never leave the server, whatever NODE_ENV says.
    isDev: false,
    // Subscriptions (mail.events) as server-sent events. A comment-free ping every 15 s keeps
    // proxies from cutting an idle stream (nginx's default read timeout is 60 s); a client that
    // hears nothing for 40 s takes the connection for dead and reconnects, resuming by event id.
    // After 30 minutes the server ends a stream and the client reconnects: its access token is
    // checked again then, so a revoked session stops getting events.
    sse: {
      ping: { enabled: true, intervalMs: 15_000 },
      client: { reconnectAfterInactivityMs: 40_000 },
      maxDurationMs: 30 * 60_000,
    },
    errorFormatter({ shape, error }) {
      const zodError = error.cause instanceof ZodError ? error.cause : undefined;
      const appCode = error instanceof AppError ? error.appCode : appCodeForTrpcCode(error.code);
      const issues = zodError?.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message }));
      return {
        message: appCode === "INTERNAL" ? "Internal server error" : zodError ? "Invalid input" : shape.message,
        code: shape.code,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          appCode,
          ...(issues ? { issues } : {}),
          ...(error instanceof AppError ? error.extra : {}),
        },
      };
    },
  });

export const createTRPCRouter = t.router;

/**
 * The wire body (error shape, transformer applied) tRPC sends for an error raised outside any
 * procedure: for what the HTTP layer refuses before tRPC runs (a body past the limit, say).
 */
export function errorResponseBody(code: TRPCError["code"], message: string): unknown {
  const error = new TRPCError({ code, message });
  const shape = getErrorShape({
    config: t._config,
    ctx: undefined,
    error,
    input: undefined,
    path: undefined,
    type: "unknown",
  });
  return transformTRPCResponse(t._config, { error: shape });
}
export const createCallerFactory = t.createCallerFactory;

/** Counts one attempt against each rule; the first exhausted rule answers RATE_LIMITED. */
export async function enforceRateLimits(ctx: Context, checks: readonly RateLimitCheck[]): Promise<void> {
  const refused = await consumeRateLimits(ctx.rateLimiter, ctx.config, checks);
  if (!refused) return;
  ctx.observer?.rateLimited?.(refused.rule, ctx.request);
  throw new AppError(
    "RATE_LIMITED",
    `${whatIsLimited(refused.rule)} Try again in ${describeWait(refused.retryAfterSeconds)}.`,
    {
      retryAfterSeconds: refused.retryAfterSeconds,
    },
  );
}

/** Says which budget ran out, so that a person knows whether another address or network would do. */
function whatIsLimited(rule: RateLimitName): string {
  switch (rule) {
    case "emailActions":
      return "Too many emails to this address.";
    case "emailActionsIp":
      return "Too many email requests from this network.";
    default:
      return "Too many attempts.";
  }
}

/** "45 seconds", "3 minutes". */
function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

/**
 * Outermost, for every procedure: turns the auth core's failures into API errors with the same app
 * code, and reports each call with the app code the caller gets to the optional observer. One
 * middleware, not two: each layer copies the call's options, a visible cost on cheap queries.
 */
const baseProcedure = t.procedure.use(async ({ ctx, path, next }) => {
  const observer = ctx.observer?.procedureDone ? ctx.observer : undefined;
  const started = observer ? performance.now() : 0;
  const result = await next();
  let error = result.ok ? undefined : result.error;
  if (error?.cause instanceof AuthFailure) {
    const failure = error.cause;
    error = new AppError(failure.code, failure.message, failure.extra);
  }
  if (observer) {
    const outcome = !error ? "ok" : error instanceof AppError ? error.appCode : appCodeForTrpcCode(error.code);
    observer.procedureDone?.(path, outcome, (performance.now() - started) / 1000, ctx.request);
  }
  if (!result.ok && error !== result.error) throw error;
  return result;
});

/** Signed out: the default limit per client IP (S9), unless the procedure brings its own. */
export const publicProcedure = baseProcedure.use(async ({ ctx, meta, next }) => {
  if (!meta?.ownRateLimits) await enforceRateLimits(ctx, [{ rule: "default", key: `ip:${ctx.request.ip}` }]);
  return next();
});

/** Needs a valid, unrevoked access token; puts the caller in `ctx.principal`; default limit per user. */
export const authedProcedure = baseProcedure.use(async ({ ctx, meta, next }) => {
  const token = ctx.request.accessToken;
  if (!token) throw new AppError("TOKEN_INVALID", "Sign in first");
  const principal = await authenticate(ctx.auth, token);
  ctx.observer?.signedIn?.(ctx.request, principal);
  if (!meta?.ownRateLimits) await enforceRateLimits(ctx, [{ rule: "default", key: `user:${principal.userId}` }]);
  return next({ ctx: { principal } });
});

/** Registration, resend and reset: per email and per IP. */
export const emailActionLimits = (ctx: Context, email: string) =>
  enforceRateLimits(ctx, [
    { rule: "emailActionsIp", key: ctx.request.ip },
    { rule: "emailActions", key: normalizeEmail(email) },
  ]);

/** Needs the admin role, read from the database so a demotion takes effect at once. */
export const adminProcedure = authedProcedure.use(async ({ ctx, next }) => {
  const user = await findUserById(ctx.db, ctx.principal.userId);
  if (user?.role !== "admin" || user.disabled_at) throw new AppError("FORBIDDEN", "Administrators only");
  return next({ ctx: { admin: user } });
});

/**
 * Mailboxes and AI: signed in with a verified email (sign-in may allow unverified accounts when
 * AUTH_REQUIRE_VERIFIED_EMAIL=false; connecting someone's mailbox may not). Puts the user in `ctx.user`.
 */
export const verifiedProcedure = authedProcedure.use(async ({ ctx, next }) => {
  const user = await findUserById(ctx.db, ctx.principal.userId);
  if (!user || user.disabled_at) throw new AppError("TOKEN_INVALID", "Sign in first");
  if (!user.email_verified_at) throw new AppError("FORBIDDEN", "Verify your email address first");
  return next({ ctx: { user } });
});
