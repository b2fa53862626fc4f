import { type RawBuilder, sql } from "kysely";
import type { Executor } from "../executor.ts";

// The user's correspondents (mail_contacts), for address autocomplete. One row per mail account and
// lower-cased address, counted as mail is stored and sent: a lookup then reads this small table
// (a few thousand rows for a mailbox of 100 000 messages) instead of every message's to/cc JSON.
// Each message counts once per account: another copy of it (Gmail's labels, a folder synced later)
// and the synced Sent copy of a message sent from here (counted when it was sent) are skipped.

/** Adds rows of (account_id, user_id, email, name, sent_count, received_count, last_at) into the counts. */
const mergeCounts = sql`
  on conflict (account_id, email) do update set
    sent_count = mail_contacts.sent_count + excluded.sent_count,
    received_count = mail_contacts.received_count + excluded.received_count,
    name = case
      when excluded.name <> '' and (excluded.last_at >= mail_contacts.last_at or mail_contacts.name = '')
        then excluded.name
      else mail_contacts.name
    end,
    last_at = greatest(mail_contacts.last_at, excluded.last_at)`;

/** A plausible address (something@something), after lower-casing and trimming. */
const plausible = (email: RawBuilder<unknown>) => sql`${email} like '_%@_%'`;

/**
 * Counts the correspondents of messages just stored (their ids): the recipients (to, cc) of what
 * the user sent (from the account's own address, or filed in Sent), the sender of everything else.
 * Call it in the transaction that stored them.
 */
export async function recordMailContactsOf(db: Executor, messageIds: readonly string[]): Promise<void> {
  if (!messageIds.length) return;
  const ids = sql`${[...messageIds]}::uuid[]`;
  await sql`
    insert into mail_contacts (account_id, user_id, email, name, sent_count, received_count, last_at)
    select account_id, user_id, email,
      coalesce((array_agg(name order by at desc) filter (where name <> ''))[1], ''),
      sum(sent), sum(received), max(at)
    from (
      select distinct on (m.account_id, coalesce(m.message_id, m.id::text))
        m.account_id, m.user_id, m.from_email, m.from_name, m."to", m.cc, m.date,
        (lower(m.from_email) = lower(a.email) or f.role = 'sent') as outgoing
      from mail_messages m
      join mail_accounts a on a.id = m.account_id
      join mail_folders f on f.id = m.folder_id
      where m.id = any(${ids})
        and not exists (
          select 1 from mail_messages o
          where o.account_id = m.account_id and o.message_id = m.message_id and o.id <> all(${ids})
        )
        and not exists (
          select 1 from mail_outgoing s
          where s.account_id = m.account_id and s.message_id = m.message_id and s.delivered_at is not null
        )
    ) m
    cross join lateral (
      select lower(trim(r->>'email')) as email, coalesce(r->>'name', '') as name, 1 as sent, 0 as received, m.date as at
      from jsonb_array_elements(m."to" || m.cc) r where m.outgoing
      union all
      select lower(trim(m.from_email)), m.from_name, 0, 1, m.date where not m.outgoing
    ) c
    where ${plausible(sql`c.email`)}
    group by account_id, user_id, email
    ${mergeCounts}
  `.execute(db);
}

/**
 * Notes that SMTP took an outgoing message and, in the same statement, counts its recipients (to,
 * cc and bcc) as people the user sent mail to. Only the first call does either: a retry that only
 * files the message in Sent counts nothing again.
 */
export async function markDeliveredCountingRecipients(db: Executor, outgoingId: string): Promise<void> {
  await sql`
    with delivered as (
      update mail_outgoing set delivered_at = now(), updated_at = now()
      where id = ${outgoingId} and delivered_at is null
      returning account_id, user_id, "to" || cc || bcc as recipients, delivered_at
    )
    insert into mail_contacts (account_id, user_id, email, name, sent_count, received_count, last_at)
    select d.account_id, d.user_id, lower(trim(r->>'email')),
      coalesce((array_agg(r->>'name') filter (where coalesce(r->>'name', '') <> ''))[1], ''),
      count(*), 0, max(d.delivered_at)
    from delivered d
    cross join lateral jsonb_array_elements(d.recipients) r
    where ${plausible(sql`lower(trim(r->>'email'))`)}
    group by 1, 2, 3
    ${mergeCounts}
  `.execute(db);
}

export interface MailContact {
  email: string;
  name: string;
  sentCount: number;
  receivedCount: number;
  lastAt: Date;
}

/** LIKE pattern text: the query itself, with LIKE's own wildcards taken literally. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/**
 * The user's correspondents whose address starts with `query`, or one of whose name's words does
 * (a query of several words matches those words in a row), across every account, one per address
 * with its most recent name. People the user wrote to come first, then by how many messages were
 * exchanged, then the most recent. The user's own account addresses are left out.
 */
export async function searchMailContacts(
  db: Executor,
  userId: string,
  query: string,
  limit: number,
): Promise<MailContact[]> {
  const needle = likeLiteral(query.trim().toLowerCase());
  if (!needle) return [];
  const rows = await db
    .selectFrom("mail_contacts")
    .where("user_id", "=", userId)
    .where((eb) =>
      eb.or([
        eb("email", "like", `${needle}%`),
        eb(sql`lower(name)`, "like", `${needle}%`),
        // A later word: after a space, or after punctuation such as "O'Brien" or "(Ops)".
        eb(sql`lower(name)`, "~", sql`${`[^[:alnum:]]${escapeRegex(query.trim().toLowerCase())}`}`),
      ]),
    )
    .where("email", "not in", (eb) =>
      eb.selectFrom("mail_accounts").select(sql<string>`lower(email)`.as("email")).where("user_id", "=", userId),
    )
    .groupBy("email")
    .select([
      "email",
      sql<string>`coalesce((array_agg(name order by last_at desc) filter (where name <> ''))[1], '')`.as("name"),
      sql<number>`sum(sent_count)::int`.as("sent_count"),
      sql<number>`sum(received_count)::int`.as("received_count"),
      sql<Date>`max(last_at)`.as("last_at"),
    ])
    .orderBy(sql`sum(sent_count) > 0`, "desc")
    .orderBy(sql`sum(sent_count) + sum(received_count)`, "desc")
    .orderBy(sql`max(last_at)`, "desc")
    .orderBy("email")
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    email: row.email,
    name: row.name,
    sentCount: row.sent_count,
    receivedCount: row.received_count,
    lastAt: row.last_at,
  }));
}

/** Postgres regular expressions take the same escapes as JavaScript's for these characters. */
function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
