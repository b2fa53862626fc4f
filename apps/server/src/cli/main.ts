// `pnpm tidings <command>`: operator commands that run against the configured database.
import { parseArgs } from "node:util";
import { loadConfigOrExit } from "@tidings/config";
import { createDatabase, migrateToLatest } from "@tidings/db";
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

const [command, ...rest] = process.argv.slice(2);
if (command !== "user:create") {
  process.stderr.write(`${usage}\n`);
  process.exit(command ? 2 : 0);
}

const { values } = parseArgs({
  args: rest,
  options: {
    email: { type: "string" },
    name: { type: "string" },
    password: { type: "string" },
    admin: { type: "boolean", default: false },
  },
});
if (!values.email) {
  process.stderr.write(`--email is required\n${usage}\n`);
  process.exit(2);
}

const config = loadConfigOrExit();
const database = createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
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
  await database.close();
}
