// `pnpm bench [name...] [--option=value...]`: runs each benchmark in bench/*.bench.ts (or the named ones) one after the
// other, prints its figures and writes them to bench/results/latest.json.
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

// Arguments: benchmark names, and `--key=value` options passed to every benchmark (e.g. --emails=2000).
const args = process.argv.slice(2);
const wanted = args.filter((arg) => !arg.startsWith("--"));
const options = Object.fromEntries(
  args.filter((arg) => arg.startsWith("--")).map((arg) => arg.slice(2).split("=", 2) as [string, string]),
);
const files = (await readdir(import.meta.dirname))
  .filter((file) => file.endsWith(".bench.ts"))
  .filter((file) => !wanted.length || wanted.some((name) => file.startsWith(name)))
  .sort();

const results: Record<string, unknown> = {};
for (const file of files) {
  process.stdout.write(`\n# ${file}\n`);
  const bench = (await import(join(import.meta.dirname, file))) as {
    run(options: Record<string, string>): Promise<Record<string, unknown>>;
  };
  const result = await bench.run(options);
  results[file.replace(/\.bench\.ts$/, "")] = result;
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

const outDir = join(import.meta.dirname, "results");
await mkdir(outDir, { recursive: true });
await writeFile(join(outDir, "latest.json"), `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`);
