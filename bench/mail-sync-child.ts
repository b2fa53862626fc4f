// One initial sync of an account's mailbox through MailboxSync, in a process of its own, so the
// mail-sync benchmark can read the peak RSS a worker needs for it. Argument: JSON of ChildJob.
// Prints one JSON line (ChildReport) and exits.
import { createDatabase, findMailAccount } from "@tidings/db";
import { MailboxSync, parseAllowedPrivateHosts } from "@tidings/mail";

export interface ChildJob {
  databaseUrl: string;
  userId: string;
  accountId: string;
  imapPassword: string;
}

export interface ChildReport {
  ok: boolean;
  added: number;
  seconds: number;
  /** Peak resident set size of this process (the kernel's high-water mark), in MB. */
  peakRssMb: number;
  /** Resident set size once loaded and connected to Postgres, before the sync. */
  startRssMb: number;
  /**
   * Where the memory was at the sampled RSS peak (every 50 ms): V8's heap (reserved and used), and
   * memory outside it (Buffers: message sources, socket reads), in MB.
   */
  atPeak: { rssMb: number; heapTotalMb: number; heapUsedMb: number; externalMb: number; arrayBuffersMb: number };
  error?: string;
}

const job = JSON.parse(process.argv[2] ?? "{}") as ChildJob;
const database = createDatabase({ databaseUrl: job.databaseUrl, poolSize: 4 });
await database.db.selectNoFrom((eb) => eb.lit(1).as("one")).execute();
const startRssMb = megabytes(process.memoryUsage().rss);
const account = await findMailAccount(database.db, job.userId, job.accountId);
if (!account) throw new Error(`no mail account ${job.accountId}`);
let atPeak: ChildReport["atPeak"] = { rssMb: 0, heapTotalMb: 0, heapUsedMb: 0, externalMb: 0, arrayBuffersMb: 0 };
const sampler = setInterval(() => {
  const usage = process.memoryUsage();
  if (megabytes(usage.rss) <= atPeak.rssMb) return;
  atPeak = {
    rssMb: megabytes(usage.rss),
    heapTotalMb: megabytes(usage.heapTotal),
    heapUsedMb: megabytes(usage.heapUsed),
    externalMb: megabytes(usage.external),
    arrayBuffersMb: megabytes(usage.arrayBuffers),
  };
}, 50);
const started = performance.now();
const result = await new MailboxSync({
  db: database.db,
  account,
  imapPassword: job.imapPassword,
  limits: { allowedPrivateHosts: parseAllowedPrivateHosts(["127.0.0.1"]), timeoutMs: 30_000 },
}).syncOnce();
clearInterval(sampler);
const report: ChildReport = {
  ok: result.ok,
  added: result.ok ? result.folders.reduce((sum, folder) => sum + folder.added, 0) : 0,
  seconds: (performance.now() - started) / 1000,
  // maxRSS is in kilobytes.
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  startRssMb,
  atPeak,
  ...(result.ok ? {} : { error: `${result.code}: ${result.message}` }),
};
await database.close();
process.stdout.write(`${JSON.stringify(report)}\n`);

function megabytes(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}
