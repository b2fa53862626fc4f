import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import {
  type DatabaseConnection,
  type Dialect,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
} from "kysely";
import pg from "pg";
import { type DataFolderLock, lockDataFolder } from "./data-folder-lock.ts";
import type { Database } from "./schema.ts";

export type DatabaseKind = "postgres" | "pglite";

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Postgres connection string; without it the database is PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** Folder for PGlite; `undefined` with no URL keeps the database in memory (tests). */
  dataDir?: string | undefined;
  poolSize?: number;
}

// Postgres returns int8 (bigint, count(*)) as strings; ours fit safely in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

export function createDatabase(options: DatabaseOptions): DatabaseHandle {
  return options.databaseUrl
    ? createPostgres(options.databaseUrl, options.poolSize ?? 10)
    : createPglite(options.dataDir);
}

function createPostgres(connectionString: string, max: number): DatabaseHandle {
  const pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis: 5_000 });
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: "postgres",
    ping: (timeoutMs = 2_000) =>
      withTimeout(
        sql`select 1`.execute(db).then(() => undefined),
        timeoutMs,
      ),
    close: () => db.destroy(),
  };
}

function createPglite(dataDir: string | undefined): DatabaseHandle {
  let lock: DataFolderLock | undefined;
  let folder: string | undefined;
  if (dataDir) {
    folder = join(dataDir, "pglite");
    mkdirSync(folder, { recursive: true });
    lock = lockDataFolder(dataDir);
  }
  let pglite: PGlite | undefined;
  // PGlite adds about 45 MB to a process' RSS once imported (under tsx this package loads in
  // 145 MB with it, 100 MB without), so it is imported only when a process opens an embedded
  // database: Kysely starts its driver before the first query.
  const dialect: Dialect = {
    createAdapter: () => new PostgresAdapter(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createDriver: () =>
      lazyDriver(async () => {
        const [{ PGlite }, { PGliteDialect }] = await Promise.all([
          import("@electric-sql/pglite"),
          import("kysely-pglite-dialect"),
        ]);
        pglite = folder ? new PGlite(folder) : new PGlite();
        return new PGliteDialect(pglite).createDriver();
      }),
  };
  const db = new Kysely<Database>({ dialect });
  return {
    db,
    kind: "pglite",
    ping: (timeoutMs = 2_000) =>
      withTimeout(
        sql`select 1`.execute(db).then(() => undefined),
        timeoutMs,
      ),
    close: async () => {
      try {
        await db.destroy();
        if (pglite && !pglite.closed) await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}

function noSavepoints(): Promise<never> {
  return Promise.reject(new Error("this database driver has no savepoints"));
}

/** A driver made on first use (Kysely awaits `init` before anything else); see createPglite. */
function lazyDriver(create: () => Promise<Driver>): Driver {
  let driver: Driver | undefined;
  const started = () => {
    if (!driver) throw new Error("the database driver was used before it started");
    return driver;
  };
  return {
    init: async () => {
      driver = await create();
      await driver.init();
    },
    acquireConnection: () => started().acquireConnection(),
    beginTransaction: (connection: DatabaseConnection, settings) => started().beginTransaction(connection, settings),
    commitTransaction: (connection: DatabaseConnection) => started().commitTransaction(connection),
    rollbackTransaction: (connection: DatabaseConnection) => started().rollbackTransaction(connection),
    savepoint: (connection, name, compile) => started().savepoint?.(connection, name, compile) ?? noSavepoints(),
    rollbackToSavepoint: (connection, name, compile) =>
      started().rollbackToSavepoint?.(connection, name, compile) ?? noSavepoints(),
    releaseSavepoint: (connection, name, compile) =>
      started().releaseSavepoint?.(connection, name, compile) ?? noSavepoints(),
    releaseConnection: (connection: DatabaseConnection) => started().releaseConnection(connection),
    destroy: async () => {
      await driver?.destroy();
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`database did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
