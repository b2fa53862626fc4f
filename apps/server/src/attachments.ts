import type { Readable } from "node:stream";
import fastifyMultipart from "@fastify/multipart";
import { consumeRateLimits } from "@tidings/api";
import { AuthFailure, authenticate } from "@tidings/auth";
import type { Config } from "@tidings/config";
import { findMailAccount, findMailUpload, findReceivedAttachment, findUserById, insertMailUpload } from "@tidings/db";
import {
  attachmentDisposition,
  openReceivedAttachment,
  parseAllowedPrivateHosts,
  verifyAttachmentToken,
} from "@tidings/mail";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Services } from "./services.ts";

/**
 * `POST /attachments` (multipart upload, Bearer) and `GET /attachments/:token` (download through
 * the short-lived URL of mail.attachmentUrl). Uploads are stored in the database, outside any web
 * root; downloads always save as a file with the declared type and nosniff (S28).
 */
export async function registerAttachmentRoutes(app: FastifyInstance, services: Services, config: Config) {
  const maxBytes = config.mail.maxAttachmentBytes;
  const tooLarge = `Attachments can be at most ${Math.round(maxBytes / (1024 * 1024))} MB`;
  const encryptionKey = services.auth.sessions.encryptionKey;
  const access = {
    encryptionKey,
    limits: { allowedPrivateHosts: parseAllowedPrivateHosts(config.mail.allowedPrivateHosts) },
    // Received attachments of OAuth2 mailboxes are read with XOAUTH2 (tokens refreshed when due).
    oauth: { db: services.database.db, clients: config.mail.oauth },
  };

  await app.register(async (scope) => {
    await scope.register(fastifyMultipart, { limits: { fileSize: maxBytes, files: 1, fields: 0, parts: 2 } });

    scope.post("/attachments", async (request, reply) => {
      const userId = await signedInUser(request, reply);
      if (!userId) return reply;
      if (!request.isMultipart()) {
        return fail(reply, 415, "INVALID_INPUT", "Send the file as multipart/form-data");
      }
      let file: Awaited<ReturnType<typeof request.file>>;
      let content: Buffer;
      try {
        file = await request.file();
        if (!file) return fail(reply, 400, "INVALID_INPUT", "No file in the request");
        content = await file.toBuffer();
      } catch (error) {
        if ((error as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE") {
          return fail(reply, 413, "INVALID_INPUT", tooLarge);
        }
        return fail(reply, 400, "INVALID_INPUT", "The upload could not be read");
      }
      const { id } = await insertMailUpload(services.database.db, {
        userId,
        filename: cleanFilename(file.filename),
        contentType: cleanContentType(file.mimetype),
        content,
      });
      return reply.code(201).send({ attachmentId: id });
    });
  });

  app.get<{ Params: { token: string } }>("/attachments/:token", async (request, reply) => {
    const grant = verifyAttachmentToken(encryptionKey, request.params.token);
    const gone = () => fail(reply, 404, "NOT_FOUND", "This download link is invalid or has expired");
    if (!grant) return gone();
    const db = services.database.db;
    if (grant.kind === "upload") {
      const upload = await findMailUpload(db, grant.userId, grant.attachmentId);
      if (!upload) return gone();
      return sendFile(reply, upload.filename, upload.content_type, upload.content);
    }
    const attachment = await findReceivedAttachment(db, grant.userId, grant.attachmentId);
    const account = attachment && (await findMailAccount(db, grant.userId, attachment.account_id));
    if (!attachment || !account) return gone();
    let content: Readable | undefined;
    try {
      // Streamed from the IMAP server as it arrives; the connection closes when the answer ends.
      content = await openReceivedAttachment(access, account, { ...attachment, ordinal: 0 }, maxBytes);
    } catch (error) {
      request.log.warn({ err: error instanceof Error ? error.message : String(error) }, "attachment download failed");
      return fail(reply, 502, "MAIL_CONNECTION_FAILED", "The mail server could not be reached; try again later");
    }
    if (!content) return fail(reply, 404, "NOT_FOUND", "The attachment is no longer on the mail server");
    return sendFile(reply, attachment.filename, attachment.content_type, content);
  });

  /** The caller of a Bearer request with a verified email, or undefined once the answer is sent. */
  async function signedInUser(request: FastifyRequest, reply: FastifyReply): Promise<string | undefined> {
    const token = request.headers.authorization?.match(/^Bearer ([A-Za-z0-9._~+/=-]{1,8192})$/)?.[1];
    if (!token) {
      fail(reply, 401, "TOKEN_INVALID", "Sign in first");
      return undefined;
    }
    let userId: string;
    try {
      userId = (await authenticate(services.auth, token)).userId;
    } catch (error) {
      if (!(error instanceof AuthFailure)) throw error;
      fail(reply, 401, error.code, error.message);
      return undefined;
    }
    const user = await findUserById(services.database.db, userId);
    if (!user || user.disabled_at) {
      fail(reply, 401, "TOKEN_INVALID", "Sign in first");
      return undefined;
    }
    if (!user.email_verified_at) {
      fail(reply, 403, "FORBIDDEN", "Verify your email address first");
      return undefined;
    }
    const refused = await consumeRateLimits(services.rateLimiter, config, [{ rule: "default", key: `user:${userId}` }]);
    if (refused) {
      reply.header("retry-after", String(refused.retryAfterSeconds));
      fail(reply, 429, "RATE_LIMITED", "Too many attempts.");
      return undefined;
    }
    return userId;
  }
}

function sendFile(reply: FastifyReply, filename: string | null, contentType: string, content: Buffer | Readable) {
  return reply
    .header("content-type", cleanContentType(contentType))
    .header("content-disposition", attachmentDisposition(filename))
    .header("x-content-type-options", "nosniff")
    .header("cache-control", "private, no-store")
    .header("content-security-policy", "default-src 'none'; sandbox")
    .send(content);
}

function fail(reply: FastifyReply, status: number, appCode: string, message: string) {
  return reply.code(status).send({ error: { appCode, message } });
}

/** The name as given, without folders or control characters, bounded. */
function cleanFilename(name: string | undefined): string {
  const base = (name ?? "").split(/[\\/]/).pop() ?? "";
  const cleaned = base
    .replace(/\p{Cc}/gu, "")
    .trim()
    .slice(0, 255);
  return cleaned || "attachment";
}

/** A plain `type/subtype` (parameters dropped), else application/octet-stream. */
function cleanContentType(value: string | undefined): string {
  const type = (value ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return /^[a-z0-9][\w.+-]*\/[a-z0-9][\w.+-]*$/.test(type) ? type : "application/octet-stream";
}
