import { recordAuditEvent } from "@tidings/auth";
import {
  countMailAccountMessages,
  deleteMailAccount,
  findMailAccount,
  insertMailAccountIfAbsent,
  listMailAccounts,
  type MailAccountRow,
  requestMailAccountResync,
} from "@tidings/db";
import { offeredPresets, presetForEmail, revokeMailOAuth, sealMailCredentials, testCredentials } from "@tidings/mail";
import type { TRPCRouterRecord } from "@trpc/server";
import { AppError } from "../../errors.ts";
import { requestOrigin } from "../../request-origin.ts";
import {
  mailAccountAddInput,
  mailAccountIdInput,
  mailAccountTestInput,
  mailAccountUpdateInput,
} from "../../schemas.ts";
import { verifiedProcedure } from "../../trpc.ts";
import { mailAccountOAuthProcedures } from "../mail-account-oauth/index.ts";
import { notFound } from "./not-found.ts";
import { checkServers, connectionLimits, refuseFailedSide, withoutPassword } from "./server-check.ts";
import { updateAccount } from "./update.ts";
import { toMailAccountView } from "./view.ts";

// Connecting mailboxes (API.md `mailAccount`). Every procedure needs a verified email; another
// user's account id answers NOT_FOUND (S27); no answer, error or log line carries a password (S23).
export const mailAccountRouter = {
  // oauthStart: connecting Gmail and Microsoft 365 mailboxes with OAuth2 (router/mail-account-oauth).
  ...mailAccountOAuthProcedures,

  presets: verifiedProcedure.query(({ ctx }) =>
    offeredPresets({
      google: ctx.config.mail.oauth.google !== undefined,
      microsoft: ctx.config.mail.oauth.microsoft !== undefined,
    }),
  ),

  /** Logs in to both servers through the address guard (S24) and says per side what failed. */
  test: verifiedProcedure.input(mailAccountTestInput).mutation(async ({ ctx, input }) => {
    return testCredentials({ imap: input.imap, smtp: input.smtp }, connectionLimits(ctx.config));
  }),

  add: verifiedProcedure.input(mailAccountAddInput).mutation(async ({ ctx, input }) => {
    const userId = ctx.user.id;
    const email = input.email.toLowerCase();
    const owned = await listMailAccounts(ctx.db, userId);
    if (owned.some((account) => account.email === email)) throw alreadyConnected();

    refuseFailedSide(await checkServers(ctx.config, { imap: input.imap, smtp: input.smtp }));

    const credentialsSealed = sealMailCredentials(
      ctx.auth.sessions.encryptionKey,
      { userId, email },
      { imapPassword: input.imap.password, smtpPassword: input.smtp.password },
    );
    const account = await ctx.db.transaction().execute(async (trx) => {
      const added = await insertMailAccountIfAbsent(trx, {
        userId,
        email,
        // An empty name is no name: the app then shows the address.
        displayName: input.displayName || null,
        provider: presetForEmail(email)?.id ?? "custom",
        imap: withoutPassword(input.imap),
        smtp: withoutPassword(input.smtp),
        credentialsSealed,
        syncDays: input.syncDays ?? ctx.config.mail.syncDays,
      });
      if (added) {
        await recordAuditEvent(trx, {
          type: "mail_account_added",
          userId,
          origin: requestOrigin(ctx),
          metadata: { accountId: added.id, email, method: "password" },
        });
      }
      return added;
    });
    // The same address added twice at once: the second insert finds the first.
    if (!account) throw alreadyConnected();
    await ctx.mailEvents.publish(userId, { type: "account.status", accountId: account.id, status: account.status });
    return toMailAccountView(account, undefined);
  }),

  list: verifiedProcedure.query(async ({ ctx }) => {
    const accounts = await listMailAccounts(ctx.db, ctx.user.id);
    return viewsOf(ctx.db, accounts);
  }),

  update: verifiedProcedure.input(mailAccountUpdateInput).mutation(async ({ ctx, input }) => {
    const account = await updateAccount(ctx, input);
    const [view] = await viewsOf(ctx.db, [account]);
    return view as NonNullable<typeof view>;
  }),

  resync: verifiedProcedure.input(mailAccountIdInput).mutation(async ({ ctx, input }) => {
    const account = await requestMailAccountResync(ctx.db, ctx.user.id, input.accountId);
    if (!account) throw notFound();
    await ctx.mailEvents.publish(ctx.user.id, {
      type: "account.status",
      accountId: account.id,
      status: account.status,
      error: null,
    });
    return { status: "queued" as const };
  }),

  /** Folders, messages, threads, drafts and analyses go with it (foreign keys cascade). */
  remove: verifiedProcedure.input(mailAccountIdInput).mutation(async ({ ctx, input }) => {
    const account = await findMailAccount(ctx.db, ctx.user.id, input.accountId);
    const removed =
      account &&
      (await ctx.db.transaction().execute(async (trx) => {
        if (!(await deleteMailAccount(trx, ctx.user.id, input.accountId))) return false;
        await recordAuditEvent(trx, {
          type: "mail_account_removed",
          userId: ctx.user.id,
          origin: requestOrigin(ctx),
          metadata: { accountId: account.id, email: account.email },
        });
        return true;
      }));
    if (!account || !removed) throw notFound();
    // An OAuth2 mailbox also withdraws Tidings' access at the provider, after the answer (best effort).
    if (account.auth_method === "oauth2") {
      ctx.auth.afterResponse(async () => {
        await revokeMailOAuth(ctx.auth.sessions.encryptionKey, account, ctx.config.mail.oauth);
      });
    }
    return { status: "ok" as const };
  }),
} satisfies TRPCRouterRecord;

function alreadyConnected(): AppError {
  const message = "This mailbox is already connected";
  return new AppError("INVALID_INPUT", message, { issues: [{ path: ["email"], message }] });
}

async function viewsOf(db: Parameters<typeof countMailAccountMessages>[0], accounts: MailAccountRow[]) {
  const counts = await countMailAccountMessages(
    db,
    accounts.map((account) => account.id),
  );
  return accounts.map((account) => toMailAccountView(account, counts.get(account.id)));
}
