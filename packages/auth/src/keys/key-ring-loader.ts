import { type Database, type Kysely, sql } from "@tidings/db";
import { openSecret, sealSecret } from "../crypto/index.ts";
import { createKeyRing, generateSigningKey, type KeyRing, parseSigningKeys, type SigningKey } from "../jwt/index.ts";

/**
 * The JWT key ring: the keys of JWT_PRIVATE_KEYS when set; otherwise the keys kept in the
 * database (private parts sealed), generating the first one under an advisory lock so that
 * processes starting together agree on it.
 */
export async function loadKeyRing(
  db: Kysely<Database>,
  encryptionKey: Buffer,
  jwtPrivateKeys: string | undefined,
): Promise<KeyRing> {
  if (jwtPrivateKeys) return createKeyRing(parseSigningKeys(jwtPrivateKeys));
  const keys = await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('tidings.signing_keys'))`.execute(trx);
    let rows = await trx.selectFrom("signing_keys").selectAll().execute();
    if (!rows.length) {
      const key = await generateSigningKey();
      await trx
        .insertInto("signing_keys")
        .values({
          kid: key.kid,
          private_jwk_sealed: sealSecret(encryptionKey, JSON.stringify(key.privateJwk), key.kid),
          public_jwk: JSON.stringify(key.publicJwk),
          created_at: key.createdAt,
        })
        .execute();
      rows = await trx.selectFrom("signing_keys").selectAll().execute();
    }
    return rows.map(
      (row): SigningKey => ({
        kid: row.kid,
        createdAt: row.created_at,
        privateJwk: JSON.parse(openSecret(encryptionKey, row.private_jwk_sealed, row.kid)),
        publicJwk: row.public_jwk,
      }),
    );
  });
  return createKeyRing(keys);
}
