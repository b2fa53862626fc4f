import type { Kysely } from "kysely";
import { type MigrationResult, Migrator } from "kysely/migration";
import { migrations } from "./migrations/index.ts";

export class MigrationFailedError extends Error {
  constructor(
    readonly results: MigrationResult[],
    cause: unknown,
  ) {
    super(`Database migration failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "MigrationFailedError";
  }
}

/** Applies every pending migration; returns the names applied by this call. */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) throw new MigrationFailedError(results, error);
  return results.filter((result) => result.status === "Success").map((result) => result.migrationName);
}
