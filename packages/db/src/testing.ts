import { createScratchDatabase } from "@tidings/testing";
import { createDatabase, type DatabaseHandle } from "./client.ts";
import { migrateToLatest } from "./migrate.ts";

export interface TestDatabase {
  /** Connection string of this file's own database; undefined when running on in-memory PGlite. */
  url: string | undefined;
  handle: DatabaseHandle;
  /** Closes the connection pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * A database of this test file's own, migrated: a fresh database on the local Postgres, or an
 * in-memory PGlite where no Postgres answers (and none is required).
 */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const scratch = await createScratchDatabase();
  const handle = createDatabase({ databaseUrl: scratch.url, poolSize: 4 });
  if (options.migrate !== false) await migrateToLatest(handle.db);
  return {
    url: scratch.url,
    handle,
    drop: async () => {
      await handle.close();
      await scratch.drop();
    },
  };
}

/** One mail account of a user with an inbox, for tests that need real message and thread rows. */
export interface MailFixture {
  accountId: string;
  folderId: string;
  /** A new empty thread's id. */
  newThread(): Promise<string>;
  /** A new message's id, in the given thread or a new one. */
  newMessage(threadId?: string): Promise<{ messageId: string; threadId: string }>;
}

export async function createMailFixture(db: DatabaseHandle["db"], userId: string): Promise<MailFixture> {
  const account = await db
    .insertInto("mail_accounts")
    .values({
      user_id: userId,
      email: `fixture-${userId.slice(0, 8)}@tidings.test`,
      provider: "custom",
      imap_host: "imap.example.test",
      imap_port: 993,
      imap_security: "tls",
      imap_username: "fixture",
      smtp_host: "smtp.example.test",
      smtp_port: 465,
      smtp_security: "tls",
      smtp_username: "fixture",
      credentials_sealed: "sealed",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const folder = await db
    .insertInto("mail_folders")
    .values({ account_id: account.id, path: "INBOX", name: "Inbox", role: "inbox" })
    .returning("id")
    .executeTakeFirstOrThrow();
  let uid = 0;
  const newThread = async () =>
    (
      await db
        .insertInto("mail_threads")
        .values({ account_id: account.id, user_id: userId, last_message_at: new Date() })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  return {
    accountId: account.id,
    folderId: folder.id,
    newThread,
    async newMessage(threadId) {
      const thread = threadId ?? (await newThread());
      uid += 1;
      const row = await db
        .insertInto("mail_messages")
        .values({
          account_id: account.id,
          user_id: userId,
          folder_id: folder.id,
          thread_id: thread,
          uid,
          to: "[]",
          cc: "[]",
          reply_to: "[]",
          date: new Date(),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      return { messageId: row.id, threadId: thread };
    },
  };
}
