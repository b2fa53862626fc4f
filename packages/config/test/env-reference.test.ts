import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { envReferenceDocuments } from "../src/env-reference.ts";
import { envReferenceMarkdown, envSchema, replaceEnvReference } from "../src/index.ts";

const repoRoot = resolve(import.meta.dirname, "../../..");

describe("environment reference", () => {
  it("lists every variable of the schema with its default", () => {
    const table = envReferenceMarkdown();
    for (const name of Object.keys(envSchema.shape)) expect(table).toContain(`| \`${name}\` |`);
    expect(table).toContain("| `PORT` | `3000` |");
  });

  it("covers the README and the deployment guide", () => {
    expect(envReferenceDocuments).toEqual(expect.arrayContaining(["README.md", "docs/deployment.md"]));
  });

  it.each(envReferenceDocuments)(
    "in %s equals what the schema generates (run `pnpm docs:env` after changing the schema)",
    (document) => {
      const text = readFileSync(resolve(repoRoot, document), "utf8");
      expect(replaceEnvReference(text)).toBe(text);
    },
  );

  it("refuses a document without the generated block", () => {
    expect(() => replaceEnvReference("# no block here\n")).toThrow(/env-reference:start/);
  });
});
