import {
  countUnusedRecoveryCodes,
  findAiSettingsForExport,
  findUserById,
  listAiRequestsForExport,
  listAllAuditEventsForExport,
  listAllSessionsForExport,
  listMailAccountsForExport,
} from "@tidings/db";
import { openSecret, sealSecret } from "../crypto/index.ts";
import type { Principal } from "./authenticate.ts";
import type { AuthDeps } from "./deps.ts";
import { totpEnabled } from "./second-factor.ts";
import { signedInUser } from "./step-up.ts";
import { toUserView } from "./views.ts";

/** How long an export link works: long enough to start the download, short enough to leak little. */
export const EXPORT_LINK_SECONDS = 5 * 60;
// Binds a sealed link to its use, so no other sealed value of ours can pass for one.
const EXPORT_CONTEXT = "account-export";

/**
 * A download link for the caller's data: the user and an expiry sealed with the encryption key
 * (AES-GCM), so every server process can check it without a shared store, and nobody can forge
 * or alter one.
 */
export async function issueExportLink(
  deps: Pick<AuthDeps, "db" | "sessions">,
  principal: Principal,
  now: Date = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const user = await signedInUser(deps, principal);
  const expiresAt = new Date(now.getTime() + EXPORT_LINK_SECONDS * 1000);
  const payload = JSON.stringify({ u: user.id, e: expiresAt.getTime() });
  return { token: sealSecret(deps.sessions.encryptionKey, payload, EXPORT_CONTEXT), expiresAt };
}

/** The user an export link is for, or why it cannot be used. */
export function readExportLink(
  deps: Pick<AuthDeps, "sessions">,
  token: string,
  now: Date = new Date(),
): { ok: true; userId: string } | { ok: false; reason: "TOKEN_INVALID" | "TOKEN_EXPIRED" } {
  let payload: unknown;
  try {
    payload = JSON.parse(openSecret(deps.sessions.encryptionKey, token, EXPORT_CONTEXT));
  } catch {
    return { ok: false, reason: "TOKEN_INVALID" };
  }
  const { u, e } = (payload ?? {}) as { u?: unknown; e?: unknown };
  if (typeof u !== "string" || typeof e !== "number") return { ok: false, reason: "TOKEN_INVALID" };
  if (e <= now.getTime()) return { ok: false, reason: "TOKEN_EXPIRED" };
  return { ok: true, userId: u };
}

/**
 * Everything the account holds about its owner, as JSON: profile, sessions, security events,
 * two-factor state, mail accounts' settings and AI settings and usage. Never a password hash, a
 * token (or its hash) or a sealed value: every part is built from named, non-secret columns.
 * Undefined when the account no longer exists.
 */
export async function buildAccountExport(deps: Pick<AuthDeps, "db">, userId: string, now: Date = new Date()) {
  const user = await findUserById(deps.db, userId);
  if (!user) return undefined;
  const [sessions, events, mailAccounts, aiSettings, aiRequests, totp] = await Promise.all([
    listAllSessionsForExport(deps.db, userId),
    listAllAuditEventsForExport(deps.db, userId),
    listMailAccountsForExport(deps.db, userId),
    findAiSettingsForExport(deps.db, userId),
    listAiRequestsForExport(deps.db, userId),
    totpEnabled(deps.db, userId),
  ]);
  return {
    format: "tidings-account-export/1",
    exportedAt: now.toISOString(),
    profile: { ...toUserView(user), lastLoginAt: user.last_login_at },
    twoFactor: { totp, recoveryCodesLeft: totp ? await countUnusedRecoveryCodes(deps.db, userId) : 0 },
    sessions: sessions.map((session) => ({
      id: session.id,
      createdAt: session.created_at,
      lastUsedAt: session.last_used_at,
      expiresAt: session.expires_at,
      revokedAt: session.revoked_at,
      revokedReason: session.revoked_reason,
      ip: session.ip,
      userAgent: session.user_agent,
    })),
    securityEvents: events.map((event) => ({
      id: String(event.id),
      type: event.type,
      ip: event.ip,
      userAgent: event.user_agent,
      createdAt: event.created_at,
      metadata: event.metadata,
    })),
    mailAccounts: mailAccounts.map((account) => ({
      id: account.id,
      email: account.email,
      displayName: account.display_name,
      provider: account.provider,
      imap: {
        host: account.imap_host,
        port: account.imap_port,
        security: account.imap_security,
        username: account.imap_username,
      },
      smtp: {
        host: account.smtp_host,
        port: account.smtp_port,
        security: account.smtp_security,
        username: account.smtp_username,
      },
      status: account.status,
      syncDays: account.sync_days,
      aiEnabled: account.ai_enabled,
      lastSyncAt: account.last_sync_at,
      createdAt: account.created_at,
    })),
    ai: {
      settings: aiSettings
        ? {
            provider: aiSettings.provider,
            baseUrl: aiSettings.base_url,
            models: {
              triage: aiSettings.model_triage,
              summary: aiSettings.model_summary,
              draft: aiSettings.model_draft,
            },
            hasApiKey: Boolean(aiSettings.has_api_key),
            monthlyBudgetUsd:
              aiSettings.monthly_budget_micro_usd === null ? null : aiSettings.monthly_budget_micro_usd / 1_000_000,
            features: {
              triage: aiSettings.feature_triage,
              summaries: aiSettings.feature_summaries,
              drafts: aiSettings.feature_drafts,
            },
            excludedAccountIds: aiSettings.excluded_account_ids,
            excludedSenders: aiSettings.excluded_senders,
            updatedAt: aiSettings.updated_at,
          }
        : null,
      usage: aiRequests.map((request) => ({
        feature: request.feature,
        provider: request.provider,
        model: request.model,
        inputTokens: request.input_tokens,
        outputTokens: request.output_tokens,
        costUsd: request.cost_micro_usd / 1_000_000,
        outcome: request.outcome,
        createdAt: request.created_at,
      })),
    },
  };
}

export type AccountExport = NonNullable<Awaited<ReturnType<typeof buildAccountExport>>>;
