import { createHash } from "node:crypto";

export interface BreachCheckOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
  baseUrl?: string;
}

export type BreachCheckOutcome = "breached" | "not_breached" | "skipped";

export const pwnedPasswordsBaseUrl = "https://api.pwnedpasswords.com";
const defaultTimeoutMs = 3000;
const sha1PrefixLength = 5;

/**
 * Asks Have I Been Pwned by k-anonymity: only the first five hex characters of the password's SHA-1
 * leave the process, and the match against the returned suffixes happens here.
 *
 * Any failure (network, timeout, unexpected status) gives "skipped": an outage of a third party must
 * not stop people from choosing a password.
 */
export async function checkBreachedPassword(
  password: string,
  options: BreachCheckOptions = {},
): Promise<BreachCheckOutcome> {
  const digest = createHash("sha1").update(password, "utf8").digest("hex").toUpperCase();
  const prefix = digest.slice(0, sha1PrefixLength);
  const suffix = digest.slice(sha1PrefixLength);
  const request = options.fetch ?? fetch;
  const baseUrl = (options.baseUrl ?? pwnedPasswordsBaseUrl).replace(/\/+$/, "");
  try {
    const response = await request(`${baseUrl}/range/${prefix}`, {
      // Padding makes every response a similar size, so an observer of the encrypted traffic cannot
      // narrow down the prefix from the response length.
      headers: { "Add-Padding": "true" },
      // Covers reading the body too, not only the wait for headers.
      signal: AbortSignal.timeout(options.timeoutMs ?? defaultTimeoutMs),
    });
    if (!response.ok) return "skipped";
    return rangeListsSuffix(await response.text(), suffix) ? "breached" : "not_breached";
  } catch {
    return "skipped";
  }
}

/** The range body is `SUFFIX:COUNT` lines; padding lines carry a count of 0 and are not breaches. */
function rangeListsSuffix(body: string, suffix: string): boolean {
  for (const line of body.split("\n")) {
    const [candidate, count] = line.trim().split(":");
    if (candidate?.toUpperCase() === suffix) return Number(count) > 0;
  }
  return false;
}
