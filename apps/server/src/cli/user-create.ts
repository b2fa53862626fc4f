import { checkPasswordPolicy, hashPassword, normalizeEmail, recordAuditEvent } from "@tidings/auth";
import { type Database, insertUserIfAbsent, type Kysely } from "@tidings/db";

export interface NewAccount {
  email: string;
  password: string;
  displayName: string | null;
  admin: boolean;
}

/**
 * Creates a verified account directly (the first admin has nobody to invite them). The password
 * policy applies as for anyone; the event is audited as a registration made from the command line.
 */
export async function createAccount(db: Kysely<Database>, account: NewAccount): Promise<{ id: string }> {
  const policy = await checkPasswordPolicy(account.password, {
    email: account.email,
    displayName: account.displayName,
  });
  if (!policy.ok) throw new Error(`password refused: ${policy.reasons.map((reason) => reason.message).join("; ")}`);
  const passwordHash = await hashPassword(account.password);
  return db.transaction().execute(async (trx) => {
    const created = await insertUserIfAbsent(trx, {
      email: account.email.trim(),
      emailNormalized: normalizeEmail(account.email),
      displayName: account.displayName,
      passwordHash,
      verified: true,
      role: account.admin ? "admin" : "user",
    });
    if (!created) throw new Error(`an account with the email ${account.email} already exists`);
    const origin = { ip: "cli", userAgent: "tidings user:create" };
    await recordAuditEvent(trx, { type: "register", userId: created.id, origin, metadata: { via: "cli" } });
    await recordAuditEvent(trx, { type: "email_verified", userId: created.id, origin, metadata: { via: "cli" } });
    return { id: created.id };
  });
}
