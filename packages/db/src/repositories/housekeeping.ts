import { sql } from "kysely";
import type { Executor } from "../executor.ts";

/** How long an upload no draft or pending message names is kept (a compose window left open overnight). */
export const UNUSED_UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;
/** Expired short-lived rows are kept this long past expiry, so a late answer still reads "expired". */
export const EXPIRED_ROW_GRACE_MS = 60 * 60 * 1000;

export interface PrunedCounts {
  uploads: number;
  oauthStates: number;
  webauthnChallenges: number;
}

/**
 * Deletes what nothing will read again: uploads older than a day that no draft and no queued,
 * sending or failed message names (a failed send can be retried with its attachments), OAuth
 * authorization requests and WebAuthn challenges an hour past their expiry. Idempotent, so any
 * number of processes may run it at once.
 */
export async function pruneStaleRows(db: Executor, now: Date = new Date()): Promise<PrunedCounts> {
  const uploadCutoff = new Date(now.getTime() - UNUSED_UPLOAD_TTL_MS);
  const expiredCutoff = new Date(now.getTime() - EXPIRED_ROW_GRACE_MS);
  const uploads = await db
    .deleteFrom("mail_uploads")
    .where("created_at", "<", uploadCutoff)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("mail_drafts")
            .select(sql.lit(1).as("one"))
            .where(sql<boolean>`mail_uploads.id = any(mail_drafts.attachment_ids)`),
        ),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("mail_outgoing")
            .select(sql.lit(1).as("one"))
            .where("mail_outgoing.status", "in", ["queued", "sending", "failed"])
            .where(sql<boolean>`mail_uploads.id = any(mail_outgoing.attachment_ids)`),
        ),
      ),
    )
    .executeTakeFirst();
  const oauthStates = await db
    .deleteFrom("mail_oauth_states")
    .where("expires_at", "<", expiredCutoff)
    .executeTakeFirst();
  const webauthnChallenges = await db
    .deleteFrom("webauthn_challenges")
    .where("expires_at", "<", expiredCutoff)
    .executeTakeFirst();
  return {
    uploads: Number(uploads.numDeletedRows),
    oauthStates: Number(oauthStates.numDeletedRows),
    webauthnChallenges: Number(webauthnChallenges.numDeletedRows),
  };
}
