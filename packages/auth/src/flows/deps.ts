import type { Database, Executor, Kysely } from "@tidings/db";
import type { KeyRing } from "../jwt/index.ts";
import type { RevocationStore } from "../revocation.ts";
import type { SessionSettings } from "../sessions.ts";

/** An email the flows want sent; the caller writes it to the outbox inside the given transaction. */
export interface AuthEmail {
  template:
    | "verify-email"
    | "account-exists"
    | "welcome"
    | "password-reset"
    | "password-changed"
    | "account-locked"
    | "new-sign-in"
    | "refresh-reuse";
  to: string;
  data: Record<string, unknown>;
}

/** Everything the authentication flows need, built once per process. */
export interface AuthDeps {
  db: Kysely<Database>;
  keyRing: KeyRing;
  revocation: RevocationStore;
  sessions: SessionSettings;
  tokens: { issuer: string; audience: string; ttlSeconds: number };
  requireVerifiedEmail: boolean;
  lockoutThreshold: number;
  adminEmails: readonly string[];
  hibpEnabled: boolean;
  sendEmail(db: Executor, email: AuthEmail): Promise<void>;
}
