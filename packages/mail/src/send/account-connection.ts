import type { MailAccountRow } from "@tidings/db";
import { ImapFlow } from "imapflow";
import { type ConnectionLimits, imapOptions, type ServerSettings, smtpOptions } from "../connection.ts";
import { openMailCredentials } from "../credentials.ts";
import { MailError } from "../errors.ts";

/** What the send, draft and download work needs to reach an account's servers. */
export interface AccountAccess {
  encryptionKey: Buffer;
  limits: ConnectionLimits;
}

function passwords(access: AccountAccess, account: MailAccountRow) {
  // OAuth2 mailboxes log in with resolveMailAuth (oauth/mail-auth.ts); sending does not use it yet.
  if (account.auth_method !== "password") {
    throw new MailError("MAIL_AUTH_FAILED", "Sending from OAuth2 mailboxes is not supported yet", "oauth-unsupported");
  }
  return openMailCredentials(
    access.encryptionKey,
    { userId: account.user_id, email: account.email },
    account.credentials_sealed,
  );
}

/** nodemailer options for the account's SMTP server, through the address guard (S24). */
export async function accountSmtpOptions(access: AccountAccess, account: MailAccountRow) {
  const settings: ServerSettings = {
    host: account.smtp_host,
    port: account.smtp_port,
    security: account.smtp_security,
    username: account.smtp_username,
    password: passwords(access, account).smtpPassword,
  };
  return smtpOptions(settings, access.limits);
}

/** A logged-in IMAP connection to the account, through the address guard; the caller logs it out. */
export async function connectImap(access: AccountAccess, account: MailAccountRow): Promise<ImapFlow> {
  const settings: ServerSettings = {
    host: account.imap_host,
    port: account.imap_port,
    security: account.imap_security,
    username: account.imap_username,
    password: passwords(access, account).imapPassword,
  };
  const client = new ImapFlow(await imapOptions(settings, access.limits));
  client.on("error", () => {});
  await client.connect();
  return client;
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
