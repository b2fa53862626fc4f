import { openSecret, sealSecret } from "@tidings/auth";

/** The secrets of one mail account; stored only sealed (S23). */
export interface MailCredentials {
  imapPassword: string;
  smtpPassword: string;
}

/**
 * The sealed value is bound to the user and the address (associated data), so a sealed blob copied
 * onto another account's row does not open.
 */
function context(userId: string, email: string): string {
  return `mail-account:${userId}:${email.toLowerCase()}`;
}

/** Seals the credentials with the existing AES-256-GCM sealing under ENCRYPTION_KEY. */
export function sealMailCredentials(
  key: Buffer,
  owner: { userId: string; email: string },
  credentials: MailCredentials,
): string {
  return sealSecret(key, JSON.stringify(credentials), context(owner.userId, owner.email));
}

export function openMailCredentials(
  key: Buffer,
  owner: { userId: string; email: string },
  sealed: string,
): MailCredentials {
  const opened = JSON.parse(openSecret(key, sealed, context(owner.userId, owner.email))) as Partial<MailCredentials>;
  if (typeof opened.imapPassword !== "string" || typeof opened.smtpPassword !== "string") {
    throw new Error("sealed mail credentials are incomplete");
  }
  return { imapPassword: opened.imapPassword, smtpPassword: opened.smtpPassword };
}
