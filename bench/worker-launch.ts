// How the worker is started, so that a benchmark's process measures what the real worker gets: the
// same node flags and environment (read from apps/worker's start script, which infra/Dockerfile's
// worker stage repeats), and its code bundled as apps/worker's build bundles it, not run under tsx
// (which alone took about 25 MB of RSS, see the README's mail-sync notes).
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, type Plugin } from "esbuild";
import { repoRoot } from "./lib.ts";

export interface WorkerLaunch {
  /** Variables the start script sets before `node`, e.g. MALLOC_ARENA_MAX. */
  env: Record<string, string>;
  /** node's flags before the script, e.g. --max-semi-space-size=1. */
  nodeFlags: string[];
}

/** Parses apps/worker's `start` script: `[NAME=value ...] node [--flag ...] dist/main.js`. */
export async function workerLaunch(): Promise<WorkerLaunch> {
  const manifest = JSON.parse(await readFile(join(repoRoot, "apps/worker/package.json"), "utf8")) as {
    scripts?: Record<string, string>;
  };
  const words = (manifest.scripts?.start ?? "").trim().split(/\s+/);
  const env: Record<string, string> = {};
  let word = words.shift();
  for (; word && /^[A-Z_][A-Z0-9_]*=/.test(word); word = words.shift()) {
    const [name = "", ...value] = word.split("=");
    env[name] = value.join("=");
  }
  if (word !== "node") throw new Error(`apps/worker's start script does not run node: ${manifest.scripts?.start}`);
  const nodeFlags: string[] = [];
  for (word = words.shift(); word?.startsWith("--"); word = words.shift()) nodeFlags.push(word);
  return { env, nodeFlags };
}

/**
 * Bundles `entry` as scripts/bundle-app.mjs bundles the worker: @tidings/* packages compiled in,
 * every other package loaded from node_modules at run time (here by its resolved path, as the
 * bundle is written outside any app). Answers the bundle's path.
 */
export async function bundleLikeWorker(entry: string): Promise<string> {
  const outfile = join(await mkdtemp(join(tmpdir(), "tidings-bench-")), "main.js");
  await build({
    absWorkingDir: import.meta.dirname,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    sourcemap: true,
    logLevel: "warning",
    plugins: [externalPackages],
  });
  return outfile;
}

const externalPackages: Plugin = {
  name: "external-packages",
  setup(bundler) {
    bundler.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === externalPackages) return undefined;
      if (args.path.startsWith("@tidings/")) return undefined;
      if (args.path.startsWith("node:")) return { external: true };
      const found = await bundler.resolve(args.path, {
        resolveDir: args.resolveDir,
        kind: args.kind,
        importer: args.importer,
        pluginData: externalPackages,
      });
      if (found.errors.length) return { errors: found.errors };
      return { path: found.path, external: true };
    });
  },
};
