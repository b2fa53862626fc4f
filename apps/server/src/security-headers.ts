import fastifyCors from "@fastify/cors";
import fastifyHelmet from "@fastify/helmet";
import type { Config } from "@tidings/config";
import type { FastifyInstance } from "fastify";

/** S20: security headers on every response, and CORS only for the app's own origins. */
export async function registerSecurityHeaders(app: FastifyInstance, config: Config): Promise<void> {
  const https = config.appUrl.startsWith("https://");
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // React style attributes, and the dev mailbox's email HTML (MJML inlines its CSS).
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:", "https:"],
        fontSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        frameSrc: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        // Only over https: on plain http it would send the browser to an https that is not there.
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: "strict-origin-when-cross-origin" },
    crossOriginEmbedderPolicy: false,
  });
  const allowed = new Set([new URL(config.appUrl).origin, ...config.auth.corsOrigins]);
  await app.register(fastifyCors, {
    origin: (origin, callback) => callback(null, origin === undefined || allowed.has(origin)),
    credentials: true,
    allowedHeaders: ["content-type", "authorization", "x-tidings-csrf", "trpc-accept", "x-request-id"],
  });
}
