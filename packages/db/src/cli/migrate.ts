import { loadConfigOrExit } from "@tidings/config";
import { createDatabase, type DatabaseHandle } from "../client.ts";
import { migrateToLatest } from "../migrate.ts";

const config = loadConfigOrExit();
let handle: DatabaseHandle | undefined;
try {
  handle = createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const applied = await migrateToLatest(handle.db);
  const where = handle.kind === "postgres" ? "PostgreSQL" : `PGlite in ${config.dataDir}`;
  process.stdout.write(
    `${applied.length ? `Applied ${applied.join(", ")} on ${where}` : `No pending migrations on ${where}`}\n`,
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await handle?.close();
}
