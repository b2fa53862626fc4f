import { type Category, type Priority, priorities } from "../schemas.ts";
import type { Learned, SenderEvidence } from "./learned-model.ts";
import type { Signals } from "./signals.ts";

export interface Triage {
  priority: Priority;
  category: Category;
  needsReply: boolean;
  reasons: string[];
}

// How sure the learned model must be (log2 odds) before it overrides the rules' category.
const categoryThreshold = 1.5;

/**
 * How many lessons the rules' own verdict is worth when the user's lessons about the sender are
 * weighed against it (shrinkage toward the rules). With behaviour weights of 1 (implicit: opened,
 * replied, left unanswered) and 2 (deliberate: starred, archived or deleted unread) and a
 * correction worth 3: one implicit action never moves a verdict, one deliberate action or one
 * correction moves it one step, two consistent implicit ones too; two steps (low to high) take
 * about three deliberate lessons.
 */
export const rulesCountAs = 1.5;

const priorityLevels: Record<Priority, number> = { low: -1, normal: 0, high: 1 };
const replyLevels: Record<string, number> = { false: 0, true: 1 };

/**
 * The level nearest the weighted mean of the rules' level (counting rulesCountAs) and the user's
 * lessons about the sender; a tie keeps the rules' level. The learned part adjusts the rules'
 * verdict by as much evidence as there is, and cannot jump past it on one or two lessons.
 */
export function adjustedLevel(rule: number, evidence: SenderEvidence, levels: Record<string, number>): number {
  let total = rulesCountAs * rule;
  let weight = rulesCountAs;
  for (const [label, count] of Object.entries(evidence.counts)) {
    const level = levels[label];
    if (level === undefined || !count) continue;
    total += count * level;
    weight += count;
  }
  const mean = total / weight;
  const candidates = [...new Set(Object.values(levels))];
  const distance = (level: number) => Math.abs(level - mean);
  return candidates.reduce((best, level) => {
    const closer = distance(level) < distance(best) - 1e-9;
    return closer ? level : best;
  }, rule);
}

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
 * Rules first, then adjusted by what the user taught about the sender (triage, adjustedLevel).
 * High priority needs several signs at once, so an ordinary message stays normal (not everything is "important").
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

/**
 * The rules decide; the learned model can replace the category when confident, and adjusts
 * needs-reply and priority by the user's lessons about the sender, weighed against the rules'
 * verdict (adjustedLevel) rather than overriding it.
 */
export function triage(signals: Signals, learned: Learned): Triage {
  const reasons: string[] = [];
  const byRule = ruleCategory(signals);
  let category = byRule.category;
  reasons.push(byRule.reason);
  const learnedCategory = learned.category;
  if (learnedCategory && learnedCategory.log2Odds >= categoryThreshold && learnedCategory.label !== category) {
    category = learnedCategory.label as Category;
    reasons.push(`you filed similar mail as ${category}`);
  }

  // Spam is never important and never answered, whatever else it looks like.
  if (category === "spam") return { priority: "low", category, needsReply: false, reasons: reasons.slice(0, 6) };

  let needsReply = ruleNeedsReply(signals);
  if (learned.needsReply) {
    const value = adjustedLevel(needsReply ? 1 : 0, learned.needsReply, replyLevels) === 1;
    if (value !== needsReply)
      reasons.push(value ? "you usually answer mail like this" : "you rarely answer mail like this");
    needsReply = value;
  }

  const byRules = rulePriority(signals, needsReply, category);
  let priority = byRules.priority;
  reasons.push(...byRules.reasons);
  if (learned.priority) {
    const level = adjustedLevel(priorityLevels[priority], learned.priority, priorityLevels);
    const adjusted = priorities.find((name) => priorityLevels[name] === level) ?? priority;
    if (adjusted !== priority) reasons.push(`you treated similar mail as ${adjusted} priority`);
    priority = adjusted;
  }
  return { priority, category, needsReply, reasons: reasons.slice(0, 6) };
}
