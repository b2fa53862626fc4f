// Rules of the package graph: an app (apps/*) never imports another app, by package name or by a
// relative path, and workspace packages depend on each other without a cycle (turbo refuses to
// build a cyclic graph, and pnpm warns about it on every install).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../src/index.ts";

interface WorkspacePackage {
  name: string;
  path: string;
  /** Workspace packages it names in dependencies, devDependencies or peerDependencies. */
  workspaceDeps: string[];
}

function workspacePackages(): WorkspacePackage[] {
  const listed = JSON.parse(
    execFileSync("pnpm", ["ls", "--recursive", "--depth", "-1", "--json"], { cwd: repoRoot, encoding: "utf8" }),
  ) as { name: string; path: string }[];
  const names = new Set(listed.map((entry) => entry.name));
  return listed.map(({ name, path }) => {
    const manifest = JSON.parse(readFileSync(join(path, "package.json"), "utf8")) as Record<
      string,
      Record<string, string> | undefined
    >;
    const declared = ["dependencies", "devDependencies", "peerDependencies"].flatMap((field) =>
      Object.keys(manifest[field] ?? {}),
    );
    return { name, path, workspaceDeps: [...new Set(declared.filter((dep) => names.has(dep) && dep !== name))] };
  });
}

/** One cycle of the graph as a path that ends where it starts, or undefined when there is none. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === "done") return undefined;
    if (state.get(node) === "open") return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return ["node_modules", "dist", ".turbo"].includes(entry.name) ? [] : sourceFiles(path);
    return /\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(entry.name) ? [path] : [];
  });
}

/** Module specifiers of import/export ... from, import(...) and require(...). */
function importedSpecifiers(source: string): string[] {
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\sfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\b(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map(([, specifier = ""]) => specifier));
}

const packages = workspacePackages();
const apps = packages.filter((pkg) => relative(repoRoot, pkg.path).split(sep)[0] === "apps");

describe("workspace package graph", () => {
  it("finds the apps", () => {
    expect(apps.map((app) => app.name)).toEqual(
      expect.arrayContaining(["@tidings/server", "@tidings/web", "@tidings/worker"]),
    );
  });

  it("no app depends on another app in its package.json", () => {
    const appNames = new Set(apps.map((app) => app.name));
    const offending = apps.flatMap((app) =>
      app.workspaceDeps.filter((dep) => appNames.has(dep)).map((dep) => `${app.name} -> ${dep}`),
    );
    expect(offending).toEqual([]);
  });

  it("no app's code imports another app, by package name or relative path", () => {
    const offending: string[] = [];
    for (const app of apps) {
      const others = apps.filter((other) => other !== app);
      for (const file of sourceFiles(app.path)) {
        for (const specifier of importedSpecifiers(readFileSync(file, "utf8"))) {
          const target = specifier.startsWith(".")
            ? others.find((other) => !relative(other.path, resolve(dirname(file), specifier)).startsWith(".."))
            : others.find((other) => specifier === other.name || specifier.startsWith(`${other.name}/`));
          if (target) offending.push(`${relative(repoRoot, file)} imports ${specifier} (${target.name})`);
        }
      }
    }
    expect(offending).toEqual([]);
  });

  it("has no dependency cycle between workspace packages", () => {
    const graph = new Map(packages.map((pkg) => [pkg.name, pkg.workspaceDeps]));
    expect(findCycle(graph)?.join(" -> ")).toBeUndefined();
  });

  it("the cycle check finds a cycle through devDependencies, as turbo does", () => {
    const graph = new Map([
      ["@tidings/db", ["@tidings/config", "@tidings/testing"]],
      ["@tidings/testing", ["@tidings/config", "@tidings/db"]],
      ["@tidings/config", []],
    ]);
    expect(findCycle(graph)).toEqual(["@tidings/db", "@tidings/testing", "@tidings/db"]);
    expect(
      findCycle(
        new Map([
          ["a", ["b"]],
          ["b", []],
        ]),
      ),
    ).toBeUndefined();
  });
});
