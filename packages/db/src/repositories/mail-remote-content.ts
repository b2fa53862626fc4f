import type { Executor } from "../executor.ts";

// The senders whose remote content a user always loads (S26). Addresses are kept lower-cased, as
// mail addresses are compared here.

/** Of `senders`, those the user always loads remote content from (lower-cased). */
export async function remoteContentSendersAmong(
  db: Executor,
  userId: string,
  senders: readonly string[],
): Promise<Set<string>> {
  const wanted = [...new Set(senders.map((sender) => sender.toLowerCase()).filter(Boolean))];
  if (wanted.length === 0) return new Set();
  const rows = await db
    .selectFrom("mail_remote_content_senders")
    .select("sender")
    .where("user_id", "=", userId)
    .where("sender", "in", wanted)
    .execute();
  return new Set(rows.map((row) => row.sender));
}

/** Always (or no longer) loads remote content from this sender for this user. */
export async function setRemoteContentSender(
  db: Executor,
  userId: string,
  sender: string,
  always: boolean,
): Promise<void> {
  const address = sender.toLowerCase();
  if (always) {
    await db
      .insertInto("mail_remote_content_senders")
      .values({ user_id: userId, sender: address })
      .onConflict((oc) => oc.columns(["user_id", "sender"]).doNothing())
      .execute();
  } else {
    await db
      .deleteFrom("mail_remote_content_senders")
      .where("user_id", "=", userId)
      .where("sender", "=", address)
      .execute();
  }
}
