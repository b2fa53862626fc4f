// Whole Tidings processes for end-to-end tests of the server and the web app: servers and a worker
// started by path on a fresh database, Redis prefix and SMTP sink, and raw tRPC calls over HTTP.
export {
  APP_URL,
  type AuthResultBody,
  type AuthStack,
  generousRateLimits,
  PASSWORD,
  signIn,
  signUp,
  startAuthStack,
  tokenFromEmail,
} from "./auth-stack.ts";
export { type SeedThread, seedMailThreads } from "./mail-seed.ts";
export { type StartedServer, serverDir, startServer, waitUntil } from "./server-process.ts";
export { type ForwardedEvent, type SseRequest, type SseSplitProxy, startSseSplitProxy } from "./sse-split-proxy.ts";
export { bearer, type TrpcAnswer, trpcCall } from "./trpc-http.ts";
