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
    | "refresh-reuse"
    | "invitation"
    | "email-change"
    | "email-changed"
    | "mfa-changed";
  to: string;
  data: Record<string, unknown>;
}

/** How a password sign-in ended; a locked or disabled account still answers INVALID_CREDENTIALS. */
export const signInOutcomes = ["success", "invalid_credentials", "locked", "disabled", "email_not_verified"] as const;
export type SignInOutcome = (typeof signInOutcomes)[number];

/** How a refresh-token rotation ended. */
export const tokenRefreshOutcomes = ["success", "invalid", "reused"] as const;
export type TokenRefreshOutcome = (typeof tokenRefreshOutcomes)[number];

/**
 * Optional hooks that report what the flows did (for metrics). Plain functions with fixed
 * values only: never an email, a token or anything else the caller sent (S16).
 */
export interface AuthObserver {
  signIn?(outcome: SignInOutcome): void;
  lockout?(): void;
  refresh?(outcome: TokenRefreshOutcome): void;
  /** A new account was created (not a registration attempt for an existing email). */
  registration?(): void;
  logout?(): void;
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
  /** `invite`: only invitations create accounts, and `register` answers as always but does nothing. */
  registrationMode: "open" | "invite";
  /**
   * The WebAuthn relying party (S34): passkeys are made for `rpId` (APP_URL's host) and only
   * answers signed for `origin` (APP_URL's origin) are accepted.
   */
  webauthn: { rpId: string; rpName: string; origin: string };
  sendEmail(db: Executor, email: AuthEmail): Promise<void>;
  /**
   * Runs work after the answer has been sent, so the answer takes as long whether or not the work
   * exists (S5). The task records its own failures; the caller only logs what escapes.
   */
  afterResponse(task: () => Promise<void>): void;
  /** Set by the process that wants to count what happens (metrics); absent in tests and tools. */
  observer?: AuthObserver;
}
