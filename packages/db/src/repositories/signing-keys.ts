import { type Selectable, sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { Database } from "../schema.ts";

export type SigningKeyRow = Selectable<Database["signing_keys"]>;

/**
 * Holds, until the transaction ends, the lock under which the first signing key is made, so that
 * processes starting together agree on one key.
 */
export async function lockSigningKeys(trx: Executor): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('tidings.signing_keys'))`.execute(trx);
}

export function listSigningKeys(db: Executor): Promise<SigningKeyRow[]> {
  return db.selectFrom("signing_keys").selectAll().execute();
}

export async function insertSigningKey(
  db: Executor,
  key: { kid: string; privateJwkSealed: string; publicJwk: object; createdAt: Date },
): Promise<void> {
  await db
    .insertInto("signing_keys")
    .values({
      kid: key.kid,
      private_jwk_sealed: key.privateJwkSealed,
      public_jwk: JSON.stringify(key.publicJwk),
      created_at: key.createdAt,
    })
    .execute();
}
