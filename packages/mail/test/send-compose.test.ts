import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  attachmentDisposition,
  composeMessage,
  envelopeRecipients,
  findAttachmentPart,
  forwardSubject,
  HeaderInjectionError,
  newMessageId,
  type OutgoingMessage,
  parseMessage,
  quoteForward,
  quoteReply,
  replySubject,
  replyThreading,
  signAttachmentToken,
  verifyAttachmentToken,
} from "../src/index.ts";

const base: OutgoingMessage = {
  from: { name: "Ada Lovelace", email: "ada@example.test" },
  to: [{ name: "Bob", email: "bob@example.test" }],
  cc: [{ name: "", email: "carol@example.test" }],
  bcc: [{ name: "Secret", email: "dave@example.test" }],
  subject: "Grüße from the engine",
  text: "Hello Bob",
  html: null,
  messageId: "m-1@example.test",
  inReplyTo: null,
  references: [],
  attachments: [],
  date: new Date("2026-12-04T10:00:00Z"),
};

describe("composing with MailComposer", () => {
  it("writes From, recipients, subject, our Message-ID and the threading headers", async () => {
    const raw = await composeMessage({
      ...base,
      inReplyTo: "parent@example.test",
      references: ["root@example.test", "parent@example.test"],
      attachments: [{ filename: "notes.txt", contentType: "text/plain", content: Buffer.from("n") }],
    });
    const parsed = await parseMessage(raw);
    expect(parsed.from).toEqual({ name: "Ada Lovelace", email: "ada@example.test" });
    expect(parsed.to).toEqual([{ name: "Bob", email: "bob@example.test" }]);
    expect(parsed.cc).toEqual([{ name: "", email: "carol@example.test" }]);
    expect(parsed.subject).toBe("Grüße from the engine");
    expect(parsed.messageId).toBe("m-1@example.test");
    expect(parsed.inReplyTo).toBe("parent@example.test");
    expect(parsed.references).toEqual(["root@example.test", "parent@example.test"]);
    expect(parsed.attachments).toMatchObject([{ filename: "notes.txt", contentType: "text/plain" }]);
  });

  it("leaves Bcc out of the copy for SMTP, keeps it in the Sent copy, and puts it in the envelope", async () => {
    expect((await composeMessage(base)).toString()).not.toMatch(/^Bcc:/im);
    expect((await composeMessage(base, { keepBcc: true })).toString()).toMatch(/^Bcc: Secret <dave@example.test>/im);
    expect(envelopeRecipients(base)).toEqual(["bob@example.test", "carol@example.test", "dave@example.test"]);
  });

  it("refuses CR or LF in any header field and names the field (S29)", async () => {
    const cases: Array<[string, Partial<OutgoingMessage>]> = [
      ["subject", { subject: "Hi\r\nBcc: victim@example.test" }],
      ["subject", { subject: "Hi\nX-Evil: 1" }],
      ["from.name", { from: { name: "Ada\r\nX: 1", email: "ada@example.test" } }],
      ["to.0.name", { to: [{ name: "Bob\rX", email: "bob@example.test" }] }],
      ["cc.0.email", { cc: [{ name: "", email: "carol@example.test\r\nBcc: x@example.test" }] }],
      ["bcc.0.name", { bcc: [{ name: "\n", email: "dave@example.test" }] }],
      [
        "attachments.0.filename",
        { attachments: [{ filename: "a\r\n.txt", contentType: "text/plain", content: Buffer.from("") }] },
      ],
    ];
    for (const [field, change] of cases) {
      const error = await composeMessage({ ...base, ...change }).catch((caught: unknown) => caught);
      expect(error, field).toBeInstanceOf(HeaderInjectionError);
      expect((error as HeaderInjectionError).field).toBe(field);
    }
  });
});

