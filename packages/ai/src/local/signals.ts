import { ownVisibleWords } from "../content.ts";
import { type EmailForAnalysis, type RecipientContext, senderDomain } from "../email.ts";

/** Facts about a message that need no model; each comes with the reason shown to the user. */
export interface Signals {
  /** Sent by a program: Auto-Submitted, Precedence bulk/auto_reply, X-Auto-Response-Suppress. */
  automated: boolean;
  /** Sent to a list or in bulk: List-Id, List-Unsubscribe, Precedence bulk/list. */
  bulk: boolean;
  noReplySender: boolean;
  calendarInvitation: boolean;
  /** One of the user's addresses is in To (not only in Cc or Bcc). */
  direct: boolean;
  copied: boolean;
  /** A question or request in the sender's own words (quotes and signature left out). */
  asksTheUser: boolean;
  repliedToSenderBefore: boolean;
  knownContact: boolean;
  marketingWords: boolean;
  transactionalWords: boolean;
  notificationWords: boolean;
  socialSender: boolean;
  freeMailSender: boolean;
  sameDomainAsUser: boolean;
}

const noReplyPattern =
  /^(no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply|notifications?|mailer-daemon|bounce[s]?)([-+_.].*)?@/i;
const requestPattern =
  /\b(can you|could you|would you|will you|are you able|please (let me know|confirm|send|review|reply|advise|call)|let me know|what do you think|your thoughts|rsvp|get back to me|kannst du|können sie|pourriez-vous|peux-tu|¿puedes|podrías)\b/i;
const marketingPattern =
  /\b(\d{1,2}% off|sale|discount|limited time|offer|deal|coupon|promo|free shipping|shop now|buy now|exclusive)\b/i;
const transactionalPattern =
  /\b(receipt|invoice|order (confirmation|#|number)|your order|payment (received|confirmation)|has shipped|tracking number|booking (confirmation|reference)|reservation|refund|statement)\b/i;
const notificationPattern =
  /\b(notification|alert|commented|mentioned you|new sign-in|security alert|password (was )?changed|verify your|reminder|build (failed|passed)|pull request|assigned to you)\b/i;
const socialDomains = ["facebookmail.com", "linkedin.com", "twitter.com", "x.com", "instagram.com", "mastodon.social"];
const freeMailDomains = [
  "gmail.com",
  "googlemail.com",
  "yahoo.com",
  "outlook.com",
  "hotmail.com",
  "live.com",
  "icloud.com",
  "me.com",
  "proton.me",
  "protonmail.com",
  "gmx.de",
  "gmx.net",
  "web.de",
  "aol.com",
];

const endsWithDomain = (domain: string, list: string[]) => list.some((d) => domain === d || domain.endsWith(`.${d}`));

export function readSignals(email: EmailForAnalysis, context: RecipientContext): Signals {
  const header = (name: string) => (email.headers[name] ?? "").toLowerCase();
  const own = new Set(context.ownAddresses.map((address) => address.toLowerCase()));
  const ownDomains = new Set([...own].map((address) => address.slice(address.lastIndexOf("@") + 1)));
  const domain = senderDomain(email.from);
  const words = ownVisibleWords(email);
  const subjectAndWords = `${email.subject}\n${words}`;
  const precedence = header("precedence");
  const autoSubmitted = header("auto-submitted");
  return {
    automated:
      (autoSubmitted !== "" && autoSubmitted !== "no") ||
      precedence === "auto_reply" ||
      header("x-auto-response-suppress") !== "",
    bulk:
      header("list-id") !== "" || header("list-unsubscribe") !== "" || precedence === "bulk" || precedence === "list",
    noReplySender: noReplyPattern.test(email.from.email),
    calendarInvitation: email.hasCalendar,
    direct: email.to.some((address) => own.has(address.email.toLowerCase())),
    copied: email.cc.some((address) => own.has(address.email.toLowerCase())),
    asksTheUser: /\?\s*$/m.test(words) || requestPattern.test(words),
    repliedToSenderBefore: context.repliedToSenderBefore,
    knownContact: context.knownContact,
    marketingWords: marketingPattern.test(subjectAndWords),
    transactionalWords: transactionalPattern.test(subjectAndWords),
    notificationWords: notificationPattern.test(subjectAndWords),
    socialSender: endsWithDomain(domain, socialDomains),
    freeMailSender: endsWithDomain(domain, freeMailDomains),
    sameDomainAsUser: ownDomains.has(domain) && !endsWithDomain(domain, freeMailDomains),
  };
}
