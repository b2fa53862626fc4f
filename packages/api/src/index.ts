import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "./root.ts";

export { createAuthDeps } from "./auth-deps.ts";
export {
  type ApiObserver,
  type Context,
  createContext,
  type InnerContext,
  plainRequest,
  type RefreshCookie,
  type RequestInfo,
} from "./context.ts";
export { type AppCode, AppError, appCodes } from "./errors.ts";
export { type ProcedureInfo, type ProcedurePath, procedureCatalogue, procedureList } from "./procedures.ts";
export {
  consumeRateLimits,
  type RateLimitCheck,
  type RateLimitName,
  refreshLimits,
  signInLimits,
} from "./rate-limits.ts";
export { type AppRouter, appRouter } from "./root.ts";
export { transformer } from "./transformer.ts";
export { createCallerFactory, errorResponseBody } from "./trpc.ts";

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
