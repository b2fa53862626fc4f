// Bundles an app's entry points into dist/ with esbuild, for production runs without tsx:
//   node ../../scripts/bundle-app.mjs src/main.ts src/cli/main.ts=cli ...
// Workspace packages (@tidings/*) are compiled into the bundle; every other package stays an
// import resolved from node_modules at run time, so it must be one of the app's own dependencies
// (pnpm links only those next to the app, and `pnpm deploy` installs only those). The build fails
// naming any that is missing, rather than the built app failing at start.
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { builtinModules } from "node:module";
import { basename, extname } from "node:path";
import { build } from "esbuild";

const appDir = process.cwd();
const manifest = JSON.parse(readFileSync(`${appDir}/package.json`, "utf8"));
const declared = new Set(Object.keys(manifest.dependencies ?? {}));
const builtins = new Set(builtinModules);

/** "name=out" or "path" (out: the file name without extension) -> esbuild entry point. */
const entryPoints = process.argv.slice(2).map((arg) => {
  const [input = "", out] = arg.split("=");
  return { in: input, out: out ?? basename(input, extname(input)) };
});
if (entryPoints.length === 0) {
  console.error("usage: node scripts/bundle-app.mjs <entry.ts>[=<name>] ...");
  process.exit(2);
}

const packageName = (specifier) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");
const undeclared = new Map();

const externalPackages = {
  name: "external-packages",
  setup(bundler) {
    bundler.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("node:") || builtins.has(args.path)) return { external: true };
      const name = packageName(args.path);
      if (name.startsWith("@tidings/")) return undefined;
      if (!declared.has(name)) undeclared.set(name, args.importer);
      return { external: true };
    });
  },
};

await rm(`${appDir}/dist`, { recursive: true, force: true });
await build({
  absWorkingDir: appDir,
  entryPoints,
  outdir: "dist",
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node22",
  sourcemap: true,
  logLevel: "warning",
  plugins: [externalPackages],
});

if (undeclared.size > 0) {
  for (const [name, importer] of undeclared) {
    console.error(`${manifest.name}: "${name}" (imported by ${importer}) is not in its package.json dependencies`);
  }
  process.exit(1);
}
