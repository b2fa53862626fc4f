export {
  createMemoryRateLimiter,
  type MemoryRateLimiter,
  type MemoryRateLimiterOptions,
} from "./memory-rate-limiter.ts";
export type {
  RateLimitCheck,
  RateLimiter,
  RateLimitRefusal,
  RateLimitResult,
  RateLimitRule,
} from "./rate-limiter.ts";
export { createRedisRateLimiter } from "./redis-rate-limiter.ts";
