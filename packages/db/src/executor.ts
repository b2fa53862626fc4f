import type { Kysely, Transaction } from "kysely";
import type { Database } from "./schema.ts";

/** Repository functions take either the database or a transaction, so callers choose the boundary. */
export type Executor = Kysely<Database> | Transaction<Database>;
