import fastifyCors from "@fastify/cors";
import fastifyHelmet from "@fastify/helmet";
import type { Config } from "@tidings/config";
import type { FastifyInstance } from "fastify";
import helmet, { type HelmetOptions } from "helmet";

/** S20: security headers on every response, and CORS only for the app's own origins. */
export async function registerSecurityHeaders(app: FastifyInstance, config: Config): Promise<void> {
  const https = config.appUrl.startsWith("https://");
  const options = {
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
  } satisfies HelmetOptions;
  // @fastify/helmet builds its middleware anew for every request (parsing the CSP each time), a
  // good part of a small request's cost. With these options helmet's headers do not depend on the
  // request, so they are taken from helmet once and set as a list; the plugin stays for routes
  // with helmet options of their own and for `reply.helmet()`.
  await app.register(fastifyHelmet, { ...options, global: false });
  const headers = headersSetBy(helmet(options));
  app.addHook("onRequest", (request, reply, done) => {
    if ((request.routeOptions.config as { helmet?: unknown }).helmet !== undefined) return done();
    const response = reply.raw;
    for (const [name, value] of headers) response.setHeader(name, value);
    // helmet's X-Powered-By rule removes the header; Node and Fastify never set it.
    done();
  });
  const allowed = new Set([new URL(config.appUrl).origin, ...config.auth.corsOrigins]);
  await app.register(fastifyCors, {
    origin: (origin, callback) => callback(null, origin === undefined || allowed.has(origin)),
    credentials: true,
    allowedHeaders: ["content-type", "authorization", "x-tidings-csrf", "trpc-accept", "x-request-id"],
  });
}

type Middleware = ReturnType<typeof helmet>;

/** Runs helmet's middleware once against a recorder: the headers it sets, in order. */
function headersSetBy(middleware: Middleware): [string, string | string[]][] {
  const headers: [string, string | string[]][] = [];
  let finished = false;
  const recorder = {
    setHeader(name: string, value: string | string[]) {
      headers.push([name, value]);
    },
    removeHeader() {},
  };
  middleware({} as never, recorder as never, (error?: unknown) => {
    if (error) throw error;
    finished = true;
  });
  // Options that made helmet asynchronous or request-dependent would make the list wrong.
  if (!finished) throw new Error("helmet did not finish synchronously; its headers cannot be precomputed");
  return headers;
}
