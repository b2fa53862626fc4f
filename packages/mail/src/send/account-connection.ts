import type { Database, Kysely, MailAccountRow } from "@tidings/db";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import type { ConnectionLimits } from "../connection.ts";
import { openMailCredentials } from "../credentials.ts";
import { MailError } from "../errors.ts";
import { imapOptionsWithAuth, type MailAuth, smtpOptionsWithAuth, withMailAuth } from "../oauth/mail-auth.ts";
import type { MailOAuthClients } from "../oauth/providers.ts";

/** What the send, draft and download work needs to reach an account's servers. */
export interface AccountAccess {
  encryptionKey: Buffer;
  limits: ConnectionLimits;
  /**
   * For OAuth2 accounts: where a refreshed token is stored (under the row lock) and the configured
   * clients (`config.mail.oauth`). Without it, only password accounts can be reached.
   */
  oauth?: { db: Kysely<Database>; clients: MailOAuthClients };
}

/**
 * Runs `work` with the account's login for one side: the stored password, or an OAuth2 access
 * token (XOAUTH2) refreshed when due, and once more after the server refused it (withMailAuth).
 */
function withAccountAuth<T>(
  access: AccountAccess,
  account: MailAccountRow,
  side: "imap" | "smtp",
  work: (auth: MailAuth) => Promise<T>,
): Promise<T> {
  if (account.auth_method === "password") {
    const credentials = openMailCredentials(
      access.encryptionKey,
      { userId: account.user_id, email: account.email },
      account.credentials_sealed,
    );
    return side === "smtp"
      ? work({ user: account.smtp_username, pass: credentials.smtpPassword })
      : work({ user: account.imap_username, pass: credentials.imapPassword });
  }
  if (!access.oauth) {
    throw new MailError("MAIL_AUTH_FAILED", "This process cannot sign in to OAuth2 mailboxes", "oauth-unsupported");
  }
  return withMailAuth(access.oauth.db, access.encryptionKey, account, access.oauth.clients, side, work);
}

/**
 * Runs `work` with an SMTP transport signed in to the account's server, through the address guard
 * (S24), then closes it. A login refused before anything was sent is retried once with a refreshed
 * OAuth2 token, so `work` may run twice only when its first run failed at the login.
 */
export function withSmtp<T>(
  access: AccountAccess,
  account: MailAccountRow,
  work: (transport: nodemailer.Transporter) => Promise<T>,
): Promise<T> {
  return withAccountAuth(access, account, "smtp", async (auth) => {
    const transport = nodemailer.createTransport(await smtpOptionsWithAuth(account, auth, access.limits));
    try {
      return await work(transport);
    } finally {
      transport.close();
    }
  });
}

/** A logged-in IMAP connection to the account, through the address guard; the caller logs it out. */
export function connectImap(access: AccountAccess, account: MailAccountRow): Promise<ImapFlow> {
  return withAccountAuth(access, account, "imap", async (auth) => {
    const client = new ImapFlow(await imapOptionsWithAuth(account, auth, access.limits));
    client.on("error", () => {});
    await client.connect();
    return client;
  });
}

export async function logOut(client: ImapFlow): Promise<void> {
  await client.logout().catch(() => client.close());
}

/** Runs `work` on a logged-in IMAP connection to the account, then logs out. */
export async function withImap<T>(
  access: AccountAccess,
  account: MailAccountRow,
  work: (client: ImapFlow) => Promise<T>,
): Promise<T> {
  const client = await connectImap(access, account);
  try {
    return await work(client);
  } finally {
    await logOut(client);
  }
}

/** The path of the folder with this special use (`\Sent`, `\Drafts`), as the server lists it. */
export async function specialFolder(client: ImapFlow, use: "\\Sent" | "\\Drafts"): Promise<string> {
  const folders = await client.list();
  const found = folders.find((folder) => folder.specialUse === use);
  if (found) return found.path;
  // Servers without SPECIAL-USE mostly name them plainly.
  const named = folders.find((folder) => folder.name.toLowerCase() === (use === "\\Sent" ? "sent" : "drafts"));
  if (named) return named.path;
  throw new Error(`the mailbox has no ${use.slice(1)} folder`);
}

/** Sets a flag on one message by UID. */
export async function addFlag(client: ImapFlow, folder: string, uid: number, flag: string): Promise<void> {
  const lock = await client.getMailboxLock(folder);
  try {
    await client.messageFlagsAdd(String(uid), [flag], { uid: true });
  } finally {
    lock.release();
  }
}

/** Removes one message by UID for good. */
export async function deleteMessage(client: ImapFlow, folder: string, uid: number): Promise<void> {
  const lock = await client.getMailboxLock(folder);
  try {
    await client.messageDelete(String(uid), { uid: true });
  } finally {
    lock.release();
  }
}
