import { z } from "zod";
import { envSchema } from "./schema.ts";

/** The environment reference as a Markdown table, generated from the schema so docs cannot drift. */
export function envReferenceMarkdown(): string {
  const rows = Object.entries(envSchema.shape).map(([name, schema]) => {
    const description = schema.description ?? "";
    const parsed = z.object({ [name]: schema }).safeParse({});
    const fallback = parsed.success ? (parsed.data as Record<string, unknown>)[name] : undefined;
    const shown = formatDefault(fallback);
    return `| \`${name}\` | ${shown} | ${description} |`;
  });
  return ["| variable | default | meaning |", "|---|---|---|", ...rows].join("\n");
}

/** Shows a parsed default the way a user would write it in the environment. */
function formatDefault(value: unknown): string {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return "(unset)";
  if (Array.isArray(value)) return `\`${value.join(",")}\``;
  if (typeof value === "object" && value !== null && "limit" in value && "windowSeconds" in value) {
    return `\`${value.limit}/${value.windowSeconds}\``;
  }
  return `\`${String(value)}\``;
}

/**
 * The documents (paths from the repository root) that carry the generated block; `pnpm docs:env`
 * rewrites them and packages/config/test/env-reference.test.ts fails when one of them has drifted.
 */
export const envReferenceDocuments = ["README.md", "docs/deployment.md"] as const;

const START = "<!-- env-reference:start -->";
const END = "<!-- env-reference:end -->";

/** The text of a document with its generated environment block replaced by the current one. */
export function replaceEnvReference(document: string): string {
  const start = document.indexOf(START);
  const end = document.indexOf(END);
  if (start < 0 || end < start) throw new Error(`no ${START} ... ${END} block in the document`);
  return `${document.slice(0, start + START.length)}\n${envReferenceMarkdown()}\n${document.slice(end)}`;
}
