// Browser-safe: the web app's compose form checks its input with these very schemas.
import { z } from "zod";

const lineBreak = /[\r\n]/;
const otherControl = /(?![\r\n])\p{Cc}/u;

/**
 * Text that becomes a header (subject, names): CR or LF refused before anything is trimmed (S29),
 * so a header can never be split, and the message names the field.
 */
const headerText = (max: number) =>
  z
    .string()
    .max(max, `Use at most ${max} characters`)
    .refine((value) => !lineBreak.test(value), "Line breaks are not allowed here")
    .refine((value) => !otherControl.test(value), "Must not contain control characters")
    .transform((value) => value.trim());

const mailbox = z
  .string()
  .max(320, "Use at most 320 characters")
  .refine((value) => !lineBreak.test(value), "Line breaks are not allowed here")
  .transform((value) => value.trim())
  .pipe(z.email("Enter a valid email address"));

/** `"ada@example.com"` or `{ name, email }`. */
export const recipientInput = z.union([
  mailbox.transform((email) => ({ name: "", email })),
  z.object({ name: headerText(200).default(""), email: mailbox }),
]);
const recipients = z.array(recipientInput).max(100, "At most 100 recipients in each field");

const composeFields = {
  accountId: z.uuid(),
  to: recipients,
  cc: recipients.default([]),
  bcc: recipients.default([]),
  subject: headerText(998).default(""),
  text: z.string().max(1_000_000, "The text is too long").default(""),
  html: z.string().max(2_000_000, "The HTML is too long").nullish(),
  inReplyTo: z.uuid().optional(),
  attachmentIds: z.array(z.uuid()).max(20, "At most 20 attachments").default([]),
};

export const saveDraftInput = z.object({ draftId: z.uuid().optional(), ...composeFields });

const maxRecipients = 100;
const MAX_SCHEDULE_MS = 366 * 24 * 60 * 60 * 1000;
export const sendMailInput = z
  .object({
    draftId: z.uuid().optional(),
    ...composeFields,
    to: recipients,
    forwardOf: z.uuid().optional(),
    // Later than the undo window to schedule; never earlier (the window always applies).
    sendAt: z.coerce
      .date()
      .refine((date) => date.getTime() <= Date.now() + MAX_SCHEDULE_MS, "Schedule at most a year ahead")
      .optional(),
  })
  .superRefine((value, ctx) => {
    if (value.to.length + value.cc.length + value.bcc.length === 0) {
      ctx.addIssue({ code: "custom", path: ["to"], message: "Add at least one recipient" });
    }
    if (value.to.length + value.cc.length + value.bcc.length > maxRecipients) {
      ctx.addIssue({ code: "custom", path: ["to"], message: `At most ${maxRecipients} recipients in all` });
    }
    if (value.inReplyTo && value.forwardOf) {
      ctx.addIssue({ code: "custom", path: ["forwardOf"], message: "A message is a reply or a forward, not both" });
    }
  });

export const cancelSendInput = z.object({ outgoingId: z.uuid() });
export const attachmentUrlInput = z.object({ attachmentId: z.uuid() });
