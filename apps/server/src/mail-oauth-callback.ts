import { recordAuditEvent } from "@tidings/auth";
import type { Config } from "@tidings/config";
import { completeMailOAuth, MAIL_OAUTH_CALLBACK_PATH, MailOAuthError, mailOAuthAppRedirect } from "@tidings/mail";
import type { FastifyInstance } from "fastify";
import type { Services } from "./services.ts";

/**
 * GET /oauth/mail/callback: where Google or Microsoft sends the browser after the user allowed
 * (or refused) access to a mailbox. The work is completeMailOAuth's (@tidings/mail); this route
 * only hands it the query and sends the browser back to the app's mail settings, with
 * `?connected=<account id>` or `?error=<word>` — never a provider's message or a token. The access
 * log blanks `code` (log-redaction.ts).
 */
export async function registerMailOAuthCallback(
  app: FastifyInstance,
  { config, services }: { config: Config; services: Services },
): Promise<void> {
  app.get(MAIL_OAUTH_CALLBACK_PATH, async (request, reply) => {
    const query = new URLSearchParams(request.raw.url?.split("?")[1] ?? "");
    reply.header("cache-control", "no-store");
    try {
      const connected = await completeMailOAuth(
        {
          db: services.database.db,
          encryptionKey: services.auth.sessions.encryptionKey,
          clients: config.mail.oauth,
          appUrl: config.appUrl,
        },
        query,
      );
      // Connected anew or reconnected: either way the owner's trail shows the mailbox was granted.
      await recordAuditEvent(services.database.db, {
        type: "mail_account_added",
        userId: connected.userId,
        origin: { ip: request.ip, userAgent: request.headers["user-agent"] },
        metadata: { accountId: connected.accountId, email: connected.email, method: "oauth2" },
      });
      await services.mailEvents.publish(connected.userId, {
        type: "account.status",
        accountId: connected.accountId,
        status: "connecting",
        error: null,
      });
      return reply.redirect(mailOAuthAppRedirect(config.appUrl, { accountId: connected.accountId }), 302);
    } catch (error) {
      if (error instanceof MailOAuthError) {
        request.log.info({ failure: error.failure }, "mail OAuth callback refused");
        return reply.redirect(mailOAuthAppRedirect(config.appUrl, { failure: error.failure }), 302);
      }
      request.log.error({ err: error }, "mail OAuth callback failed");
      return reply.redirect(mailOAuthAppRedirect(config.appUrl, { failure: "unavailable" }), 302);
    }
  });
}