describe("replies and forwards", () => {
  it("References are the parent's References and its Message-ID; In-Reply-To is the parent", () => {
    expect(replyThreading({ messageId: "p@x", references: ["a@x", "b@x"] })).toEqual({
      inReplyTo: "p@x",
      references: ["a@x", "b@x", "p@x"],
    });
    expect(replyThreading({ messageId: "p@x", references: [] })).toEqual({ inReplyTo: "p@x", references: ["p@x"] });
    const long = Array.from({ length: 50 }, (_, index) => `r${index}@x`);
    const capped = replyThreading({ messageId: "p@x", references: long }).references;
    expect(capped).toHaveLength(30);
    expect(capped[0]).toBe("r0@x");
    expect(capped.at(-1)).toBe("p@x");
  });

  it("adds Re: and Fwd: once", () => {
    expect(replySubject("Trip")).toBe("Re: Trip");
    expect(replySubject("RE: Trip")).toBe("RE: Trip");
    expect(forwardSubject("Trip")).toBe("Fwd: Trip");
    expect(forwardSubject("Fw: Trip")).toBe("Fw: Trip");
  });

  it("quotes the parent below a reply unless the client already quoted", () => {
    const parent = {
      fromName: "Bob",
      fromEmail: "bob@example.test",
      date: new Date("2026-12-03T10:00:00Z"),
      subject: "Trip",
      text: "Shall we go?\n\nBob",
    };
    expect(quoteReply("Yes!", parent)).toBe(
      "Yes!\n\nOn Thu, 03 Dec 2026 10:00:00 GMT, Bob <bob@example.test> wrote:\n> Shall we go?\n>\n> Bob\n",
    );
    expect(quoteReply("Yes!\n> Shall we go?", parent)).toBe("Yes!\n> Shall we go?");
    const forwarded = quoteForward("FYI", parent);
    expect(forwarded).toContain("---------- Forwarded message ----------\nFrom: Bob <bob@example.test>");
    expect(forwarded).toContain("Subject: Trip\n\nShall we go?");
    expect(quoteForward(forwarded, parent)).toBe(forwarded);
  });

  it("generates a Message-ID under the sender's domain", () => {
    expect(newMessageId("ada@Example.test")).toMatch(/^[0-9a-f-]{36}@Example\.test$/);
    expect(newMessageId("ada@example.test")).not.toBe(newMessageId("ada@example.test"));
  });
});

describe("attachment download tokens", () => {
  const key = randomBytes(32);
  const grant = {
    kind: "upload" as const,
    attachmentId: "0b7b6f4e-3c1a-4c8e-9a57-5a0d8f3c1d2e",
    userId: "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
    expiresAt: new Date(Date.now() + 60_000),
  };

  it("verifies its own token, bound to the user and attachment", () => {
    const token = signAttachmentToken(key, grant);
    expect(verifyAttachmentToken(key, token)).toMatchObject({
      kind: "upload",
      attachmentId: grant.attachmentId,
      userId: grant.userId,
    });
  });

  it("refuses an expired, altered or foreign token", () => {
    const token = signAttachmentToken(key, grant);
    expect(verifyAttachmentToken(key, token, new Date(Date.now() + 120_000))).toBeUndefined();
    expect(verifyAttachmentToken(randomBytes(32), token)).toBeUndefined();
    const [payload = "", signature = ""] = token.split(".");
    const other = Buffer.from(
      JSON.stringify(["upload", grant.attachmentId, "someone-else", Math.floor(Date.now() / 1000) + 60]),
    ).toString("base64url");
    expect(verifyAttachmentToken(key, `${other}.${signature}`)).toBeUndefined();
    expect(verifyAttachmentToken(key, `${payload}.${signature}.x`)).toBeUndefined();
    expect(verifyAttachmentToken(key, "garbage")).toBeUndefined();
  });

  it("Content-Disposition is attachment with an ASCII fallback and the UTF-8 name", () => {
    expect(attachmentDisposition('Bericht "März".pdf')).toBe(
      `attachment; filename="Bericht _M_rz_.pdf"; filename*=UTF-8''Bericht%20%22M%C3%A4rz%22.pdf`,
    );
    expect(attachmentDisposition(null)).toBe(`attachment; filename="attachment"; filename*=UTF-8''attachment`);
  });
});

describe("finding a received attachment's part", () => {
  const structure = {
    type: "multipart/mixed",
    childNodes: [
      { part: "1", type: "text/plain" },
      { part: "2", type: "application/pdf", disposition: "attachment", dispositionParameters: { filename: "a.pdf" } },
      { part: "3", type: "image/png", id: "<logo@x>", disposition: "inline" },
      { part: "4", type: "application/pdf", parameters: { name: "b.pdf" } },
    ],
  };
  it("matches by content id, else by file name and type", () => {
    const find = (filename: string | null, contentType: string, contentId: string | null) =>
      findAttachmentPart(structure, { filename, contentType, contentId, ordinal: 0 });
    expect(find("a.pdf", "application/pdf", null)).toBe("2");
    expect(find("b.pdf", "application/pdf", null)).toBe("4");
    expect(find(null, "image/png", "logo@x")).toBe("3");
    expect(find("c.pdf", "application/pdf", null)).toBeUndefined();
  });
});
