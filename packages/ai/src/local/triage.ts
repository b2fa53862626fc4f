import type { Category, Priority } from "../schemas.ts";
import type { Head, Prediction } from "./learned-model.ts";
import type { Signals } from "./signals.ts";

export interface Triage {
  priority: Priority;
  category: Category;
  needsReply: boolean;
  reasons: string[];
}

// How sure the learned model must be (log2 odds) before it overrides the rules.
const learnedThreshold: Record<Head, number> = { priority: 2, needsReply: 1.5, category: 1.5 };

function ruleCategory(s: Signals): { category: Category; reason: string } {
  if (s.lure) return { category: "spam", reason: "looks like phishing or a scam" };
  if (s.socialSender) return { category: "social", reason: "from a social network" };
  const machine = s.automated || s.noReplySender || s.bulk;
  if (machine && s.transactionalWords) return { category: "transactional", reason: "a receipt, order or booking" };
  if ((s.automated || s.noReplySender) && !s.bulk) return { category: "notification", reason: "sent automatically" };
  if (s.bulk && s.notificationWords && !s.marketingWords)
    return { category: "notification", reason: "an automated notice" };
  if (s.bulk) {
    return s.marketingWords
      ? { category: "promotion", reason: "bulk mail with offers" }
      : { category: "newsletter", reason: "sent to a mailing list" };
  }
  if (s.sameDomainAsUser) return { category: "work", reason: "from your own organisation" };
  if (s.freeMailSender) return { category: "personal", reason: "from a personal address" };
  return { category: "work", reason: "from a person at an organisation" };
}

function ruleNeedsReply(s: Signals): boolean {
  if (s.bulk || s.automated || s.noReplySender || s.coldOutreach) return false;
  if (s.calendarInvitation) return s.direct;
  return s.asksTheUser && (s.direct || !s.copied);
}

/**
 * Mail from programs is low unless it asks the user to act (approve, sign: high), is about
 * something happening soon (a booking, a delivery today) or is a notice worth seeing (a mention, a
 * failed build, a security alert): normal. Plain receipts and statements stay low.
 */
function machinePriority(s: Signals, category: Category): { priority: Priority; reasons: string[] } {
  if (s.actionRequired) return { priority: "high", reasons: ["asks you to act"] };
  if (s.timely) return { priority: "normal", reasons: ["about something happening soon"] };
  if (category === "transactional") return { priority: "low", reasons: [] };
  if (s.notificationWords) return { priority: "normal", reasons: ["a notice worth seeing"] };
  return { priority: "low", reasons: [] };
}

/**
 * Rules first, then the user's learned preferences where they are confident. High priority needs
 * several signs at once, so an ordinary message stays normal (not everything is "important").
 */
function rulePriority(s: Signals, needsReply: boolean, category: Category): { priority: Priority; reasons: string[] } {
  if (category === "promotion" || category === "newsletter" || category === "social") {
    return { priority: "low", reasons: [] };
  }
  if (s.automated || s.noReplySender) return machinePriority(s, category);
  if (s.coldOutreach) return { priority: "low", reasons: ["unsolicited sales or recruiting"] };
  const reasons: string[] = [];
  let score = 0;
  if (s.direct) score += 1;
  else if (s.copied) {
    score -= 1;
    reasons.push("you are only copied");
  }
  // An invitation's "Going? Yes - Maybe - No" is its own sign below, not also a question.
  if (needsReply && !s.calendarInvitation) {
    score += 1;
    reasons.push("asks you something");
  }
  if (s.urgent && needsReply) {
    score += 1;
    reasons.push("mentions a deadline or urgency");
  }
  if (s.repliedToSenderBefore) {
    score += 1;
    reasons.push("you have replied to this sender before");
  } else if (s.knownContact) {
    score += 1;
    reasons.push("a known contact");
  }
  if (s.calendarInvitation) {
    score += 1;
    reasons.push("a calendar invitation");
  }
  return { priority: score >= 3 ? "high" : score <= -1 ? "low" : "normal", reasons };
}

export function triage(signals: Signals, learned: Partial<Record<Head, Prediction>>): Triage {
  const reasons: string[] = [];
  const byRule = ruleCategory(signals);
  let category = byRule.category;
  reasons.push(byRule.reason);
  const learnedCategory = learned.category;
  if (learnedCategory && learnedCategory.log2Odds >= learnedThreshold.category && learnedCategory.label !== category) {
    category = learnedCategory.label as Category;
    reasons.push(`you filed similar mail as ${category}`);
  }

  // Spam is never important and never answered, whatever else it looks like.
  if (category === "spam") return { priority: "low", category, needsReply: false, reasons: reasons.slice(0, 6) };

  let needsReply = ruleNeedsReply(signals);
  const learnedReply = learned.needsReply;
  if (learnedReply && learnedReply.log2Odds >= learnedThreshold.needsReply) {
    const value = learnedReply.label === "true";
    if (value !== needsReply)
      reasons.push(value ? "you usually answer mail like this" : "you rarely answer mail like this");
    needsReply = value;
  }

  const byRules = rulePriority(signals, needsReply, category);
  let priority = byRules.priority;
  reasons.push(...byRules.reasons);
  const learnedPriority = learned.priority;
  if (learnedPriority && learnedPriority.log2Odds >= learnedThreshold.priority && learnedPriority.label !== priority) {
    priority = learnedPriority.label as Priority;
    reasons.push(`you treated similar mail as ${priority} priority`);
  }
  return { priority, category, needsReply, reasons: reasons.slice(0, 6) };
}
