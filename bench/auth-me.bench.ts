import { randomBytes } from "node:crypto";
import { signIn, startAuthServer } from "./fixtures/auth-server.ts";
import { flushRedisPrefix, load, REDIS_URL, ratio, startListening } from "./lib.ts";

/**
 * `GET /trpc/auth.me` with a valid Bearer token (server in production mode: JWT check, Redis
 * revocation check and rate limit, the user row from Postgres or its one-second cache) against a bare Fastify route
 * returning the same JSON, same connections. Reported beside it, to show where the difference goes:
 * `/healthz` on the same server (its hooks: security headers, CORS, request id, metrics; no tRPC),
 * `health.ping` on the same server (tRPC and the per-IP rate limit in Redis, no token), and the
 * bare route plus one Redis command per request (the least a rate limit shared by processes costs),
 * and `floor`: that route also sending the headers auth.me sends (S20's security headers, CORS,
 * request id). No auth.me can beat `floor` here: it must send those headers and share its rate limit.
 */
export async function run(options: Record<string, string>): Promise<Record<string, unknown>> {
  const connections = Number(options.meConnections ?? 20);
  const seconds = Number(options.meSeconds ?? 5);
  const auth = await startAuthServer();
  try {
    const token = await signIn(auth.server.url);
    const headers = { authorization: `Bearer ${token}` };
    const meUrl = `${auth.server.url}/trpc/auth.me`;
    const first = await fetch(meUrl, { headers });
    if (!first.ok) throw new Error(`auth.me answered ${first.status}`);
    const body = await first.text();
    const sentHeaders = [...first.headers].filter(([name]) => !transportHeaders.has(name));
    const bare = await startListening(["--import", "tsx", "bench/fixtures/bare-json.ts"], { BARE_BODY: body });
    try {
      await load(meUrl, { connections, seconds: 1, headers });
      await load(`${bare.url}/me`, { connections, seconds: 1 });
      const baseline = await load(`${bare.url}/me`, { connections, seconds });
      const candidate = await load(meUrl, { connections, seconds, headers });
      if (candidate.non2xx || candidate.errors) throw new Error(`auth.me failed: ${JSON.stringify(candidate)}`);
      const healthzSameServer = await load(`${auth.server.url}/healthz`, { connections, seconds });
      const healthPingSameServer = await load(`${auth.server.url}/trpc/health.ping`, { connections, seconds });
      const bareWithRedis = await bareRouteWithRedis(body, connections, seconds);
      const floor = await bareRouteWithRedis(body, connections, seconds, sentHeaders);
      const share = (result: { requestsPerSecond: number }) =>
        ratio(result.requestsPerSecond, baseline.requestsPerSecond);
      return {
        name: `auth.me (Bearer) over tRPC vs bare Fastify route, ${connections} connections`,
        baseline,
        candidate,
        ratio: ratio(candidate.requestsPerSecond, baseline.requestsPerSecond),
        healthzSameServer: { ...healthzSameServer, ratio: share(healthzSameServer) },
        healthPingSameServer: { ...healthPingSameServer, ratio: share(healthPingSameServer) },
        bareWithRedis: { ...bareWithRedis, ratio: share(bareWithRedis) },
        floor: { ...floor, ratio: share(floor) },
      };
    } finally {
      await bare.stop();
    }
  } finally {
    await auth.close();
  }
}

// Written by Node or Fastify for any answer, the bare route's included.
const transportHeaders = new Set(["content-length", "content-type", "date", "connection", "keep-alive"]);

async function bareRouteWithRedis(body: string, connections: number, seconds: number, headers: string[][] = []) {
  const prefix = `tidings_bench_${randomBytes(4).toString("hex")}`;
  const server = await startListening(["--import", "tsx", "bench/fixtures/bare-json.ts"], {
    BARE_BODY: body,
    BARE_HEADERS: JSON.stringify(headers),
    REDIS_URL,
    REDIS_PREFIX: prefix,
  });
  try {
    await load(`${server.url}/me`, { connections, seconds: 1 });
    return await load(`${server.url}/me`, { connections, seconds });
  } finally {
    await server.stop();
    await flushRedisPrefix(prefix);
  }
}
