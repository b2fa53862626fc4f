import { type AuthDeps, type KeyRing, normalizeEmail, type RevocationStore } from "@tidings/auth";
import type { Config } from "@tidings/config";
import type { Database, Kysely } from "@tidings/db";
import { queueEmail } from "@tidings/jobs";

/** Wires the auth core to this deployment: settings from config, emails through the outbox. */
export function createAuthDeps(input: {
  config: Config;
  db: Kysely<Database>;
  keyRing: KeyRing;
  revocation: RevocationStore;
  encryptionKey: Buffer;
  /** Where work that outlives a request reports a failure. */
  onBackgroundError: (error: unknown) => void;
}): AuthDeps {
  const { auth } = input.config;
  return {
    db: input.db,
    keyRing: input.keyRing,
    revocation: input.revocation,
    sessions: {
      refreshTokenTtlSeconds: auth.refreshTokenTtlSeconds,
      reuseGraceSeconds: auth.refreshReuseGraceSeconds,
      encryptionKey: input.encryptionKey,
    },
    tokens: { issuer: auth.issuer, audience: auth.audience, ttlSeconds: auth.accessTokenTtlSeconds },
    requireVerifiedEmail: auth.requireVerifiedEmail,
    lockoutThreshold: auth.lockoutThreshold,
    // Compared with stored addresses, so normalised the same way (case, spaces, NFKC).
    adminEmails: auth.adminEmails.map(normalizeEmail),
    hibpEnabled: auth.hibpEnabled,
    registrationMode: auth.registrationMode,
    // Passkeys belong to the address people open; the browser signs that origin into each answer.
    webauthn: {
      rpId: new URL(input.config.appUrl).hostname,
      rpName: "Tidings",
      origin: new URL(input.config.appUrl).origin,
    },
    afterResponse: (task) => {
      setImmediate(() => task().catch(input.onBackgroundError));
    },
    sendEmail: async (db, email) => {
      await queueEmail(db, email as Parameters<typeof queueEmail>[1]);
    },
  };
}
