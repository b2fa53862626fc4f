import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

/** An upload of the user's, or an attachment of a message received in one of their mailboxes. */
export type AttachmentKind = "upload" | "received";

export interface AttachmentGrant {
  kind: AttachmentKind;
  attachmentId: string;
  userId: string;
  expiresAt: Date;
}

/** How long a download URL works (S28). */
export const ATTACHMENT_URL_TTL_MS = 5 * 60 * 1000;

// A key of its own, derived from ENCRYPTION_KEY, so a download token can never open a sealed value.
function tokenKey(encryptionKey: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", encryptionKey, Buffer.alloc(0), "tidings attachment download url", 32));
}

function mac(key: Buffer, payload: string): Buffer {
  return createHmac("sha256", key).update(payload).digest();
}

/** A URL-safe token naming the attachment and the user it is for, valid until `expiresAt`. */
export function signAttachmentToken(encryptionKey: Buffer, grant: AttachmentGrant): string {
  const payload = Buffer.from(
    JSON.stringify([grant.kind, grant.attachmentId, grant.userId, Math.floor(grant.expiresAt.getTime() / 1000)]),
  ).toString("base64url");
  return `${payload}.${mac(tokenKey(encryptionKey), payload).toString("base64url")}`;
}

/** The grant, or undefined when the token is forged, altered or expired. */
export function verifyAttachmentToken(
  encryptionKey: Buffer,
  token: string,
  now = new Date(),
): AttachmentGrant | undefined {
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined) return undefined;
  const expected = mac(tokenKey(encryptionKey), payload);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (!Array.isArray(fields) || fields.length !== 4) return undefined;
  const [kind, attachmentId, userId, expiresAtSeconds] = fields as unknown[];
  if (kind !== "upload" && kind !== "received") return undefined;
  if (typeof attachmentId !== "string" || typeof userId !== "string" || typeof expiresAtSeconds !== "number") {
    return undefined;
  }
  const expiresAt = new Date(expiresAtSeconds * 1000);
  if (expiresAt.getTime() <= now.getTime()) return undefined;
  return { kind, attachmentId, userId, expiresAt };
}

/** `attachment; filename="..."; filename*=UTF-8''...`: an ASCII fallback and the exact name (RFC 6266). */
export function attachmentDisposition(filename: string | null): string {
  const name = filename?.trim() || "attachment";
  const ascii = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
