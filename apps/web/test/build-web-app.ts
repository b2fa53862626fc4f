import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "vite";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    webDistDir: string;
  }
}

/** Builds the web app for production, as `pnpm build` does, into a temporary folder the test servers serve. */
export default async function buildWebApp(project: TestProject) {
  const outDir = await mkdtemp(join(tmpdir(), "tidings-web-dist-"));
  await build({
    root: resolve(import.meta.dirname, ".."),
    configFile: resolve(import.meta.dirname, "../vite.config.ts"),
    logLevel: "warn",
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
  project.provide("webDistDir", outDir);
  return async () => {
    await rm(outDir, { recursive: true, force: true });
  };
}
