import { WebAuthnError } from "@simplewebauthn/browser";

/** True for the browser's own refusals of a passkey prompt, as opposed to an answer from the server. */
export function isPasskeyPromptError(error: unknown): boolean {
  return error instanceof WebAuthnError || error instanceof DOMException;
}

/** What to tell someone whose passkey prompt ended without a key (cancelled, timed out, unsupported). */
export function passkeyPromptMessage(error: unknown): string {
  const name = error instanceof Error ? ((error as { cause?: { name?: string } }).cause?.name ?? error.name) : "";
  if (name === "NotAllowedError") return "The passkey prompt was cancelled or timed out. Try again.";
  if (name === "InvalidStateError") return "This device already holds a passkey for your account.";
  if (name === "NotSupportedError") return "This browser or device cannot use passkeys.";
  return "Your browser could not use a passkey. Try again, or use another sign-in method.";
}
