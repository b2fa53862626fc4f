// Packages that import this one compile it without its src/types folder, so the declaration is referenced here.
/// <reference path="../types/wink-naive-bayes-text-classifier.d.ts" />
import naiveBayes from "wink-naive-bayes-text-classifier";
import { z } from "zod";
import type { categories, priorities } from "../schemas.ts";

export const heads = ["priority", "needsReply", "category"] as const;
export type Head = (typeof heads)[number];

/** Serialised per-user learning: one naive Bayes classifier per question, as the library exports it. */
export const localModelStateSchema = z.object({
  version: z.literal(1),
  samples: z.number().int().min(0),
  classifiers: z.object({
    priority: z.string().nullable(),
    needsReply: z.string().nullable(),
    category: z.string().nullable(),
  }),
});
export type LocalModelState = z.infer<typeof localModelStateSchema>;

export const emptyLocalModelState: LocalModelState = {
  version: 1,
  samples: 0,
  classifiers: { priority: null, needsReply: null, category: null },
};

export interface Lesson {
  priority?: (typeof priorities)[number];
  category?: (typeof categories)[number];
  needsReply?: boolean;
}

function fresh() {
  const classifier = naiveBayes();
  // Presence, not counts: a long newsletter should not outweigh a short personal note.
  classifier.defineConfig({ considerOnlyPresence: true, smoothingFactor: 0.5 });
  return classifier;
}

export interface Example {
  tokens: string[];
  lesson: Lesson;
  /**
   * How many times the example counts (a whole number, default 1): a correction the user typed is
   * worth more than what their behaviour suggests (see feedbackWeight and behaviourWeights).
   */
  weight?: number;
}

/** Returns a new state that has also learned these examples (one import and export per question). */
export function learn(state: LocalModelState, examples: readonly Example[]): LocalModelState {
  const classifiers = { ...state.classifiers };
  for (const head of heads) {
    const labelled = examples.flatMap(({ tokens, lesson, weight }) => {
      const label = head === "needsReply" ? lesson.needsReply?.toString() : lesson[head];
      return label === undefined ? [] : [{ tokens, label, times: Math.max(1, Math.round(weight ?? 1)) }];
    });
    if (labelled.length === 0) continue;
    const classifier = fresh();
    const saved = classifiers[head];
    if (saved) classifier.importJSON(saved);
    // The library counts documents; a weight of n is the same example seen n times.
    for (const { tokens, label, times } of labelled) for (let i = 0; i < times; i++) classifier.learn(tokens, label);
    classifiers[head] = classifier.exportJSON();
  }
  return { version: 1, samples: state.samples + examples.length, classifiers };
}

export interface Prediction {
  label: string;
  /** log2 odds of the label against the others. */
  log2Odds: number;
}

/**
 * What the user taught about mail from this message's sender: weighted lessons per label (a
 * correction counts feedbackWeight times, a behaviour its behaviour weight), the sender's own at
 * full weight and those about other people at the same organisation at half weight.
 */
export interface SenderEvidence {
  counts: Partial<Record<string, number>>;
}

/** The learned model's view of one message: a category guess, and sender evidence for the rest. */
export interface Learned {
  category?: Prediction;
  priority?: SenderEvidence;
  needsReply?: SenderEvidence;
}

export type Predictor = (tokens: string[]) => Learned;

// Lessons about a colleague of the sender say less about this sender than lessons about them.
const organisationDiscount = 0.5;

// The classifier's own export ([config, samples, count, words, vocabulary]); only the per-label
// counts of each token are read here, and an export in any other shape is simply not used.
const exportedCounts = z.tuple([
  z.unknown(),
  z.unknown(),
  z.record(z.string(), z.record(z.string(), z.number())),
  z.unknown(),
  z.unknown(),
]);

type IdentityCounts = Map<string, Record<string, number>>;

