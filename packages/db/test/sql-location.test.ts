import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { repoRoot, shippedSourceFiles } from "@tidings/testing";
import { describe, expect, it } from "vitest";

// One place for SQL: every query of the shipped source is a repository function of packages/db
// taking `db | trx`, so the callers (auth flows, routers, apps) choose transactions, not queries.
// Tests and benchmarks may still write rows directly to set up a case; they are not scanned.

/** Kysely's query builders and its `sql` tag, as they appear in source text. */
const sqlConstructs: { name: string; pattern: RegExp }[] = [
  {
    name: "query builder",
    pattern: /\.(selectFrom|selectNoFrom|insertInto|replaceInto|updateTable|deleteFrom|mergeInto)\(/,
  },
  { name: "common table expression", pattern: /\.with(Recursive)?\(\s*["'`]/ },
  { name: "sql tag", pattern: /\bsql\s*(<[^>]*>)?\s*`/ },
  { name: "sql helper", pattern: /\bsql\.(raw|ref|lit|id|join|table|val)\(/ },
  { name: "sql import", pattern: /import\s*\{[^}]*\bsql\b[^}]*\}\s*from\s*["'](kysely|@tidings\/db)["']/ },
];

/** Every SQL construct in a file's text, by line. */
function findSql(text: string): { line: number; construct: string }[] {
  return text
    .split("\n")
    .flatMap((line, index) =>
      sqlConstructs
        .filter(({ pattern }) => pattern.test(line))
        .map(({ name }) => ({ line: index + 1, construct: name })),
    );
}

describe("SQL lives only in packages/db", () => {
  it("recognizes each construct it looks for", () => {
    const samples = [
      'await db.selectFrom("users").selectAll().execute();',
      'trx.updateTable("sessions").set({ revoked_at: null })',
      'db.insertInto("audit_events").values(row)',
      'db.deleteFrom("outbox")',
      'db.with("signed_in", (q) => q)',
      "const now = sql`now()`;",
      "sql<Date>`now() + make_interval(secs => 1)`",
      "sql.raw(text)",
      'import { type Executor, sql } from "@tidings/db";',
      'import { sql } from "kysely";',
    ];
    for (const sample of samples) expect(findSql(sample), sample).not.toEqual([]);
    // Names that merely resemble the constructs are not SQL.
    for (const harmless of ["const results = [];", "db.transaction().execute(run)", "z.string().with(x)", "mysql`"]) {
      expect(findSql(harmless), harmless).toEqual([]);
    }
  });

  it("finds none in the source of the other packages and the apps", () => {
    const files = shippedSourceFiles({ except: ["packages/db"] });
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.flatMap((file) =>
      findSql(readFileSync(file, "utf8")).map(
        ({ line, construct }) => `${relative(repoRoot, file)}:${line} (${construct})`,
      ),
    );
    expect(offenders, "move these queries into a repository function of packages/db").toEqual([]);
  });
});
