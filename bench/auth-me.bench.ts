import { signIn, startAuthServer } from "./fixtures/auth-server.ts";
import { load, ratio, startListening } from "./lib.ts";

/**
 * `GET /trpc/auth.me` with a valid Bearer token (server in production mode: JWT check, Redis
 * revocation check and rate limit, the user row from Postgres) against a bare Fastify route
 * returning the same JSON, same connections. health.ping on the same server is reported too, so
 * the share of the per-request database read and token check can be seen.
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
    const bare = await startListening(["--import", "tsx", "bench/fixtures/bare-json.ts"], {
      BARE_BODY: await first.text(),
    });
    try {
      await load(meUrl, { connections, seconds: 1, headers });
      await load(`${bare.url}/me`, { connections, seconds: 1 });
      const baseline = await load(`${bare.url}/me`, { connections, seconds });
      const candidate = await load(meUrl, { connections, seconds, headers });
      const healthPing = await load(`${auth.server.url}/trpc/health.ping`, { connections, seconds });
      if (candidate.non2xx || candidate.errors) throw new Error(`auth.me failed: ${JSON.stringify(candidate)}`);
      return {
        name: `auth.me (Bearer) over tRPC vs bare Fastify route, ${connections} connections`,
        baseline,
        candidate,
        ratio: ratio(candidate.requestsPerSecond, baseline.requestsPerSecond),
        healthPingSameServer: healthPing,
      };
    } finally {
      await bare.stop();
    }
  } finally {
    await auth.close();
  }
}
