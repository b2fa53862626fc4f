import { AuthFailure, authenticate } from "@tidings/auth";
import { findUserById } from "@tidings/db";
import { initTRPC } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import type { Context } from "./context.ts";
import { AppError, appCodeForTrpcCode } from "./errors.ts";

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  // Stack traces never leave the server, whatever NODE_ENV says.
  isDev: false,
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
export const createCallerFactory = t.createCallerFactory;

/** Turns the auth core's failures into API errors with the same app code. */
const authFailures = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AuthFailure) {
    const failure = result.error.cause;
    throw new AppError(failure.code, failure.message, failure.extra);
  }
  return result;
});

export const publicProcedure = t.procedure.use(authFailures);

/** Needs a valid, unrevoked access token; puts the caller in `ctx.principal`. */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const token = ctx.request.accessToken;
  if (!token) throw new AppError("TOKEN_INVALID", "Sign in first");
  const principal = await authenticate(ctx.auth, token);
  return next({ ctx: { principal } });
});

/** Needs the admin role, read from the database so a demotion takes effect at once. */
export const adminProcedure = authedProcedure.use(async ({ ctx, next }) => {
  const user = await findUserById(ctx.db, ctx.principal.userId);
  if (user?.role !== "admin" || user.disabled_at) throw new AppError("FORBIDDEN", "Administrators only");
  return next({ ctx: { admin: user } });
});
