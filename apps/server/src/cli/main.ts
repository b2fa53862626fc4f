// `pnpm tidings <command>`: operator commands that run against the configured database.
// Exit codes: 0 done, 1 refused or failed (the reason on stderr), 2 the command line is wrong.
import { parseArgs } from "node:util";
import { loadConfigOrExit } from "@tidings/config";
import { createDatabase, type DatabaseHandle, migrateToLatest } from "@tidings/db";
import { createAccount } from "./user-create.ts";

const usage = `Usage:
  pnpm tidings user:create --email <email> [--name <display name>] [--admin] [--password <password>]
    Creates a verified account. Without --password, the password is read from standard input,
    so it does not appear in the process list or the shell history.`;

async function readStdinLine(): Promise<string> {
  let data = "";
  for await (const chunk of process.stdin) data += chunk;
  return data.split(/\r?\n/)[0] ?? "";
}

function usageError(problem: string): never {
  process.stderr.write(`${problem}\n${usage}\n`);
  process.exit(2);
}

function parseUserCreate(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        email: { type: "string" },
        name: { type: "string" },
        password: { type: "string" },
        admin: { type: "boolean", default: false },
      },
    }).values;
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
}

const [command, ...rest] = process.argv.slice(2);
if (!command) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
if (command !== "user:create") usageError(`Unknown command: ${command}`);

const values = parseUserCreate(rest);
if (!values.email) usageError("--email is required");

const config = loadConfigOrExit();
let database: DatabaseHandle | undefined;
try {
  database = createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrateToLatest(database.db);
  const password = values.password ?? (await readStdinLine());
  const { id } = await createAccount(database.db, {
    email: values.email,
    password,
    displayName: values.name ?? null,
    admin: values.admin,
  });
  process.stdout.write(`Created ${values.admin ? "admin" : "user"} ${values.email} (${id})\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await database?.close();
}
