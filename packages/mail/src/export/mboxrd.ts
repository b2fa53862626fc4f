// mboxrd (the variant of mbox that quotes reversibly): each message follows a "From " separator
// line, every body line that starts with ">*From " gains one more ">", and a blank line ends it.
// Readers strip one ">" from such lines, so the message comes back byte for byte; CRLF line ends
// are kept as the server stored them.

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The separator line: `From <sender> <asctime in UTC>`, e.g. `From bob@example.test Thu Dec  3 10:00:00 2026`. */
export function mboxFromLine(sender: string | undefined, date: Date): string {
  // The sender is one printable word on this line; an address with none gets the usual stand-in.
  const word = sender?.replace(/[^\x21-\x7e]+/g, "") || "MAILER-DAEMON";
  const valid = Number.isNaN(date.getTime()) ? new Date(0) : date;
  const pad = (value: number) => String(value).padStart(2, "0");
  const time = `${pad(valid.getUTCHours())}:${pad(valid.getUTCMinutes())}:${pad(valid.getUTCSeconds())}`;
  const day = String(valid.getUTCDate()).padStart(2, " ");
  return `From ${word} ${WEEKDAYS[valid.getUTCDay()]} ${MONTHS[valid.getUTCMonth()]} ${day} ${time} ${valid.getUTCFullYear()}\n`;
}

/**
 * One message as an mboxrd entry: separator, quoted source, blank line. The source is handled as
 * bytes (latin1 maps each byte to one character and back), so 8-bit and broken encodings survive.
 */
export function mboxrdEntry(source: Buffer, sender: string | undefined, date: Date): Buffer {
  const quoted = source.toString("latin1").replace(/(^|\n)(>*From )/g, "$1>$2");
  const ending = quoted.endsWith("\n") ? "\n" : "\n\n";
  return Buffer.from(mboxFromLine(sender, date) + quoted + ending, "latin1");
}
