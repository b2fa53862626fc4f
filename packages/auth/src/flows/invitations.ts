import {
  findInvitationByTokenHash,
  findUserByEmail,
  type InvitationState,
  insertInvitation,
  insertUserIfAbsent,
  listInvitations as listInvitationRows,
  markInvitationAccepted,
  revokeInvitation as revokeInvitationRow,
  type User,
  type UserRole,
} from "@tidings/db";
import type { RequestOrigin } from "../audit.ts";
import { normalizeEmail } from "../email-address.ts";
import { oneTimeTokenLifetimes } from "../one-time-tokens.ts";
import { generateOpaqueToken, hashToken } from "../opaque-token.ts";
import { checkPasswordPolicy, hashPassword } from "../password/index.ts";
import { recordAuditEvent } from "../record-audit-event.ts";
import type { AuthDeps } from "./deps.ts";
import { AuthFailure } from "./failure.ts";
import { openSession } from "./sign-in.ts";
import type { AuthResult } from "./views.ts";

export type InvitationStatus = "pending" | "accepted" | "revoked" | "expired";

export interface InvitationView {
  id: string;
  email: string;
  role: UserRole;
  status: InvitationStatus;
  invitedBy: { id: string; email: string } | null;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
}

function statusOf(row: InvitationState): InvitationStatus {
  if (row.accepted_at) return "accepted";
  if (row.revoked_at) return "revoked";
  return row.expired ? "expired" : "pending";
}

/**
 * An administrator invites an address (API.md, `admin.invitations.create`): a 256-bit link token,
 * stored hashed, valid 7 days and once. A newer invitation to the same address replaces the older.
 */
export async function createInvitation(
  deps: AuthDeps,
  admin: User,
  input: { email: string; role: UserRole },
  origin: RequestOrigin,
): Promise<{ id: string; expiresAt: Date }> {
  const email = input.email.trim();
  const emailNormalized = normalizeEmail(email);
  // Only administrators get here, and they can list the accounts anyway: saying so is no leak.
  if (await findUserByEmail(deps.db, emailNormalized)) {
    throw new AuthFailure("INVALID_INPUT", "An account with this email address exists already", {
      issues: [{ path: ["email"], message: "An account with this email address exists already" }],
    });
  }
  const token = generateOpaqueToken();
  return deps.db.transaction().execute(async (trx) => {
    const created = await insertInvitation(trx, {
      email,
      emailNormalized,
      role: input.role,
      tokenHash: hashToken(token),
      invitedBy: admin.id,
      lifetimeSeconds: oneTimeTokenLifetimes.invitation,
    });
    await deps.sendEmail(trx, {
      template: "invitation",
      to: email,
      data: { inviterName: admin.display_name?.trim() || admin.email, token },
    });
    await recordAuditEvent(trx, {
      type: "invitation_sent",
      userId: admin.id,
      origin,
      metadata: { invitationId: created.id, email, role: input.role },
    });
    return created;
  });
}

export async function listInvitations(
  deps: Pick<AuthDeps, "db">,
  page: { cursor?: string | undefined; limit: number },
): Promise<{ items: InvitationView[]; nextCursor: string | null }> {
  const { items, nextCursor } = await listInvitationRows(deps.db, page);
  return {
    items: items.map((row) => ({
      id: row.id,
      email: row.email,
      role: row.role,
      status: statusOf(row),
      invitedBy: row.invited_by && row.invited_by_email ? { id: row.invited_by, email: row.invited_by_email } : null,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      acceptedAt: row.accepted_at,
      revokedAt: row.revoked_at,
    })),
    nextCursor,
  };
}

/** Revoking twice is fine; an unknown id is NOT_FOUND. */
export async function revokeInvitation(deps: Pick<AuthDeps, "db">, invitationId: string): Promise<{ status: "ok" }> {
  const revoked = await revokeInvitationRow(deps.db, invitationId);
  if (!revoked) throw new AuthFailure("NOT_FOUND", "No such invitation");
  return { status: "ok" };
}

const deadLink = (row: InvitationState | undefined): AuthFailure | undefined => {
  if (!row || row.accepted_at || row.revoked_at)
    return new AuthFailure("TOKEN_INVALID", "This invitation is not valid");
  if (row.expired) return new AuthFailure("TOKEN_EXPIRED", "This invitation has expired; ask for a new one");
  return undefined;
};

/**
 * The invitee sets a password (and a name): the account is created verified, since the link
 * reached the address, with the invited role, and signed in. The link works once.
 */
export async function acceptInvitation(
  deps: AuthDeps,
  input: { token: string; password: string; displayName?: string | null | undefined },
  origin: RequestOrigin,
): Promise<AuthResult> {
  const tokenHash = hashToken(input.token);
  const invitation = await findInvitationByTokenHash(deps.db, tokenHash);
  const dead = deadLink(invitation);
  if (dead || !invitation) throw dead;
  const displayName = input.displayName?.trim() || null;
  const policy = await checkPasswordPolicy(
    input.password,
    { email: invitation.email, displayName },
    { hibp: { enabled: deps.hibpEnabled } },
  );
  if (!policy.ok) throw new AuthFailure("WEAK_PASSWORD", "Choose a stronger password", { reasons: policy.reasons });
  const passwordHash = await hashPassword(input.password);
  const role: UserRole = deps.adminEmails.includes(invitation.email_normalized) ? "admin" : invitation.role;

  const result = await deps.db.transaction().execute(async (trx) => {
    const user = await insertUserIfAbsent(trx, {
      email: invitation.email,
      emailNormalized: invitation.email_normalized,
      displayName,
      passwordHash,
      verified: true,
      role,
    });
    if (!user) throw new AuthFailure("TOKEN_INVALID", "This invitation is not valid");
    // Conditional: of two acceptances racing, one creates the account (the other rolls back).
    if (!(await markInvitationAccepted(trx, invitation.id, user.id))) {
      throw (
        deadLink(await findInvitationByTokenHash(trx, tokenHash)) ??
        new AuthFailure("TOKEN_INVALID", "This invitation is not valid")
      );
    }
    await recordAuditEvent(trx, {
      type: "invitation_accepted",
      userId: user.id,
      origin,
      metadata: { invitationId: invitation.id, invitedBy: invitation.invited_by, role },
    });
    await deps.sendEmail(trx, { template: "welcome", to: user.email, data: { displayName } });
    return openSession(deps, trx, user.id, origin, "invitation");
  });
  deps.observer?.registration?.();
  return result;
}
