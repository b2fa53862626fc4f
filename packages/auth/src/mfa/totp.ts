import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";

// S33: RFC 6238 with the parameters every authenticator app understands.
const PERIOD_SECONDS = 30;
const DIGITS = 6;
const ALGORITHM = "SHA1";
/** ±1 step: a code from the step before or after the server's clock still works; two away does not. */
const WINDOW = 1;
const ISSUER = "Tidings";

/** A new 160-bit key (RFC 4226's recommended length), base32 as authenticator apps take it. */
export function generateTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpFor(secretBase32: string, accountName: string): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label: accountName,
    algorithm: ALGORITHM,
    digits: DIGITS,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** The `otpauth://totp/...` URI an app imports (what the QR code holds). */
export function totpUri(secretBase32: string, accountName: string): string {
  return totpFor(secretBase32, accountName).toString();
}

/** The QR code of the URI as an SVG document, for the setup page to show inline. */
export function totpQrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
}

/** The 30 s step a moment falls in (the RFC's counter T). */
export function totpStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / PERIOD_SECONDS);
}

/**
 * The step whose code this is, if it is one of the three steps around `now`; undefined otherwise.
 * Whether that step may still be used (no replay) is the caller's question, asked of the database.
 */
export function matchTotpCode(secretBase32: string, code: string, now: Date): number | undefined {
  const token = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(token)) return undefined;
  const delta = totpFor(secretBase32, "").validate({ token, timestamp: now.getTime(), window: WINDOW });
  return delta === null ? undefined : totpStep(now) + delta;
}

/** The code of a moment: for tests and tools that play the authenticator app. */
export function totpCodeAt(secretBase32: string, at: Date): string {
  return totpFor(secretBase32, "").generate({ timestamp: at.getTime() });
}
