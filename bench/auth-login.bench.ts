import { availableParallelism } from "node:os";
import { measureVerify, type VerifyResult } from "./fixtures/argon2-verify.ts";
import {
  type AuthServer,
  BENCH_PASSWORD,
  benchThreadPoolSize,
  signIn,
  signInLoad,
  startAuthServer,
} from "./fixtures/auth-server.ts";
import { load, ratio, runJson, startListening } from "./lib.ts";

/**
 * Sign-ins per second through `POST /trpc/auth.login` (server in production mode: Postgres, Redis,
 * NODE_ENV=production) against raw argon2id verifications per second of the same hash, with the same
 * concurrency and the same libuv pool size. argon2 is the floor of a sign-in; the ratio is what the
 * rest (HTTP, tRPC, rate limits, session rows, token signing) costs on top.
 *
 * When the pool has at least as many threads as the machine has cores, argon2 alone keeps every
 * core busy, so each millisecond of the rest is taken from argon2: the ratio then measures the
 * rest's CPU against argon2's. The same comparison is also made with one pool thread fewer than
 * there are cores (`withSpareCore`), where the rest has a core of its own and the ratio shows
 * whether it keeps up with argon2.
 *
 * `floor` is a bare Fastify route that only verifies the posted password, under the same load and
 * pool size: what any sign-in over HTTP reaches here before it touches a database or Redis.
 */
export async function run(options: Record<string, string>): Promise<Record<string, unknown>> {
  const concurrency = Number(options.loginConnections ?? 8);
  const seconds = Number(options.loginSeconds ?? 10);
  const threadPoolSize = benchThreadPoolSize();
  const main = await compare(await startAuthServer(), threadPoolSize, concurrency, seconds, (hash) =>
    measureVerify(hash, BENCH_PASSWORD, concurrency, seconds),
  );
  const result: Record<string, unknown> = {
    name: `auth.login over HTTP vs raw argon2id verify (concurrency ${concurrency}, UV_THREADPOOL_SIZE ${threadPoolSize})`,
    ...main,
  };
  const spare = availableParallelism() - 1;
  if (spare >= 1 && spare !== threadPoolSize) {
    // A process fixes its pool size when it first uses the pool: this baseline runs in a child.
    const verifyIn = (hash: string) =>
      runJson<VerifyResult>(["--import", "tsx", "bench/fixtures/argon2-verify.ts"], {
        UV_THREADPOOL_SIZE: String(spare),
        HASH: hash,
        PASSWORD: BENCH_PASSWORD,
        CONCURRENCY: String(concurrency),
        SECONDS: String(seconds),
      });
    result.withSpareCore = {
      threadPoolSize: spare,
      ...(await compare(await startAuthServer({ threadPoolSize: spare }), spare, concurrency, seconds, verifyIn)),
    };
  }
  return result;
}

/** Baseline first, then the server, each after a warm-up so JIT and connections favour neither. */
async function compare(
  auth: AuthServer,
  threadPoolSize: number,
  concurrency: number,
  seconds: number,
  verify: (hash: string) => Promise<VerifyResult>,
) {
  try {
    await signIn(auth.server.url); // the first sign-in from this user agent; later ones send no email
    const url = `${auth.server.url}/trpc/auth.login`;
    await load(url, signInLoad(concurrency, 1));
    const baseline = await verify(auth.passwordHash);
    const candidate = await load(url, signInLoad(concurrency, seconds));
    if (candidate.non2xx || candidate.errors) throw new Error(`sign-ins failed: ${JSON.stringify(candidate)}`);
    const floor = await bareVerifyLoad(auth.passwordHash, threadPoolSize, concurrency, seconds);
    const share = (perSecond: number) => ratio(perSecond, baseline.verificationsPerSecond);
    return {
      baseline,
      candidate,
      ratio: share(candidate.requestsPerSecond),
      floor: { ...floor, ratio: share(floor.requestsPerSecond) },
    };
  } finally {
    await auth.close();
  }
}

async function bareVerifyLoad(hash: string, threadPoolSize: number, concurrency: number, seconds: number) {
  const bare = await startListening(["--import", "tsx", "bench/fixtures/bare-verify.ts"], {
    HASH: hash,
    UV_THREADPOOL_SIZE: String(threadPoolSize),
  });
  try {
    const url = `${bare.url}/login`;
    await load(url, signInLoad(concurrency, 1));
    const result = await load(url, signInLoad(concurrency, seconds));
    if (result.non2xx || result.errors) throw new Error(`bare verify failed: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await bare.stop();
  }
}
