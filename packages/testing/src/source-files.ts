import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./process.ts";

/**
 * The shipped source files of the workspace: everything under `src` of packages/* and apps/*, without
 * tests, `node_modules` or build output. For scans that hold the whole code base to a rule.
 * `except` names workspace members to leave out, as "packages/db".
 */
export function shippedSourceFiles(options: { except?: string[] } = {}): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name === "dist") continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|tsx|mts|cts|js|mjs)$/.test(entry.name) && !/\.(test|spec)\./.test(entry.name)) files.push(path);
    }
  };
  for (const group of ["packages", "apps"]) {
    for (const member of readdirSync(join(repoRoot, group), { withFileTypes: true })) {
      if (!member.isDirectory() || options.except?.includes(`${group}/${member.name}`)) continue;
      const src = join(repoRoot, group, member.name, "src");
      if (existsSync(src)) walk(src);
    }
  }
  return files;
}
