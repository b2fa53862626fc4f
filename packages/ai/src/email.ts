export interface Address {
  name: string;
  email: string;
}

/** One message as the AI layer sees it; the mail package maps its stored messages to this. */
export interface EmailForAnalysis {
  /** Stored message id (not the Message-ID header), used only to name the messages a summary is based on. */
  id: string;
  /** The mail account it arrived in (exclusions are per account). */
  accountId: string;
  from: Address;
  to: Address[];
  cc: Address[];
  subject: string;
  date: Date;
  /** Plain-text body; when empty the HTML body is turned into text with hidden elements left out. */
  text: string;
  html: string | null;
  /** Header names in lower case (list-id, list-unsubscribe, precedence, auto-submitted, ...). */
  headers: Record<string, string>;
  /** The message carries a text/calendar part (an invitation). */
  hasCalendar: boolean;
}

/** What is known about the user and the sender, for the local rules. */
export interface RecipientContext {
  /** The user's own addresses (every connected account and alias), lower case. */
  ownAddresses: string[];
  /** The user has written to this sender before. */
  repliedToSenderBefore: boolean;
  /** The sender is in the user's contacts or has been written to. */
  knownContact: boolean;
}

export const emptyRecipientContext: RecipientContext = {
  ownAddresses: [],
  repliedToSenderBefore: false,
  knownContact: false,
};

export function senderDomain(address: Address): string {
  return address.email.slice(address.email.lastIndexOf("@") + 1).toLowerCase();
}
