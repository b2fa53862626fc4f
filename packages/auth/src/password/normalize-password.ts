/**
 * NFKC, so that the same password typed on different keyboards or input methods (full-width
 * letters, ligatures, composed or decomposed accents) hashes to the same bytes.
 */
export function normalizePassword(password: string): string {
  return password.normalize("NFKC");
}
