// `pnpm bench:cpu [auth.me|health.ping|healthz|auth.login] [--seconds=N]` (Linux): CPU time per
// request of each process and thread involved, read from /proc while the load runs. Requests per
// second move with whatever else the host is doing; CPU per request moves far less, so a change is
// judged by running this on the old and the new version alternately and comparing the means.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { signIn, signInLoad, startAuthServer } from "./fixtures/auth-server.ts";
import { load } from "./lib.ts";

type Ticks = Map<string, number>;

const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim());

/** User plus system ticks of a process, per thread name ("main" for the thread the process started with). */
function ticksByThread(pid: number): Ticks {
  const ticks: Ticks = new Map();
  let threads: string[] = [];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return ticks; // the process has ended
  }
  for (const tid of threads) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    } catch {
      continue;
    }
    // The name may hold spaces and parentheses: the fields start after the last ")".
    const name = tid === String(pid) ? "main" : stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks.set(name, (ticks.get(name) ?? 0) + Number(fields[11]) + Number(fields[12]));
  }
  return ticks;
}

function pidsOf(command: string): number[] {
  try {
    return execFileSync("pgrep", ["-x", command]).toString().trim().split("\n").map(Number);
  } catch {
    return [];
  }
}

/** Ticks per process of a command (Postgres runs a process per connection). */
function ticksByProcess(command: string): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const pid of pidsOf(command)) {
    let total = 0;
    for (const value of ticksByThread(pid).values()) total += value;
    ticks.set(pid, total);
  }
  return ticks;
}

/** Ticks spent between two readings by the processes alive at the second (one that ended is not counted). */
function spent(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ticks] of after) total += ticks - (before.get(pid) ?? 0);
  return total;
}

const args = process.argv.slice(2);
const target = args.find((arg) => !arg.startsWith("--")) ?? "auth.me";
const seconds = Number(args.find((arg) => arg.startsWith("--seconds="))?.split("=")[1] ?? 6);
const signingIn = target === "auth.login";

const auth = await startAuthServer();
try {
  const token = await signIn(auth.server.url);
  const url = `${auth.server.url}${target === "healthz" ? "/healthz" : `/trpc/${target}`}`;
  const options: Parameters<typeof load>[1] = signingIn
    ? signInLoad(8, seconds)
    : { connections: 20, seconds, headers: { authorization: `Bearer ${token}` } };
  await load(url, { ...options, seconds: 2 }); // warm-up: JIT, connections, caches

  const server = auth.server.child.pid ?? 0;
  const read = () => ({
    server: ticksByThread(server),
    postgres: ticksByProcess("postgres"),
    redis: ticksByProcess("redis-server"),
  });
  const before = read();
  const ownBefore = process.cpuUsage();
  const result = await load(url, { ...options, seconds });
  const own = process.cpuUsage(ownBefore);
  const after = read();

  const requests = result.requestsPerSecond * seconds;
  // Microseconds per request (milliseconds per sign-in), one decimal.
  const unit = signingIn ? 1_000 : 1;
  const per = (ticks: number) => Math.round(((ticks / TICKS_PER_SECOND) * 1e6 * 10) / requests / unit) / 10;
  const serverThreads = Object.fromEntries(
    [...after.server]
      .map(([name, ticks]) => [name, per(ticks - (before.server.get(name) ?? 0))] as const)
      .filter(([, value]) => value > 0),
  );
  const figures = {
    target,
    unit: signingIn ? "ms per sign-in" : "us per request",
    requestsPerSecond: result.requestsPerSecond,
    server: serverThreads,
    postgres: per(spent(before.postgres, after.postgres)),
    redis: per(spent(before.redis, after.redis)),
    loadGenerator: Math.round(((own.user + own.system) * 10) / requests / unit) / 10,
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
} finally {
  await auth.close();
}
