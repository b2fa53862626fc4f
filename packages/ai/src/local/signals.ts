import { ownVisibleWords } from "../content.ts";
import { type EmailForAnalysis, type RecipientContext, senderDomain } from "../email.ts";

/** Facts about a message that need no model; each comes with the reason shown to the user. */
export interface Signals {
  /** Sent by a program: Auto-Submitted, Precedence bulk/auto_reply, X-Auto-Response-Suppress. */
  automated: boolean;
  /** Sent to a list or in bulk: List-Id, List-Unsubscribe, Precedence bulk/list, a bulk mailer's X-Mailer. */
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
  /** A program asks the user to do something only they can (approve, sign, act before a date). */
  actionRequired: boolean;
  /** Something happening soon that needs the user present: a booking, a ticket, a delivery today. */
  timely: boolean;
  /** Deadline or urgency in a person's words (urgent, asap, by Friday). */
  urgent: boolean;
  /** The marks of phishing and scams: threats to an account, credentials or money asked for. */
  lure: boolean;
  /** Unsolicited sales or recruiting from someone the user has never written to. */
  coldOutreach: boolean;
  socialSender: boolean;
  freeMailSender: boolean;
  sameDomainAsUser: boolean;
}

const noReplyPattern =
  /^(no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply|notifications?|mailer-daemon|bounce[s]?)([-+_.].*)?@/i;
const questionPattern = /\?(\s|$)|？/m;
const requestPattern =
  /\b(can you|could you|would you|will you|are you able|please (let me know|confirm|send|review|reply|advise|call)|let me know|what do you think|your thoughts|rsvp|get back to me|kannst du|können sie|pourriez-vous|peux-tu|¿puedes|podrías)\b/i;
const marketingPattern =
  /\b(\d{1,2}% off|sale|discount|limited time|offer|deal|coupon|promo|free shipping|shop now|buy now|exclusive)\b/i;
const transactionalPattern =
  /\b(receipt|invoice|order (confirmation|#|number)|your order|payment (received|confirmation)|has shipped|tracking number|booking (confirmation|reference)|reservation|refund|statement)\b/i;
const notificationPattern =
  /\b(notification|alert|commented|mentioned you|new sign-in|security alert|password (was )?changed|verify your|reminder|build (failed|passed)|pull request|assigned to you|shared .{1,40} with you|invited you|expires?|will expire|declined|sent you|new event|maintenance)\b/i;
const actionRequiredPattern =
  /\b(action required|approve or deny|please (approve|sign)|docusign|review and sign|awaiting your (approval|signature)|bescheid (ist )?abrufbar|steuerbescheid)\b/i;
const timelyPattern =
  /\b(booking|reservation|tickets?|fahrkarte|check-in|check in now|termin(bestätigung)?|appointment|delivered|zugestellt|kommt heute|out for delivery|arrives today)\b/i;
const urgentPattern =
  /\b(urgent|asap|immediately|right now|today|by (monday|tuesday|wednesday|thursday|friday|tomorrow|the end of)|deadline|dringend|sofort|bis (montag|dienstag|mittwoch|donnerstag|freitag)|urgente|avant (lundi|mardi|mercredi|jeudi|vendredi))\b/i;
const lurePattern =
  /\b(verify (your )?(identity|account|wallet)|account (has been |will be )?(limited|suspended|locked|closed)|(will be|been) suspended|recovery phrase|confirm (it|your password) here|keep your current password|storage (limit|quota)|mailbox storage|gift cards?|business proposal|million (usd|dollars|us dollars)|redelivery fee|first page of google|verified (list|emails?|contacts?)|seo errors)\b/i;
const coldOutreachPattern =
  /\b(following up|quick (question|chat|call)|\d{2}-minute (call|demo)|worth a (quick )?(call|chat|demo)|open to a quick chat|are you the right person|hiring a|i('m| am) hiring|role at a)\b/i;
// Campaign and list software that names itself in X-Mailer: whatever the words say, it is bulk mail.
const bulkMailerPattern =
  /\b(mailchimp|mailchimp mailer|sendinblue|brevo|mailjet|campaign monitor|createsend|constant ?contact|hubspot|klaviyo|mailerlite|exacttarget|salesforce marketing cloud|marketo|mautic|phplist|sendy|getresponse|aweber|activecampaign|emarsys|listmonk|substack)\b/i;
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
      header("list-id") !== "" ||
      header("list-unsubscribe") !== "" ||
      precedence === "bulk" ||
      precedence === "list" ||
      bulkMailerPattern.test(header("x-mailer")),
    noReplySender: noReplyPattern.test(email.from.email),
    calendarInvitation: email.hasCalendar,
    direct: email.to.some((address) => own.has(address.email.toLowerCase())),
    copied: email.cc.some((address) => own.has(address.email.toLowerCase())),
    asksTheUser: questionPattern.test(words) || requestPattern.test(words),
    repliedToSenderBefore: context.repliedToSenderBefore,
    knownContact: context.knownContact,
    marketingWords: marketingPattern.test(subjectAndWords),
    transactionalWords: transactionalPattern.test(subjectAndWords),
    notificationWords: notificationPattern.test(subjectAndWords),
    actionRequired: actionRequiredPattern.test(subjectAndWords),
    timely: timelyPattern.test(subjectAndWords),
    urgent: urgentPattern.test(subjectAndWords),
    lure: lurePattern.test(subjectAndWords) && !context.knownContact,
    coldOutreach: coldOutreachPattern.test(subjectAndWords) && !context.knownContact && !context.repliedToSenderBefore,
    socialSender: endsWithDomain(domain, socialDomains),
    freeMailSender: endsWithDomain(domain, freeMailDomains),
    sameDomainAsUser: ownDomains.has(domain) && !endsWithDomain(domain, freeMailDomains),
  };
}
