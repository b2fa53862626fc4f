import { randomBytes } from "node:crypto";
import { createDatabase, type DatabaseHandle, migrateToLatest } from "@tidings/db";
import pg from "pg";
import { inject } from "vitest";

const PREFIX = "tidings_t_";
const STALE_AFTER_SECONDS = 3 * 60 * 60;

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
  const status = inject("services");
  let url: string | undefined;
  let dropDatabase = async () => {};
  if (status.postgres.available) {
    const name = `${PREFIX}${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString("hex")}`;
    await adminQuery(status.postgres.url, `create database ${name}`);
    const parsed = new URL(status.postgres.url);
    parsed.pathname = `/${name}`;
    url = parsed.toString();
    dropDatabase = () => adminQuery(status.postgres.url, `drop database if exists ${name} with (force)`);
  }
  const handle = createDatabase({ databaseUrl: url, poolSize: 4 });
  if (options.migrate !== false) await migrateToLatest(handle.db);
  return {
    url,
    handle,
    drop: async () => {
      await handle.close();
      await dropDatabase();
    },
  };
}

/** Drops test databases left by runs that were killed before their cleanup (older than 3 hours). */
export async function dropStaleTestDatabases(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>("select datname from pg_database where datname like $1", [
      `${PREFIX}%`,
    ]);
    const cutoff = Date.now() / 1000 - STALE_AFTER_SECONDS;
    for (const { datname } of rows) {
      const createdAt = Number(datname.slice(PREFIX.length).split("_")[0]);
      if (Number.isFinite(createdAt) && createdAt < cutoff && /^[a-z0-9_]+$/.test(datname)) {
        await client.query(`drop database if exists ${datname} with (force)`);
      }
    }
  } finally {
    await client.end();
  }
}

async function adminQuery(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
