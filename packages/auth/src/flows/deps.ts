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
  /**
   * Runs work after the answer has been sent, so the answer takes as long whether or not the work
   * exists (S5). The task records its own failures; the caller only logs what escapes.
   */
  afterResponse(task: () => Promise<void>): void;
}
