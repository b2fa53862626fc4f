import { recipientInput } from "@tidings/api/schemas";

/** "Ada <ada@example.com>, bob@example.com" → the recipients the API takes; `bad` lists what is not an address. */
export function parseRecipients(value: string) {
  const parts = value
    .split(/[,;\n]/)
    .map((part) => part.trim())
    .filter(Boolean);
  const good: { name: string; email: string }[] = [];
  const bad: string[] = [];
  for (const part of parts) {
    const named = part.match(/^"?([^"<]*?)"?\s*<([^>]+)>$/);
    const parsed = recipientInput.safeParse(named ? { name: named[1]?.trim() ?? "", email: named[2] } : part);
    if (parsed.success) good.push(parsed.data);
    else bad.push(part);
  }
  return { good, bad };
}

export function formatAddress(address: { name: string; email: string }): string {
  return address.name ? `${address.name.replace(/[",<>]/g, "")} <${address.email}>` : address.email;
}
