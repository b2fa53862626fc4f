export const minimumPasswordLength = 12;
export const maximumPasswordLength = 128;

/** Code points rather than UTF-16 units, so that an emoji counts as one character, as users see it. */
export function countCodePoints(text: string): number {
  let count = 0;
  for (const _codePoint of text) count++;
  return count;
}
