import { fileURLToPath } from "node:url";
import { defineProject, type TestProjectConfiguration } from "vitest/config";

type ProjectTestOptions = NonNullable<Extract<TestProjectConfiguration, { test?: unknown }>["test"]>;

const globalSetup = fileURLToPath(new URL("./global-setup.ts", import.meta.url));

/** A package's vitest project: the shared service probe, plus the package's own options. */
export function tidingsProject(name: string, test: Omit<ProjectTestOptions, "name"> = {}) {
  return defineProject({ test: { name, globalSetup: [globalSetup], ...test } });
}
