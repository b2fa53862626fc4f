/** The one form an email is compared in (S6): trimmed, NFKC, lower-case. `A@x.io` and `a@x.io` are one account. */
export function normalizeEmail(email: string): string {
  return email.trim().normalize("NFKC").toLowerCase();
}
