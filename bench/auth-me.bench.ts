import { randomBytes } from "node:crypto";
import { signIn, startAuthServer } from "./fixtures/auth-server.ts";
import { peerSignIn, startBetterAuth } from "./fixtures/better-auth-server.ts";
import {
  assertAllOk,
  flushRedisPrefix,
  type LoadResult,
  load,
  perSecond,
  REDIS_URL,
  type ReportLine,
  ratio,
  startListening,
  targetLine,
} from "./lib.ts";

/**
 * Session checks per second: `GET /trpc/auth.me` with a valid Bearer token (server in production
 * mode) against Better Auth's `GET /api/auth/get-session` with its session cookie (its defaults:
 * the session and user read from Postgres), same connections. Targets: Tidings at least 5x, and
 * auth.me's p99 at most 20 ms at 20 connections.
 *
 * Context, without targets: a bare Fastify route returning the same JSON as auth.me. Beside it:
 * `/healthz` on the same server (its hooks: security headers, CORS, request id, metrics; no tRPC),
 * `health.ping` on the same server (tRPC and the per-IP rate limit in Redis, no token), and the
 * bare route plus one Redis command per request (the least a rate limit shared by processes costs),
 * and `floor`: that route also sending the headers auth.me sends (S20's security headers, CORS,
 * request id). No auth.me can beat `floor` here: it must send those headers and share its rate limit.
 */
export async function run(options: Record<string, string>): Promise<Record<string, unknown>> {
  const connections = Number(options.meConnections ?? 20);
  const seconds = Number(options.meSeconds ?? 5);
  const tidings = await measureTidings(connections, seconds);
  const betterAuth = await measureBetterAuth(connections, seconds);
  const { candidate, baseline } = tidings;
  const vsPeer = candidate.requestsPerSecond / betterAuth.requestsPerSecond;
  const share = (result: LoadResult) => ratio(result.requestsPerSecond, baseline.requestsPerSecond);
  const vsBare = (measure: string, result: LoadResult): ReportLine => ({
    measure: `context: ${measure} vs a bare Fastify route with auth.me's JSON`,
    tidings: perSecond(result),
    comparedWith: perSecond(baseline),
    ratio: share(result),
  });
  const lines: ReportLine[] = [
    targetLine(
      {
        measure: `session checks: auth.me vs Better Auth get-session (${connections} connections)`,
        tidings: perSecond(candidate),
        comparedWith: perSecond(betterAuth),
        ratio: vsPeer.toFixed(2),
      },
      vsPeer,
      { atLeast: 5 },
      ">= 5",
    ),
    targetLine(
      { measure: `auth.me p99 at ${connections} connections`, tidings: `${candidate.p99Ms} ms` },
      candidate.p99Ms,
      { atMost: 20 },
      connections === 20 ? "<= 20 ms" : "<= 20 ms (at 20 connections)",
    ),
    vsBare("auth.me", candidate),
    vsBare("/healthz on the same server", tidings.healthzSameServer),
    vsBare("health.ping on the same server", tidings.healthPingSameServer),
    vsBare("the bare route plus one Redis command", tidings.bareWithRedis),
    vsBare("floor: the bare route plus one Redis command and auth.me's headers", tidings.floor),
  ];
  return {
    name: `auth.me (Bearer) vs Better Auth get-session (cookie), ${connections} connections`,
    candidate,
    peer: betterAuth,
    ratio: vsPeer.toFixed(2),
    baseline,
    healthzSameServer: { ...tidings.healthzSameServer, ratio: share(tidings.healthzSameServer) },
    healthPingSameServer: { ...tidings.healthPingSameServer, ratio: share(tidings.healthPingSameServer) },
    bareWithRedis: { ...tidings.bareWithRedis, ratio: share(tidings.bareWithRedis) },
    floor: { ...tidings.floor, ratio: share(tidings.floor) },
    lines,
  };
}

async function measureBetterAuth(connections: number, seconds: number): Promise<LoadResult> {
  const peer = await startBetterAuth();
  try {
    const headers = { cookie: await peerSignIn(peer.server.url) };
    const url = `${peer.server.url}/api/auth/get-session`;
    const first = await fetch(url, { headers });
    if (!first.ok || !(await first.json())) throw new Error(`Better Auth get-session answered ${first.status} or null`);
    await load(url, { connections, seconds: 1, headers });
    return assertAllOk("Better Auth get-session", await load(url, { connections, seconds, headers }));
  } finally {
    await peer.close();
  }
}

async function measureTidings(connections: number, seconds: number) {
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
      const candidate = assertAllOk("auth.me", await load(meUrl, { connections, seconds, headers }));
      const healthzSameServer = await load(`${auth.server.url}/healthz`, { connections, seconds });
      const healthPingSameServer = await load(`${auth.server.url}/trpc/health.ping`, { connections, seconds });
      const bareWithRedis = await bareRouteWithRedis(body, connections, seconds);
      const floor = await bareRouteWithRedis(body, connections, seconds, sentHeaders);
      return { baseline, candidate, healthzSameServer, healthPingSameServer, bareWithRedis, floor };
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
