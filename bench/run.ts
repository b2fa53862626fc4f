// `pnpm bench [name...] [--option=value...]`: runs each benchmark in bench/*.bench.ts (or the named ones) one after the
// other, prints a table of their figures (targets with PASS or FAIL) and writes everything to
// bench/results/latest.json. `BENCH_QUICK=1 pnpm bench`: short loads and fewer emails, to see that
// every benchmark still runs; its figures are not for comparison.
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ReportLine } from "./lib.ts";

const quick = process.env.BENCH_QUICK === "1";
// Options the benchmarks read, shortened in quick mode; an option given on the command line wins.
const quickOptions: Record<string, string> = {
  // A sign-in on a busy 2-core machine can take seconds: shorter, and some measure none at all.
  loginSeconds: "6",
  meSeconds: "2",
  overheadSeconds: "2",
  emails: "500",
  hashChecks: "5",
  mailSyncMessages: "300",
  mailSyncRssMessages: "600",
  mailLarge: "10000",
  mailRounds: "20",
  inboxLiveMessages: "5",
  inboxLoads: "2",
};

// Arguments: benchmark names, and `--key=value` options passed to every benchmark (e.g. --emails=2000).
const args = process.argv.slice(2);
const wanted = args.filter((arg) => !arg.startsWith("--"));
const options = {
  ...(quick ? quickOptions : {}),
  ...Object.fromEntries(
    args.filter((arg) => arg.startsWith("--")).map((arg) => arg.slice(2).split("=", 2) as [string, string]),
  ),
};
const files = (await readdir(import.meta.dirname))
  .filter((file) => file.endsWith(".bench.ts"))
  .filter((file) => !wanted.length || wanted.some((name) => file.startsWith(name)))
  .sort();

const results: Record<string, { lines?: ReportLine[] } & Record<string, unknown>> = {};
const outDir = join(import.meta.dirname, "results");
await mkdir(outDir, { recursive: true });
let failed = false;
for (const file of files) {
  process.stdout.write(`# ${file}\n`);
  const name = file.replace(/\.bench\.ts$/, "");
  try {
    const bench = (await import(join(import.meta.dirname, file))) as {
      run(options: Record<string, string>): Promise<{ lines?: ReportLine[] } & Record<string, unknown>>;
    };
    results[name] = await bench.run(options);
  } catch (error) {
    // One benchmark failing keeps the others' figures: they are measured and written all the same.
    failed = true;
    process.stderr.write(
      `${file} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    results[name] = { error: String(error) };
  }
  // Written after each benchmark, so a later one that fails or is stopped loses no figure.
  await writeFile(
    join(outDir, "latest.json"),
    `${JSON.stringify({ at: new Date().toISOString(), quick, options, results }, null, 2)}\n`,
  );
}

process.stdout.write(`\n${table(results)}\n`);
if (failed) process.exitCode = 1;

/** A Markdown table, so it reads in a terminal and pastes into the README as it is. */
function table(byBenchmark: typeof results): string {
  const header = ["benchmark", "measure", "Tidings", "compared with", "ratio", "target", "result"];
  const rows = Object.entries(byBenchmark).flatMap(([benchmark, result]) =>
    (result.lines ?? []).map((line) => [
      benchmark,
      line.measure,
      line.tidings,
      line.comparedWith ?? "",
      line.ratio ?? "",
      line.target ?? "",
      line.verdict ?? "",
    ]),
  );
  return [header, header.map(() => "---"), ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n");
}
