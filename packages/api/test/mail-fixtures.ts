import { randomBytes } from "node:crypto";
import { createSession, signAccessToken } from "@tidings/auth";
import {
  type Database,
  insertMailAccount,
  insertUserIfAbsent,
  type Kysely,
  markEmailVerified,
  upsertMailFolder,
} from "@tidings/db";
import { parseMessage, storeMessage } from "@tidings/mail";
import { appRouter, createCallerFactory, createContext, type InnerContext, plainRequest } from "../src/index.ts";

// Mail rows for the mail router tests, stored the way the sync stores them (parseMessage +
// storeMessage), and signed-in callers on the same database.

const createCaller = createCallerFactory(appRouter);

export interface MailUser {
  id: string;
  caller: ReturnType<typeof createCaller>;
  /** For callers of one's own (with an abort signal, say). */
  accessToken: string;
}

export async function mailUser(inner: InnerContext): Promise<MailUser> {
  const email = `m${randomBytes(5).toString("hex")}@example.test`;
  const user = await insertUserIfAbsent(inner.db, {
    email,
    emailNormalized: email,
    displayName: null,
    passwordHash: "x",
  });
  if (!user) throw new Error(`${email} exists`);
  await markEmailVerified(inner.db, user.id, false);
  const { session } = await createSession(
    inner.db,
    { userId: user.id, origin: { ip: "127.0.0.1", userAgent: "mail-tests" }, method: "password" },
    inner.auth.sessions,
  );
  const access = await signAccessToken(
    inner.auth.keyRing,
    { userId: user.id, sessionId: session.id },
    inner.auth.tokens,
  );
  return {
    id: user.id,
    caller: createCaller(createContext(inner, plainRequest({ accessToken: access.token }))),
    accessToken: access.token,
  };
}

export interface MailBox {
  accountId: string;
  userId: string;
  folders: Record<"INBOX" | "Sent" | "Trash" | "Archive", string>;
  /** Stores a raw message in a folder as the sync would; answers its message and thread ids. */
  deliver(
    folder: keyof MailBox["folders"],
    raw: string,
    flags?: string[],
    uid?: number,
  ): Promise<{ messageId: string; threadId: string }>;
}

export async function mailBox(db: Kysely<Database>, userId: string, email = "me@example.test"): Promise<MailBox> {
  const account = await insertMailAccount(db, {
    userId,
    email,
    provider: "custom",
    imap: { host: "127.0.0.1", port: 1, security: "none", username: email },
    smtp: { host: "127.0.0.1", port: 1, security: "none", username: email },
    credentialsSealed: "sealed-elsewhere",
  });
  const roles = { INBOX: "inbox", Sent: "sent", Trash: "trash", Archive: "archive" } as const;
  const folders = {} as Record<keyof typeof roles, string>;
  for (const [path, role] of Object.entries(roles) as [keyof typeof roles, (typeof roles)[keyof typeof roles]][]) {
    folders[path] = (await upsertMailFolder(db, account.id, { path, name: path, role })).id;
  }
  const nextUid = new Map<string, number>();
  return {
    accountId: account.id,
    userId,
    folders,
    async deliver(folder, raw, flags = [], uid) {
      const folderId = folders[folder];
      const assigned = uid ?? (nextUid.get(folderId) ?? 0) + 1;
      nextUid.set(folderId, Math.max(assigned, nextUid.get(folderId) ?? 0));
      const parsed = await parseMessage(raw);
      const threadId = await db.transaction().execute((trx) =>
        storeMessage(trx, {
          accountId: account.id,
          userId,
          folderId,
          uid: assigned,
          modseq: null,
          flags: new Set(flags),
          internalDate: parsed.date ?? new Date(),
          size: raw.length,
          providerThreadId: null,
          parsed,
          withBody: true,
        }),
      );
      if (!threadId) throw new Error(`uid ${assigned} stored twice`);
      const row = await db
        .selectFrom("mail_messages")
        .select("id")
        .where("folder_id", "=", folderId)
        .where("uid", "=", assigned)
        .executeTakeFirstOrThrow();
      return { messageId: row.id, threadId };
    },
  };
}

export interface RawOptions {
  id: string;
  subject: string;
  from?: string;
  to?: string;
  date?: string;
  inReplyTo?: string;
  body?: string;
  html?: string;
  attachment?: { filename: string; contentType: string; content: string };
}

/** An RFC 5322 message: plain text, or text + HTML, with an attachment if asked. */
export function raw(options: RawOptions): string {
  const headers = [
    `From: ${options.from ?? "Bob Builder <bob@example.test>"}`,
    `To: ${options.to ?? "Me <me@example.test>"}`,
    `Subject: ${options.subject}`,
    `Message-ID: <${options.id}>`,
    ...(options.inReplyTo ? [`In-Reply-To: <${options.inReplyTo}>`, `References: <${options.inReplyTo}>`] : []),
    `Date: ${options.date ?? "Thu, 03 Dec 2026 10:00:00 +0000"}`,
    "MIME-Version: 1.0",
  ];
  const text = options.body ?? `Body of ${options.subject}`;
  if (!options.html && !options.attachment) {
    return [...headers, "Content-Type: text/plain; charset=utf-8", "", text, ""].join("\r\n");
  }
  const parts = [["Content-Type: text/plain; charset=utf-8", "", text].join("\r\n")];
  if (options.html) parts.push(["Content-Type: text/html; charset=utf-8", "", options.html].join("\r\n"));
  if (options.attachment) {
    parts.push(
      [
        `Content-Type: ${options.attachment.contentType}; name="${options.attachment.filename}"`,
        `Content-Disposition: attachment; filename="${options.attachment.filename}"`,
        "Content-Transfer-Encoding: base64",
        "",
        Buffer.from(options.attachment.content).toString("base64"),
      ].join("\r\n"),
    );
  }
  return [
    ...headers,
    'Content-Type: multipart/mixed; boundary="b1"',
    "",
    ...parts.map((part) => `--b1\r\n${part}`),
    "--b1--",
    "",
  ].join("\r\n");
}
