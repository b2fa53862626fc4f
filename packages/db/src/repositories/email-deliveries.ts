import { sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { EmailDelivery } from "../schema.ts";

export function findEmailDelivery(db: Executor, id: string): Promise<EmailDelivery | undefined> {
  return db.selectFrom("email_deliveries").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Records that an attempt is starting; creates the row on the first attempt. */
export async function startEmailAttempt(
  db: Executor,
  delivery: { id: string; template: string; recipient: string; messageId: string },
): Promise<void> {
  await db
    .insertInto("email_deliveries")
    .values({
      id: delivery.id,
      template: delivery.template,
      recipient: delivery.recipient,
      message_id: delivery.messageId,
      status: "sending",
      attempts: 1,
    })
    .onConflict((oc) =>
      oc.column("id").doUpdateSet({
        status: "sending",
        attempts: sql`email_deliveries.attempts + 1`,
        updated_at: sql`now()`,
      }),
    )
    .execute();
}

export async function markEmailSent(db: Executor, id: string): Promise<void> {
  await db
    .updateTable("email_deliveries")
    .set({ status: "sent", sent_at: sql`now()`, updated_at: sql`now()`, last_error: null })
    .where("id", "=", id)
    .execute();
}

export async function markEmailAttemptFailed(db: Executor, id: string, error: string, final: boolean): Promise<void> {
  await db
    .updateTable("email_deliveries")
    .set({ status: final ? "failed" : "retrying", last_error: error.slice(0, 2000), updated_at: sql`now()` })
    .where("id", "=", id)
    .execute();
}
