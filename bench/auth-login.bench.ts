import { measureVerify } from "./fixtures/argon2-verify.ts";
import { BENCH_PASSWORD, benchThreadPoolSize, signIn, signInLoad, startAuthServer } from "./fixtures/auth-server.ts";
import { peerSignIn, peerSignInLoad, startBetterAuth } from "./fixtures/better-auth-server.ts";
import { measureHashCosts } from "./fixtures/hash-cost.ts";
import {
  assertAllOk,
  type LoadResult,
  load,
  perSecond,
  type ReportLine,
  ratio,
  startListening,
  targetLine,
} from "./lib.ts";

/**
 * Sign-ins per second: Tidings' `POST /trpc/auth.login` (production mode: Postgres, Redis) against
 * Better Auth's `POST /api/auth/sign-in/email` (its defaults, rate limit off, same Postgres), same
 * user, password, concurrency and libuv pool size; target: Tidings at least 5x.
 *
 * Context, without targets: raw argon2id verifications per second of the same hash with the same
 * concurrency (the floor of any Tidings sign-in), a bare Fastify route that only verifies the posted
 * password (what a sign-in over HTTP reaches here before a database or Redis), and the cost of one
 * password check on each side (`hashCost`), which bounds the sign-in ratio when hashing dominates.
 */
export async function run(options: Record<string, string>): Promise<Record<string, unknown>> {
  const concurrency = Number(options.loginConnections ?? 8);
  const seconds = Number(options.loginSeconds ?? 10);
  const threadPoolSize = benchThreadPoolSize();

  const auth = await startAuthServer();
  let tidings: LoadResult;
  let argon2: Awaited<ReturnType<typeof measureVerify>>;
  let floor: LoadResult;
  try {
    await signIn(auth.server.url); // the first sign-in from this user agent; later ones send no email
    const url = `${auth.server.url}/trpc/auth.login`;
    await load(url, signInLoad(concurrency, 1));
    tidings = assertAllOk("auth.login", await load(url, signInLoad(concurrency, seconds)));
    argon2 = await measureVerify(auth.passwordHash, BENCH_PASSWORD, concurrency, seconds);
    floor = await bareVerifyLoad(auth.passwordHash, threadPoolSize, concurrency, seconds);
  } finally {
    await auth.close();
  }

  const peer = await startBetterAuth({ threadPoolSize });
  let betterAuth: LoadResult;
  try {
    await peerSignIn(peer.server.url);
    const url = `${peer.server.url}/api/auth/sign-in/email`;
    await load(url, peerSignInLoad(peer.server.url, concurrency, 1));
    betterAuth = assertAllOk(
      "Better Auth sign-in",
      await load(url, peerSignInLoad(peer.server.url, concurrency, seconds)),
    );
  } finally {
    await peer.close();
  }

  const hashCost = await measureHashCosts(BENCH_PASSWORD, Number(options.hashChecks ?? 20));
  const vsPeer = tidings.requestsPerSecond / betterAuth.requestsPerSecond;
  const setting = `concurrency ${concurrency}, UV_THREADPOOL_SIZE ${threadPoolSize}`;
  const lines: ReportLine[] = [
    targetLine(
      {
        measure: `sign-ins: auth.login vs Better Auth sign-in/email (${setting})`,
        tidings: perSecond(tidings, "sign-ins/s"),
        comparedWith: perSecond(betterAuth, "sign-ins/s"),
        ratio: vsPeer.toFixed(2),
      },
      vsPeer,
      { atLeast: 5 },
      ">= 5",
    ),
    {
      measure: "context: auth.login vs raw argon2id verifications, same hash and concurrency",
      tidings: perSecond(tidings, "sign-ins/s"),
      comparedWith: `${argon2.verificationsPerSecond} verifies/s`,
      ratio: ratio(tidings.requestsPerSecond, argon2.verificationsPerSecond),
    },
    {
      measure: "context: a bare Fastify route that only verifies the password vs raw argon2id",
      tidings: perSecond(floor),
      comparedWith: `${argon2.verificationsPerSecond} verifies/s`,
      ratio: ratio(floor.requestsPerSecond, argon2.verificationsPerSecond),
    },
    {
      measure:
        "context: CPU of one password check, Tidings' argon2id vs Better Auth's scrypt (ratio: scrypt / argon2id)",
      tidings: `${hashCost.tidingsArgon2id.ms} ms (CPU ${hashCost.tidingsArgon2id.cpuMs} ms)`,
      comparedWith: `${hashCost.betterAuthScrypt.ms} ms (CPU ${hashCost.betterAuthScrypt.cpuMs} ms)`,
      ratio: ratio(hashCost.betterAuthScrypt.cpuMs, hashCost.tidingsArgon2id.cpuMs),
    },
  ];
  return {
    name: `auth.login vs Better Auth sign-in/email (${setting})`,
    candidate: tidings,
    peer: betterAuth,
    ratio: vsPeer.toFixed(2),
    argon2,
    floor,
    hashCost,
    lines,
  };
}

async function bareVerifyLoad(hash: string, threadPoolSize: number, concurrency: number, seconds: number) {
  const bare = await startListening(["--import", "tsx", "bench/fixtures/bare-verify.ts"], {
    HASH: hash,
    UV_THREADPOOL_SIZE: String(threadPoolSize),
  });
  try {
    const url = `${bare.url}/login`;
    await load(url, signInLoad(concurrency, 1));
    return assertAllOk("bare verify", await load(url, signInLoad(concurrency, seconds)));
  } finally {
    await bare.stop();
  }
}
