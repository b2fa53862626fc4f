import { verifyPassword } from "@tidings/auth";
import { BENCH_PASSWORD, loginBody, signIn, startAuthServer } from "./fixtures/auth-server.ts";
import { load, ratio } from "./lib.ts";

/**
 * Sign-ins per second through `POST /trpc/auth.login` (server in production mode: Postgres, Redis,
 * NODE_ENV=production) against raw argon2id verifications per second of the same hash, with the same
 * concurrency and the same libuv pool size. argon2 is the floor of a sign-in; the ratio is what the
 * rest (HTTP, tRPC, rate limits, session rows, token signing) costs on top.
 */
export async function run(options: Record<string, string>): Promise<Record<string, unknown>> {
  const concurrency = Number(options.loginConnections ?? 8);
  const seconds = Number(options.loginSeconds ?? 10);
  const auth = await startAuthServer();
  try {
    await signIn(auth.server.url); // the first sign-in from this user agent; later ones send no email
    // Warm both up so JIT and connection setup do not favour the second measurement.
    await rawVerify(auth.passwordHash, concurrency, 1);
    await load(`${auth.server.url}/trpc/auth.login`, httpOptions(concurrency, 1));
    const baseline = await rawVerify(auth.passwordHash, concurrency, seconds);
    const candidate = await load(`${auth.server.url}/trpc/auth.login`, httpOptions(concurrency, seconds));
    if (candidate.non2xx || candidate.errors) throw new Error(`sign-ins failed: ${JSON.stringify(candidate)}`);
    return {
      name: `auth.login over HTTP vs raw argon2id verify (concurrency ${concurrency}, UV_THREADPOOL_SIZE ${auth.threadPoolSize})`,
      baseline,
      candidate,
      ratio: ratio(candidate.requestsPerSecond, baseline.verificationsPerSecond),
    };
  } finally {
    await auth.close();
  }
}

function httpOptions(connections: number, seconds: number) {
  return {
    connections,
    seconds,
    method: "POST" as const,
    headers: { "content-type": "application/json", "user-agent": "bench" },
    body: loginBody(),
  };
}

/** `concurrency` loops verifying the password for `seconds`, as the server's sign-in does. */
async function rawVerify(hash: string, concurrency: number, seconds: number) {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        if (!(await verifyPassword(hash, BENCH_PASSWORD))) throw new Error("password did not verify");
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0);
  return {
    verificationsPerSecond: Math.round((latencies.length / elapsed) * 10_000) / 10,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}
