/**
 * Mail for testing `mail.threads`' full-text search and each operator API.md lists end to end:
 * real MIME through the sync (encoded words, an HTML-only body, an attachment, Cc), then the query
 * over HTTP. Every message carries the made-up word "quillwort", so that a case can be narrowed to
 * these messages in a mailbox that also holds the SpamAssassin corpus.
 */
export interface SearchMail {
  subject: string;
  raw: string;
  /** Appended with these IMAP flags (\Seen for mail already read). */
  flags: string[];
}

const TO = "Alice Example <alice@example.test>";

function message(headers: string[], body: string[]): string {
  return [...headers, "MIME-Version: 1.0", ...body].join("\r\n");
}

export function searchMail(): SearchMail[] {
  return [
    {
      subject: "Harbour crane budget",
      flags: ["\\Seen"],
      raw: message(
        [
          "From: =?UTF-8?Q?=C3=85nne_Lindqvist?= <anne@fjord.search.test>",
          `To: ${TO}`,
          "Cc: Carl Mercer <carl@cc.search.test>",
          "Subject: Harbour crane budget",
          "Date: Mon, 05 Oct 2026 09:00:00 +0000",
          "Message-ID: <crane@search.test>",
        ],
        [
          "Content-Type: text/plain; charset=utf-8",
          "",
          "Before the quillwort survey we need the night ferry timetable",
          "and the crane quotes.",
        ],
      ),
    },
    {
      subject: "Café reservations for seven",
      flags: [],
      raw: message(
        [
          "From: Bistro Booking <bookings@bistro.search.test>",
          `To: ${TO}`,
          `Subject: =?UTF-8?B?${Buffer.from("Café reservations for seven").toString("base64")}?=`,
          "Date: Thu, 12 Nov 2026 18:30:00 +0000",
          "Message-ID: <cafe@search.test>",
        ],
        [
          "Content-Type: text/html; charset=utf-8",
          "",
          "<html><body><p>Your table by the <b>conservatory</b> is held.</p><p>quillwort garnish on request</p></body></html>",
        ],
      ),
    },
    {
      subject: "Invoice 7731",
      flags: [],
      raw: message(
        [
          "From: Shop Billing <billing@shop.search.test>",
          `To: ${TO}`,
          "Subject: Invoice 7731",
          "Date: Fri, 20 Nov 2026 08:15:00 +0000",
          "Message-ID: <invoice@search.test>",
        ],
        [
          'Content-Type: multipart/mixed; boundary="part"',
          "",
          "--part",
          "Content-Type: text/plain; charset=utf-8",
          "",
          "Your quillwort seeds invoice is attached.",
          "--part",
          'Content-Type: application/pdf; name="invoice-7731.pdf"',
          'Content-Disposition: attachment; filename="invoice-7731.pdf"',
          "Content-Transfer-Encoding: base64",
          "",
          Buffer.from("%PDF-1.4 invoice 7731").toString("base64"),
          "--part--",
          "",
        ],
      ),
    },
    {
      subject: "Spring outing notes",
      flags: ["\\Seen"],
      raw: message(
        [
          "From: Dora Field <dora@walks.search.test>",
          `To: ${TO}`,
          "Subject: Spring outing notes",
          "Date: Sun, 01 Mar 2026 12:00:00 +0000",
          "Message-ID: <outing@search.test>",
        ],
        [
          "Content-Type: text/plain; charset=utf-8",
          "",
          "We saw quillwort by the pier; the timetable ferry night was cancelled.",
        ],
      ),
    },
  ];
}

/** [query, subjects of the threads it must list, newest first] for searchMail's messages. */
export const searchCases: readonly (readonly [string, readonly string[]])[] = [
  ["quillwort", ["Invoice 7731", "Café reservations for seven", "Harbour crane budget", "Spring outing notes"]],
  // Words anywhere, in any order; a quoted phrase only in its order.
  ["ferry timetable", ["Harbour crane budget", "Spring outing notes"]],
  ['"night ferry timetable"', ["Harbour crane budget"]],
  // Text of an HTML-only message.
  ["conservatory", ["Café reservations for seven"]],
  // A sender's name decoded from an encoded word, and a sender's address.
  ["from:Lindqvist", ["Harbour crane budget"]],
  ["from:Ånne", ["Harbour crane budget"]],
  ["from:bistro.search.test", ["Café reservations for seven"]],
  // Cc counts as a recipient.
  ["to:carl@cc.search.test", ["Harbour crane budget"]],
  // A subject decoded from an encoded word.
  ['subject:"café reservations"', ["Café reservations for seven"]],
  ["has:attachment quillwort", ["Invoice 7731"]],
  ["is:unread quillwort", ["Invoice 7731", "Café reservations for seven"]],
  ["before:2026-06-01 quillwort", ["Spring outing notes"]],
  ["after:2026-11-01 quillwort", ["Invoice 7731", "Café reservations for seven"]],
  ["after:2026/10/01 before:2026-11-15 from:search.test", ["Café reservations for seven", "Harbour crane budget"]],
  ["crane subject:harbour", ["Harbour crane budget"]],
  ["quillwort subject:nothing-like-this", []],
];
