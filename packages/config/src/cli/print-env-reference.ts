// Prints the environment reference; with `--update FILE...` rewrites the block between
// `<!-- env-reference:start -->` and `<!-- env-reference:end -->` in each file.
import { readFileSync, writeFileSync } from "node:fs";
import { envReferenceMarkdown, replaceEnvReference } from "../env-reference.ts";

const [flag, ...files] = process.argv.slice(2);
if (flag === "--update") {
  for (const file of files) writeFileSync(file, replaceEnvReference(readFileSync(file, "utf8")));
} else {
  process.stdout.write(`${envReferenceMarkdown()}\n`);
}
