// `pnpm install` on a fresh clone works with any pnpm 10 and prints nothing a newcomer must act on.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../src/index.ts";

const pnpmConfig = (key: string) =>
  JSON.parse(execFileSync("pnpm", ["config", "get", key, "--json"], { cwd: repoRoot, encoding: "utf8" }) || "null");

/** Installed packages (name@version -> manifest) from pnpm's virtual store. */
function installedManifests(): { name: string; scripts: Record<string, string> }[] {
  const store = join(repoRoot, "node_modules", ".pnpm");
  return readdirSync(store, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== "node_modules")
    .flatMap((entry) => {
      const modules = join(store, entry.name, "node_modules");
      if (!existsSync(modules)) return [];
      return readdirSync(modules).flatMap((name) => {
        const folders = name.startsWith("@") ? readdirSync(join(modules, name)).map((n) => `${name}/${n}`) : [name];
        return folders
          .map((folder) => join(modules, folder, "package.json"))
          .filter((path) => existsSync(path))
          .map((path) => JSON.parse(readFileSync(path, "utf8")) as { name: string; scripts?: Record<string, string> })
          .map((manifest) => ({ name: manifest.name, scripts: manifest.scripts ?? {} }));
      });
    });
}

describe("install settings", () => {
  it("pnpm does not switch to the pinned packageManager version; the pin stays for CI", () => {
    expect(pnpmConfig("manage-package-manager-versions")).toBe(false);
    const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { packageManager?: string };
    expect(manifest.packageManager).toMatch(/^pnpm@10\.\d+\.\d+$/);
  });

  it("every installed package with an install script is listed as built or ignored (no 'Ignored build scripts' warning)", () => {
    const decided = new Set<string>([
      ...((pnpmConfig("onlyBuiltDependencies") as string[] | null) ?? []),
      ...((pnpmConfig("ignoredBuiltDependencies") as string[] | null) ?? []),
    ]);
    const withScripts = installedManifests().filter(({ scripts }) =>
      ["preinstall", "install", "postinstall"].some((hook) => hook in scripts),
    );
    expect(withScripts.length).toBeGreaterThan(0);
    const undecided = [...new Set(withScripts.map(({ name }) => name))].filter((name) => !decided.has(name));
    expect(undecided).toEqual([]);
  });
});
