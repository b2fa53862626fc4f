import { randomBytes } from "node:crypto";
import type { Database, Kysely } from "@tidings/db";
import { insertUserIfAbsent } from "@tidings/db";
import type { AuthDeps, AuthEmail } from "../src/flows/index.ts";
import { createKeyRing, generateSigningKey } from "../src/jwt/index.ts";
import { hashPassword } from "../src/password/index.ts";
import { createMemoryRevocationStore } from "../src/revocation.ts";

export const PASSWORD = "correct horse battery staple 42";

/**
 * The flows' dependencies on a test database. Emails are kept in `sent` (what the outbox would
 * get), so a test can read the one a flow asked for.
 */
export async function flowDeps(
  db: Kysely<Database>,
  overrides: Partial<AuthDeps> = {},
): Promise<AuthDeps & { sent: AuthEmail[] }> {
  const sent: AuthEmail[] = [];
  return {
    db,
    keyRing: await createKeyRing([await generateSigningKey()]),
    revocation: createMemoryRevocationStore(),
    sessions: { refreshTokenTtlSeconds: 3600, reuseGraceSeconds: 10, encryptionKey: randomBytes(32) },
    tokens: { issuer: "https://mail.example.test", audience: "tidings", ttlSeconds: 900 },
    requireVerifiedEmail: true,
    lockoutThreshold: 10,
    adminEmails: [],
    hibpEnabled: false,
    registrationMode: "open",
    webauthn: { rpId: "mail.example.test", rpName: "Tidings", origin: "https://mail.example.test" },
    sendEmail: async (_db, email) => {
      sent.push(email);
    },
    afterResponse: (task) => {
      void task();
    },
    ...overrides,
    sent,
  };
}

let passwordHash: Promise<string> | undefined;

/** A verified account with PASSWORD (hashed once per file: argon2 is slow on purpose). */
export async function verifiedAccount(db: Kysely<Database>, email = `u${randomBytes(5).toString("hex")}@example.test`) {
  passwordHash ??= hashPassword(PASSWORD);
  const user = await insertUserIfAbsent(db, {
    email,
    emailNormalized: email,
    displayName: "Ada",
    passwordHash: await passwordHash,
    verified: true,
  });
  if (!user) throw new Error(`${email} exists`);
  return user;
}
