export { type AccountAccess, withImap } from "./account-connection.ts";
export {
  ATTACHMENT_URL_TTL_MS,
  type AttachmentGrant,
  type AttachmentKind,
  attachmentDisposition,
  signAttachmentToken,
  verifyAttachmentToken,
} from "./attachment-token.ts";
export {
  assertHeaderSafe,
  composeMessage,
  envelopeRecipients,
  forwardSubject,
  HeaderInjectionError,
  newMessageId,
  type OutgoingAddress,
  type OutgoingAttachment,
  type OutgoingMessage,
  outgoingHtml,
  type QuotedMessage,
  quoteForward,
  quoteReply,
  replySubject,
  replyThreading,
} from "./compose.ts";
export { type SendDeps, SendFailure, type SendOutcome, sendOutgoing } from "./deliver.ts";
export { type DraftDeps, storeDraftCopy } from "./drafts.ts";
export { downloadReceivedAttachment, findAttachmentPart, openReceivedAttachment } from "./received-attachment.ts";
