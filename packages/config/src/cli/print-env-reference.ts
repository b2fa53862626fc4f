// Prints the environment reference. `--update [FILE...]` rewrites the block between
// `<!-- env-reference:start -->` and `<!-- env-reference:end -->` in each file; `--check [FILE...]`
// exits 1 naming the files whose block differs from the schema. Without files, both act on the
// documents listed in envReferenceDocuments (README.md and docs/deployment.md).
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { envReferenceDocuments, envReferenceMarkdown, replaceEnvReference } from "../env-reference.ts";

const repoRoot = resolve(import.meta.dirname, "../../../..");
const [flag, ...given] = process.argv.slice(2);
const files = given.length ? given : envReferenceDocuments.map((document) => resolve(repoRoot, document));

if (flag === "--update") {
  for (const file of files) writeFileSync(file, replaceEnvReference(readFileSync(file, "utf8")));
} else if (flag === "--check") {
  const stale = files.filter((file) => {
    const text = readFileSync(file, "utf8");
    return replaceEnvReference(text) !== text;
  });
  if (stale.length) {
    process.stderr.write(`environment reference out of date in: ${stale.join(", ")}; run \`pnpm docs:env\`\n`);
    process.exit(1);
  }
} else {
  process.stdout.write(`${envReferenceMarkdown()}\n`);
}
