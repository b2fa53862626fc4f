import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";

const PREFIX = "tidings_t_";
const STALE_AFTER_SECONDS = 3 * 60 * 60;

export interface ScratchDatabase {
  /** Connection string of this file's own database; undefined when no Postgres answers. */
  url: string | undefined;
  /** Drops the database (nothing to drop on in-memory PGlite). */
  drop(): Promise<void>;
}

/**
 * An empty database of this test file's own on the local Postgres, or no URL where no Postgres
 * answers (and none is required), so the caller falls back to in-memory PGlite. The migrated
 * handle over it comes from `@tidings/db/testing`, which keeps this package free of `@tidings/db`.
 */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const status = inject("services");
  if (!status.postgres.available) return { url: undefined, drop: async () => {} };
  const adminUrl = status.postgres.url;
  const name = `${PREFIX}${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString("hex")}`;
  await adminQuery(adminUrl, `create database ${name}`);
  const parsed = new URL(adminUrl);
  parsed.pathname = `/${name}`;
  return {
    url: parsed.toString(),
    drop: () => adminQuery(adminUrl, `drop database if exists ${name} with (force)`),
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
