import { createScratchDatabase } from "@tidings/testing";
import { createDatabase, type DatabaseHandle } from "./client.ts";
import { migrateToLatest } from "./migrate.ts";

export interface TestDatabase {
  /** Connection string of this file's own database; undefined when running on in-memory PGlite. */
  url: string | undefined;
  handle: DatabaseHandle;
  /** Closes the connection pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * A database of this test file's own, migrated: a fresh database on the local Postgres, or an
 * in-memory PGlite where no Postgres answers (and none is required).
 */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const scratch = await createScratchDatabase();
  const handle = createDatabase({ databaseUrl: scratch.url, poolSize: 4 });
  if (options.migrate !== false) await migrateToLatest(handle.db);
  return {
    url: scratch.url,
    handle,
    drop: async () => {
      await handle.close();
      await scratch.drop();
    },
  };
}
