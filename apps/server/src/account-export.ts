import { buildAccountExport, readExportLink } from "@tidings/auth";
import type { Config } from "@tidings/config";
import { accountExportArchive, parseAllowedPrivateHosts } from "@tidings/mail";
import type { FastifyInstance } from "fastify";
import type { Services } from "./services.ts";

/**
 * `GET /exports/:token`: the download behind `account.export`'s link. The sealed token names the
 * user and its expiry; the answer is a ZIP (account.json and an mbox per mail account, streamed
 * from the mail servers as it is sent) that no cache keeps. Whatever is wrong with the link, the
 * answer says only that it does not work.
 */
export async function registerAccountExportRoute(
  app: FastifyInstance,
  services: Services,
  config: Config,
): Promise<void> {
  const access = {
    db: services.database.db,
    encryptionKey: services.auth.sessions.encryptionKey,
    limits: { allowedPrivateHosts: parseAllowedPrivateHosts(config.mail.allowedPrivateHosts) },
    // OAuth2 mailboxes are read with XOAUTH2 (tokens refreshed when due).
    oauth: { db: services.database.db, clients: config.mail.oauth },
  };
  app.get<{ Params: { token: string } }>("/exports/:token", async (request, reply) => {
    reply.header("cache-control", "no-store");
    const link = request.params.token.length <= 2048 ? readExportLink(services.auth, request.params.token) : undefined;
    if (!link?.ok) {
      const expired = link?.reason === "TOKEN_EXPIRED";
      return reply.code(expired ? 410 : 404).send({
        error: expired ? "TOKEN_EXPIRED" : "TOKEN_INVALID",
        message: expired ? "This download link has expired; ask for a new export" : "This download link is not valid",
      });
    }
    const data = await buildAccountExport(services.auth, link.userId);
    if (!data) return reply.code(404).send({ error: "TOKEN_INVALID", message: "This download link is not valid" });
    const day = data.exportedAt.slice(0, 10);
    return reply
      .header("content-type", "application/zip")
      .header("content-disposition", `attachment; filename="tidings-export-${day}.zip"`)
      .send(accountExportArchive(access, link.userId, data));
  });
}
