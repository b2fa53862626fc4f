import { type Database, insertSigningKey, type Kysely, listSigningKeys, lockSigningKeys } from "@tidings/db";
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
    await lockSigningKeys(trx);
    let rows = await listSigningKeys(trx);
    if (!rows.length) {
      const key = await generateSigningKey();
      await insertSigningKey(trx, {
        kid: key.kid,
        privateJwkSealed: sealSecret(encryptionKey, JSON.stringify(key.privateJwk), key.kid),
        publicJwk: key.publicJwk,
        createdAt: key.createdAt,
      });
      rows = await listSigningKeys(trx);
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
