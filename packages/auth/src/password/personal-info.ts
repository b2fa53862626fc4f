import { countCodePoints } from "./password-length.ts";

export interface PasswordOwner {
  email?: string | null;
  displayName?: string | null;
}

// Shorter fragments ("bob", "al") occur inside unrelated words and would refuse good passwords.
const minimumFragmentLength = 4;

function fold(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

function emailLocalPart(email: string): string {
  const at = email.lastIndexOf("@");
  return at === -1 ? email : email.slice(0, at);
}

/** The folded strings a password must not contain. */
function forbiddenFragments(owner: PasswordOwner): string[] {
  const fragments: string[] = [];
  const email = fold(owner.email?.trim() ?? "");
  if (email) {
    fragments.push(email);
    const localPart = emailLocalPart(email);
    if (countCodePoints(localPart) >= minimumFragmentLength) fragments.push(localPart);
  }
  const displayName = fold(owner.displayName?.trim() ?? "");
  if (countCodePoints(displayName) >= minimumFragmentLength) fragments.push(displayName);
  return fragments;
}

export function containsPersonalInfo(password: string, owner: PasswordOwner): boolean {
  const folded = fold(password);
  return forbiddenFragments(owner).some((fragment) => folded.includes(fragment));
}

/**
 * Inputs for zxcvbn: besides the whole strings, their words, so that "Smith2024!" is recognised
 * as weak for Alice Smith even though it does not contain her whole name.
 */
export function personalInputs(owner: PasswordOwner): string[] {
  const inputs = new Set(forbiddenFragments(owner));
  for (const source of [owner.email, owner.displayName]) {
    for (const word of fold(source ?? "").split(/[^\p{L}\p{N}]+/u)) {
      if (countCodePoints(word) >= minimumFragmentLength) inputs.add(word);
    }
  }
  return [...inputs];
}
