import type { ColumnType, Generated, Selectable } from "kysely";
import type { UserRole } from "./schema.ts";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** int8, read back as a string by pg; the repositories convert. */
type Int8 = ColumnType<string | null, number | string | null | undefined, number | string | null>;

/** TOTP of one user: a setup waiting for its first code, or the active key. Both sealed. */
export interface UserTotpTable {
  user_id: string;
  pending_secret_sealed: string | null;
  secret_sealed: string | null;
  enabled_at: NullableTimestamp;
  last_used_step: Int8;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RecoveryCodesTable {
  id: Generated<string>;
  user_id: string;
  code_hash: string;
  used_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface MfaChallengesTable {
  id: Generated<string>;
  user_id: string;
  token_hash: string;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  used_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface InvitationsTable {
  id: Generated<string>;
  email: string;
  email_normalized: string;
  role: UserRole;
  token_hash: string;
  invited_by: string | null;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  accepted_at: NullableTimestamp;
  accepted_user_id: string | null;
  revoked_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface EmailChangesTable {
  id: Generated<string>;
  user_id: string;
  new_email: string;
  new_email_normalized: string;
  token_hash: string;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  used_at: NullableTimestamp;
  created_at: Timestamp;
}

/** A registered WebAuthn credential (S34). */
export interface PasskeysTable {
  id: Generated<string>;
  user_id: string;
  credential_id: string;
  public_key: string;
  /** int8: a number from pg (its parser), possibly a string from other drivers; compare with Number(). */
  counter: ColumnType<number | string, number | string | undefined, number | string>;
  transports: ColumnType<string[], string | undefined, string>;
  device_type: "singleDevice" | "multiDevice";
  backed_up: boolean;
  name: string;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
}

export type WebauthnChallengePurpose = "register" | "second_factor" | "passwordless";

export interface WebauthnChallengesTable {
  id: Generated<string>;
  challenge: string;
  purpose: WebauthnChallengePurpose;
  user_id: string | null;
  session_id: string | null;
  mfa_challenge_id: string | null;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  used_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface ProtectionDatabase {
  passkeys: PasskeysTable;
  webauthn_challenges: WebauthnChallengesTable;
  user_totp: UserTotpTable;
  recovery_codes: RecoveryCodesTable;
  mfa_challenges: MfaChallengesTable;
  invitations: InvitationsTable;
  email_changes: EmailChangesTable;
}

export type UserTotpRow = Selectable<UserTotpTable>;
export type InvitationRow = Selectable<InvitationsTable>;
export type EmailChangeRow = Selectable<EmailChangesTable>;
export type PasskeyRow = Selectable<PasskeysTable>;