/** For each sender and domain token the classifier learned, the weighted lessons per label. */
function identityCounts(saved: string): IdentityCounts {
  const parsed = exportedCounts.safeParse(JSON.parse(saved));
  const byToken: IdentityCounts = new Map();
  if (!parsed.success) return byToken;
  for (const [label, tokens] of Object.entries(parsed.data[2])) {
    for (const [token, count] of Object.entries(tokens)) {
      if (!token.startsWith("from:") && !token.startsWith("domain:")) continue;
      const entry = byToken.get(token) ?? {};
      entry[label] = count;
      byToken.set(token, entry);
    }
  }
  return byToken;
}

/**
 * The lessons about this message's sender: their address at full weight, plus other senders at
 * the same domain at half weight. A free-mail domain (gmail.com) or the user's own organisation
 * is shared by unrelated people, so it says nothing about who this sender is and is left out.
 */
function senderEvidence(counts: IdentityCounts, tokens: string[]): SenderEvidence | undefined {
  const from = tokens.find((token) => token.startsWith("from:"));
  const domain = tokens.find((token) => token.startsWith("domain:"));
  const shared = tokens.includes("signal:freeMailSender") || tokens.includes("signal:sameDomainAsUser");
  const own = (from && counts.get(from)) || {};
  const organisation = (!shared && domain && counts.get(domain)) || {};
  const result: Record<string, number> = {};
  for (const label of new Set([...Object.keys(own), ...Object.keys(organisation)])) {
    const mine = own[label] ?? 0;
    const colleagues = Math.max(0, (organisation[label] ?? 0) - mine);
    const weight = mine + organisationDiscount * colleagues;
    if (weight > 0) result[label] = weight;
  }
  return Object.keys(result).length > 0 ? { counts: result } : undefined;
}

/**
 * Builds a predictor from a state once (importing and consolidating is the slow part); a head
 * that has not yet seen two different labels predicts nothing.
 *
 * Priority and needs-reply are learned per sender only. Replaying 30 actions on the development
 * set (docs/ai.md, Evaluation) showed why: naive Bayes over sender, domain, signals and terms gave
 * a term seen once ("want", "saturday", "northwind") as many bits as the sender, so two such words
 * made a colleague's FYI high, and one reply to a friend made all their later mail high and
 * needing a reply. Whether a message asks something or is urgent is what the rules read from the
 * message itself; what the rules cannot know is how this user treats this sender. So these heads
 * hand the triage the user's weighted lessons about the sender, and the triage shrinks them toward
 * the rules' verdict (triage.ts) instead of letting a confident label override it.
 */
export function predictor(state: LocalModelState): Predictor {
  const ready: Partial<Record<Head, ReturnType<typeof fresh>>> = {};
  const counts: Partial<Record<Head, IdentityCounts>> = {};
  for (const head of heads) {
    const saved = state.classifiers[head];
    if (!saved) continue;
    const classifier = fresh();
    classifier.importJSON(saved);
    try {
      classifier.consolidate();
    } catch {
      // Too little learned yet (one label only, or a tiny vocabulary): the rules decide alone.
      continue;
    }
    if (head === "category") ready[head] = classifier;
    else counts[head] = identityCounts(saved);
  }
  const categories = ready.category;
  return (tokens) => {
    const result: Learned = {};
    for (const head of ["priority", "needsReply"] as const) {
      const learned = counts[head];
      const evidence = learned && senderEvidence(learned, tokens);
      if (evidence) result[head] = evidence;
    }
    if (categories) {
      // What every message of its kind shares (the label counts and the rules' signals) is not
      // evidence about this one: otherwise the label counts alone would file mail the model
      // knows nothing about. A prediction counts only as far as this mail's own tokens
      // (sender, domain, terms) move the odds beyond that baseline.
      const generic = tokens.filter((token) => token.startsWith("signal:"));
      const [best] = categories.computeOdds(tokens);
      if (best && best[0] !== "unknown") {
        const baseline = categories.computeOdds(generic).find(([label]) => label === best[0])?.[1] ?? 0;
        result.category = { label: best[0], log2Odds: Math.min(best[1], best[1] - baseline) };
      }
    }
    return result;
  };
}
