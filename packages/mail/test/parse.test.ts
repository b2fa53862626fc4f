import { describe, expect, it } from "vitest";
import { parseMessage } from "../src/index.ts";

const multipart = [
  "From: =?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <Juergen@Example.TEST>",
  "To: Alice <alice@example.test>, team: bob@example.test, =?ISO-8859-1?Q?Ren=E9?= <rene@example.test>;",
  "Cc: carol@example.test",
  "Reply-To: replies@example.test",
  "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=",
  "Message-ID: <child@example.test>",
  "In-Reply-To: <parent@example.test>",
  "References: <root@example.test>\r\n <parent@example.test>",
  "Date: Thu, 03 Dec 2026 10:00:00 +0100",
  "MIME-Version: 1.0",
  'Content-Type: multipart/mixed; boundary="outer"',
  "",
  "--outer",
  'Content-Type: multipart/alternative; boundary="inner"',
  "",
  "--inner",
  "Content-Type: text/plain; charset=iso-8859-1",
  "Content-Transfer-Encoding: quoted-printable",
  "",
  "Sch=F6ne Gr=FC=DFe",
  "--inner",
  "Content-Type: text/html; charset=utf-8",
  "",
  '<p onclick="x()">Sch\u00f6ne <img src="https://track.test/p.gif"></p><script>steal()</script>',
  "--inner--",
  "--outer",
  'Content-Type: application/pdf; name="=?UTF-8?B?UmVjaG51bmcgw6TDtsO8LnBkZg==?="',
  "Content-Disposition: attachment",
  "Content-Transfer-Encoding: base64",
  "",
  "JVBERi0xLjQK",
  "--outer--",
  "",
].join("\r\n");

describe("MIME parsing", () => {
  it("decodes headers, names, bodies and lists attachments", async () => {
    const message = await parseMessage(Buffer.from(multipart, "utf8"));
    expect(message).toMatchObject({
      messageId: "child@example.test",
      inReplyTo: "parent@example.test",
      references: ["root@example.test", "parent@example.test"],
      from: { name: "Jürgen Müller", email: "juergen@example.test" },
      to: [
        { name: "Alice", email: "alice@example.test" },
        { name: "", email: "bob@example.test" },
        { name: "René", email: "rene@example.test" },
      ],
      cc: [{ name: "", email: "carol@example.test" }],
      replyTo: [{ name: "", email: "replies@example.test" }],
      subject: "Grüße aus Köln",
      hasRemoteContent: true,
      attachments: [
        { filename: "Rechnung äöü.pdf", contentType: "application/pdf", size: 9, inline: false, contentId: null },
      ],
    });
    expect(message.date?.toISOString()).toBe("2026-12-03T09:00:00.000Z");
    expect(message.text.trim()).toBe("Schöne Grüße");
    // The remote image is blocked; its address is kept inert for mail.thread { loadRemote }.
    expect(message.html).toBe('<p>Schöne <img data-remote-src="https://track.test/p.gif" /></p>');
  });

  it("copes with a message that has almost nothing", async () => {
    const message = await parseMessage("Subject: bare\r\n\r\nbody\r\n");
    expect(message).toMatchObject({
      messageId: null,
      inReplyTo: null,
      references: [],
      from: null,
      to: [],
      date: null,
      subject: "bare",
      html: null,
      hasRemoteContent: false,
      attachments: [],
    });
    expect(message.text.trim()).toBe("body");
  });

  it("keeps the header fields the AI rules read, unfolded, and no others", async () => {
    const message = await parseMessage(
      [
        "From: Digest <digest@news.example>",
        "Subject: This week",
        "List-Id: Weekly digest",
        "  <digest.news.example>",
        "List-Unsubscribe: <https://news.example/u?id=1>, <mailto:u@news.example>",
        "Precedence: bulk",
        "Auto-Submitted: auto-generated",
        "X-Mailer: MailChimp Mailer",
        "X-Secret-Tracking: 12345",
        "Received: from mx.example by mx.test",
        "",
        "body",
        "",
      ].join("\r\n"),
    );
    expect(message.headers).toEqual({
      "list-id": "Weekly digest <digest.news.example>",
      "list-unsubscribe": "<https://news.example/u?id=1>, <mailto:u@news.example>",
      precedence: "bulk",
      "auto-submitted": "auto-generated",
      "x-mailer": "MailChimp Mailer",
    });
    expect((await parseMessage("Subject: bare\r\n\r\nbody\r\n")).headers).toEqual({});
  });

  it("caps the stored text", async () => {
    const message = await parseMessage(`Subject: long\r\n\r\n${"x".repeat(5000)}\r\n`, { maxTextLength: 100 });
    expect(message.text).toHaveLength(100);
  });

  it("drops NUL characters, which Postgres text cannot store (SpamAssassin corpus spam has them)", async () => {
    const raw = [
      "From: =?utf-8?Q?Nu=00ll?= <nul@example.test>",
      "Subject: =?utf-8?Q?Null=00_byte?=",
      "Message-ID: <nul@example.test>",
      'Content-Type: multipart/mixed; boundary="b"',
      "",
      "--b",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: quoted-printable",
      "",
      "before=00after",
      "--b",
      "Content-Type: text/html; charset=utf-8",
      "Content-Transfer-Encoding: base64",
      "",
      Buffer.from("<p>in\0html</p>").toString("base64"),
      "--b",
      "Content-Type: application/octet-stream",
      "Content-Disposition: attachment; filename*=utf-8''a%00b.bin",
      "",
      "data",
      "--b--",
      "",
    ].join("\r\n");
    const message = await parseMessage(raw);
    expect(message).toMatchObject({ subject: "Null byte", from: { name: "Null", email: "nul@example.test" } });
    expect(message.text).toContain("beforeafter");
    expect(message.html).toContain("inhtml");
    expect(message.attachments.map((attachment) => attachment.filename)).toEqual(["ab.bin"]);
    expect(JSON.stringify(message)).not.toContain("\\u0000");
  });
});
