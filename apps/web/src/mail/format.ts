const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const dayMonth = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const fullDate = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" });
const long = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** The list's time column: the time today, the day this year, the date before. */
export function listTime(value: Date | string, now = new Date()): string {
  const date = new Date(value);
  if (date.toDateString() === now.toDateString()) return timeOnly.format(date);
  if (date.getFullYear() === now.getFullYear()) return dayMonth.format(date);
  return fullDate.format(date);
}

export function longTime(value: Date | string): string {
  return long.format(new Date(value));
}

export function senderName(address: { name: string; email: string }): string {
  return address.name || address.email;
}

/** "Re: Trip" from "Trip", without piling up "Re: Re:". */
export function prefixed(prefix: "Re" | "Fwd", subject: string): string {
  const pattern = prefix === "Re" ? /^re:\s*/i : /^(fwd?|fw):\s*/i;
  return pattern.test(subject) ? subject : `${prefix}: ${subject}`;
}

export function quote(text: string): string {
  return text
    .trimEnd()
    .split("\n")
    .map((line) => (line ? `> ${line}` : ">"))
    .join("\n");
}
