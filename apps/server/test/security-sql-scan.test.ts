import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { repoRoot, shippedSourceFiles } from "@tidings/testing";
import { describe, expect, it } from "vitest";

// S19 as a static scan of the shipped source (packages/*/src, apps/*/src): SQL is written with
// Kysely's builder or its `sql` tag, which binds every interpolated value as a parameter. Nothing
// builds SQL text from strings.

/** Reviewed exceptions, each with why it is safe; a new finding fails until it is fixed or listed here. */
const allowed: { file: string; line: RegExp; why: string }[] = [
  {
    file: "packages/testing/src/database.ts",
    line: /`(create database|drop database if exists) \$\{(name|datname)\}( with \(force\))?`/,
    why: "test support only: creates and drops the per-file test databases; a database name cannot be a bound parameter, and the names are made by the helper (random hex) or checked against /^[a-z0-9_]+$/",
  },
];

/** Samples are written with `#{x}` for a template placeholder, so that they stay plain strings here. */
const withPlaceholders = (sample: string) => sample.replaceAll("#{", "$" + "{");

const SQL_START = /^\s*(select|insert|update|delete|drop|create|alter|truncate|with|grant|copy)\b/i;

interface Finding {
  file: string;
  line: number;
  text: string;
  rule: string;
}

/** Every suspicious construct of a source file, with its file and line. */
function scan(file: string): Finding[] {
  return scanText(readFileSync(file, "utf8"), relative(repoRoot, file));
}

function scanText(text: string, rel: string): Finding[] {
  const findings: Finding[] = [];
  const lineOf = (index: number) => text.slice(0, index).split("\n").length;
  const add = (index: number, rule: string) => {
    const line = lineOf(index);
    const source = text.split("\n")[line - 1]?.trim() ?? "";
    if (allowed.some((entry) => entry.file === rel && entry.line.test(source))) return;
    findings.push({ file: rel, line, text: source, rule });
  };

  for (const match of text.matchAll(/\bsql\s*\.\s*raw\s*\(/g)) add(match.index, "sql.raw() puts text into SQL unbound");
  for (const match of text.matchAll(/\bsql\s*\.\s*lit\s*\(\s*([^)]*)\)/g)) {
    const argument = match[1]?.trim() ?? "";
    if (!/^("[^"$`]*"|'[^'$`]*'|-?\d+(\.\d+)?|true|false|null)$/.test(argument)) {
      add(match.index, "sql.lit() with something other than a literal");
    }
  }
  for (const match of text.matchAll(/\b(sql\s*\.\s*(ref|id|table)|CompiledQuery\s*\.\s*raw)\s*\(\s*([^)]*)\)/g)) {
    const argument = match[3]?.trim() ?? "";
    if (match[1]?.startsWith("CompiledQuery") || !/^("[^"$`]*"|'[^'$`]*'|[A-Za-z_]\w*)$/.test(argument)) {
      add(match.index, `${match[1]} with a computed argument`);
    }
  }
  // A string given to .query()/.execute()/.executeQuery() is SQL outside Kysely's parameter binding
  // when it is built: a template with ${...} or a concatenation.
  for (const match of text.matchAll(
    /\.(query|execute|executeQuery|unsafe)\s*\(\s*(`(?:[^`\\]|\\.)*`|["'][^"'\n]*["']\s*\+)/g,
  )) {
    const argument = match[2] ?? "";
    if (argument.startsWith("`") ? argument.includes("${") : true)
      add(match.index, `SQL built as a string for .${match[1]}()`);
  }
  // Untagged templates that read like SQL and interpolate: SQL text built from values. The sql tag
  // may carry a type argument (sql<Row>`...`): that types the result and binds the same way.
  for (const match of text.matchAll(/(\b[\w.]+\s*)?`((?:[^`\\]|\\.)*)`/g)) {
    const before = text.slice(text.lastIndexOf("\n", match.index) + 1, match.index);
    if (!match[1] && /\bsql\s*<[^`]*>\s*$/.test(before)) continue;
    const tag = match[1]?.trim() ?? "";
    const body = match[2] ?? "";
    if (tag === "sql" || tag.endsWith(".sql")) continue;
    if (SQL_START.test(body) && /\$\{/.test(body) && /\b(from|into|set|table|where|values|database)\b/i.test(body)) {
      add(match.index, "a SQL statement built with a template string");
    }
  }
  return findings;
}

describe("SQL only through Kysely with bound parameters (S19)", () => {
  const files = shippedSourceFiles();

  it("S19: scans the shipped source of every package and app", () => {
    const areas = new Set(files.map((file) => relative(repoRoot, file).split("/").slice(0, 2).join("/")));
    for (const area of ["packages/db", "packages/auth", "packages/api", "apps/server", "apps/worker"]) {
      expect(areas.has(area), area).toBe(true);
    }
    // Not vacuous: the database code is there and uses Kysely's sql tag.
    const dbCode = files.filter((file) => relative(repoRoot, file).startsWith("packages/db/src/"));
    expect(dbCode.some((file) => /\bsql`/.test(readFileSync(file, "utf8")))).toBe(true);
  });

  it("S19: no sql.raw, no sql.lit of a non-literal, no SQL text built from strings for .query()/.execute()", () => {
    const findings = files.flatMap(scan).map((f) => `${f.file}:${f.line} ${f.rule}: ${f.text}`);
    expect(findings).toEqual([]);
  });

  it("S19: the scan itself catches each forbidden form", () => {
    const samples = [
      "await sql.raw(`select * from users where email = '#{email}'`).execute(db);",
      "const q = sql`select #{sql.lit(input.name)}`;",
      "await pool.query(`select * from users where id = #{id}`);",
      "await client.query('select * from users where id = ' + id);",
      "const text = `delete from sessions where user_id = '#{userId}'`;",
      "const text = cast<string>`delete from sessions where user_id = '#{userId}'`;",
      "await db.executeQuery(CompiledQuery.raw(text));",
    ];
    const path = "packages/db/src/sample.ts";
    for (const sample of samples) {
      const findings = scanText(withPlaceholders(sample), path);
      expect(findings.length, sample).toBeGreaterThan(0);
    }
    // And leaves the safe forms alone.
    for (const safe of [
      "await sql`select * from users where email = #{email}`.execute(db);",
      "const { rows } = await sql<{ id: string }>`select id from users where email = #{email}`.execute(db);",
      "const q = sql`select #{sql.lit(1)}`;",
      "db.selectFrom('users').where('id', '=', id).execute();",
      "ping: publicProcedure.query(({ ctx }) => ctx)",
    ]) {
      expect(scanText(withPlaceholders(safe), path), safe).toEqual([]);
    }
  });
});
