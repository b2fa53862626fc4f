export { type Kysely, sql, type Transaction } from "kysely";
export { createDatabase, type DatabaseHandle, type DatabaseKind, type DatabaseOptions } from "./client.ts";
export { MigrationFailedError, migrateToLatest } from "./migrate.ts";
export { migrations } from "./migrations/index.ts";
export type { Database, NewUser, User, UserRole, UsersTable, UserUpdate } from "./schema.ts";
