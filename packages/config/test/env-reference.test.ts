import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { envReferenceMarkdown, envSchema, replaceEnvReference } from "../src/index.ts";

const readme = resolve(import.meta.dirname, "../../../README.md");

describe("environment reference", () => {
  it("lists every variable of the schema with its default", () => {
    const table = envReferenceMarkdown();
    for (const name of Object.keys(envSchema.shape)) expect(table).toContain(`| \`${name}\` |`);
    expect(table).toContain("| `PORT` | `3000` |");
  });

  it("in the README equals what the schema generates (run `pnpm docs:env` after changing the schema)", () => {
    const text = readFileSync(readme, "utf8");
    expect(replaceEnvReference(text)).toBe(text);
  });
});
