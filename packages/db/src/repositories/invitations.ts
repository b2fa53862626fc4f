import { sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { UserRole } from "../schema.ts";
import type { InvitationRow } from "../schema-protection.ts";

/** Stores an invitation (its token hashed) and retires the address's earlier open ones. */
export async function insertInvitation(
  db: Executor,
  invitation: {
    email: string;
    emailNormalized: string;
    role: UserRole;
    tokenHash: string;
    invitedBy: string;
    lifetimeSeconds: number;
  },
): Promise<{ id: string; expiresAt: Date }> {
  await db
    .updateTable("invitations")
    .set({ revoked_at: sql`now()` })
    .where("email_normalized", "=", invitation.emailNormalized)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .execute();
  const row = await db
    .insertInto("invitations")
    .values({
      email: invitation.email,
      email_normalized: invitation.emailNormalized,
      role: invitation.role,
      token_hash: invitation.tokenHash,
      invited_by: invitation.invitedBy,
      expires_at: sql<Date>`now() + make_interval(secs => ${invitation.lifetimeSeconds})`,
    })
    .returning(["id", "expires_at"])
    .executeTakeFirstOrThrow();
  return { id: row.id, expiresAt: row.expires_at };
}

export type InvitationState = InvitationRow & { expired: boolean };

export async function findInvitationByTokenHash(db: Executor, tokenHash: string): Promise<InvitationState | undefined> {
  const row = await db
    .selectFrom("invitations")
    .selectAll()
    .select(sql<boolean>`expires_at <= now()`.as("expired"))
    .where("token_hash", "=", tokenHash)
    .executeTakeFirst();
  return row && { ...row, expired: Boolean(row.expired) };
}

/** Accepts an open, unexpired invitation once; false when it was accepted, revoked or expired meanwhile. */
export async function markInvitationAccepted(db: Executor, id: string, userId: string): Promise<boolean> {
  const row = await db
    .updateTable("invitations")
    .set({ accepted_at: sql`now()`, accepted_user_id: userId })
    .where("id", "=", id)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", sql<Date>`now()`)
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

/** Revokes an open invitation; undefined when there is no such invitation at all. */
export async function revokeInvitation(db: Executor, id: string): Promise<{ revokedNow: boolean } | undefined> {
  const existing = await db.selectFrom("invitations").select(["id"]).where("id", "=", id).executeTakeFirst();
  if (!existing) return undefined;
  const row = await db
    .updateTable("invitations")
    .set({ revoked_at: sql`now()` })
    .where("id", "=", id)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .returning("id")
    .executeTakeFirst();
  return { revokedNow: row !== undefined };
}

const createdMicros = sql<string>`(extract(epoch from invitations.created_at) * 1000000)::bigint`;

export interface InvitationPage {
  items: (InvitationState & { invited_by_email: string | null })[];
  /** `<micros>_<id>` of the last row, as for users; null on the last page. */
  nextCursor: string | null;
}

/** Newest first, paged by (created_at, id). */
export async function listInvitations(
  db: Executor,
  filter: { cursor?: string | undefined; limit: number },
): Promise<InvitationPage> {
  let query = db
    .selectFrom("invitations")
    .leftJoin("users as inviter", "inviter.id", "invitations.invited_by")
    .selectAll("invitations")
    .select([
      "inviter.email as invited_by_email",
      createdMicros.as("created_micros"),
      sql<boolean>`invitations.expires_at <= now()`.as("expired"),
    ])
    .orderBy("invitations.created_at", "desc")
    .orderBy("invitations.id", "desc")
    .limit(filter.limit + 1);
  if (filter.cursor) {
    const [micros, id] = filter.cursor.split("_") as [string, string];
    query = query.where(sql<boolean>`(${createdMicros}, invitations.id) < (${micros}::bigint, ${id}::uuid)`);
  }
  const rows = await query.execute();
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    items: page.map(({ created_micros: _, expired, ...row }) => ({ ...row, expired: Boolean(expired) })),
    nextCursor: rows.length > filter.limit && last ? `${last.created_micros}_${last.id}` : null,
  };
}
