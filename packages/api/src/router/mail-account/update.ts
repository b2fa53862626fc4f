import { findMailAccount, type MailAccountChanges, type MailAccountRow, updateMailAccount } from "@tidings/db";
import { openMailCredentials, type ServerSettings, sealMailCredentials } from "@tidings/mail";
import type { z } from "zod";
import type { Context } from "../../context.ts";
import { AppError } from "../../errors.ts";
import type { mailAccountUpdateInput } from "../../schemas.ts";
import { notFound } from "./not-found.ts";
import type { MailServerSettingsUpdateInput } from "./schema.ts";
import { checkServers, refuseFailedSide, withoutPassword } from "./server-check.ts";

type UpdateInput = z.infer<typeof mailAccountUpdateInput>;
type Side = "imap" | "smtp";

/**
 * mailAccount.update: changed server settings are logged in to before anything is saved (a
 * missing password keeps the stored one); pausing parks the account, resuming or new settings
 * send it back to "connecting" for the worker.
 */
export async function updateAccount(
  ctx: Context & { user: { id: string } },
  input: UpdateInput,
): Promise<MailAccountRow> {
  const userId = ctx.user.id;
  const current = await findMailAccount(ctx.db, userId, input.accountId);
  if (!current) throw notFound();

  const changes: MailAccountChanges = {};
  if (input.displayName !== undefined) changes.displayName = input.displayName || null;
  if (input.syncDays !== undefined) changes.syncDays = input.syncDays;
  if (input.aiEnabled !== undefined) changes.aiEnabled = input.aiEnabled;

  const changedSides = (["imap", "smtp"] as const).filter((side) => isChanged(current, side, input[side]));
  if (changedSides.length > 0 && current.auth_method === "oauth2") {
    // Its servers are the provider's and it has no password: a new sign-in is what changes it.
    const message =
      "This mailbox signs in with its provider, so its servers and password cannot be changed here; reconnect it instead.";
    throw new AppError("INVALID_INPUT", message, { issues: changedSides.map((side) => ({ path: [side], message })) });
  }
  if (changedSides.length > 0) {
    const owner = { userId, email: current.email };
    const stored = openMailCredentials(ctx.auth.sessions.encryptionKey, owner, current.credentials_sealed);
    const next = {
      imap: settingsOf(current, "imap", input.imap, stored.imapPassword),
      smtp: settingsOf(current, "smtp", input.smtp, stored.smtpPassword),
    };
    const toCheck = Object.fromEntries(changedSides.map((side) => [side, next[side]]));
    refuseFailedSide(await checkServers(ctx.config, toCheck));
    changes.imap = withoutPassword(next.imap);
    changes.smtp = withoutPassword(next.smtp);
    changes.credentialsSealed = sealMailCredentials(ctx.auth.sessions.encryptionKey, owner, {
      imapPassword: next.imap.password,
      smtpPassword: next.smtp.password,
    });
    if (current.status !== "paused") changes.status = "connecting";
  }
  if (input.paused === true) changes.status = "paused";
  if (input.paused === false && current.status === "paused") changes.status = "connecting";

  const updated = await updateMailAccount(ctx.db, userId, current.id, changes);
  // Removed by another request in the meantime.
  if (!updated) throw notFound();
  if (changes.status !== undefined) {
    await ctx.mailEvents.publish(userId, {
      type: "account.status",
      accountId: updated.id,
      status: updated.status,
      error: null,
    });
  }
  return updated;
}

/** A side given with a password, or with any setting other than the stored one. */
function isChanged(row: MailAccountRow, side: Side, given: MailServerSettingsUpdateInput | undefined): boolean {
  if (!given) return false;
  const stored = storedSettings(row, side);
  return (
    given.password !== undefined ||
    given.host !== stored.host ||
    given.port !== stored.port ||
    given.security !== stored.security ||
    given.username !== stored.username
  );
}

function settingsOf(
  row: MailAccountRow,
  side: Side,
  given: MailServerSettingsUpdateInput | undefined,
  storedPassword: string,
): ServerSettings {
  if (!given) return { ...storedSettings(row, side), password: storedPassword };
  return { ...given, password: given.password ?? storedPassword };
}

function storedSettings(row: MailAccountRow, side: Side): Omit<ServerSettings, "password"> {
  return side === "imap"
    ? { host: row.imap_host, port: row.imap_port, security: row.imap_security, username: row.imap_username }
    : { host: row.smtp_host, port: row.smtp_port, security: row.smtp_security, username: row.smtp_username };
}
