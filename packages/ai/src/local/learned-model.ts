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
   * worth more than what their behaviour suggests (see feedbackWeight and behaviourWeight).
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

export type Predictor = (tokens: string[]) => Partial<Record<Head, Prediction>>;

/**
 * Builds a predictor from a state once (importing and consolidating is the slow part); a head
 * that has not yet seen two different labels predicts nothing.
 */
export function predictor(state: LocalModelState): Predictor {
  const ready: Partial<Record<Head, ReturnType<typeof fresh>>> = {};
  for (const head of heads) {
    const saved = state.classifiers[head];
    if (!saved) continue;
    const classifier = fresh();
    classifier.importJSON(saved);
    try {
      classifier.consolidate();
      ready[head] = classifier;
    } catch {
      // Too little learned yet (one label only, or a tiny vocabulary): the rules decide alone.
    }
  }
  return (tokens) => {
    const result: Partial<Record<Head, Prediction>> = {};
    // What every message of its kind shares (the label counts and the rules' signals) is not
    // evidence about this one: a few corrections to "low" made every later message "low" through
    // the prior alone. A prediction counts only as far as this mail's own tokens (sender, domain,
    // terms) move the odds beyond that baseline.
    const generic = tokens.filter((token) => token.startsWith("signal:"));
    for (const head of heads) {
      const classifier = ready[head];
      if (!classifier) continue;
      const [best] = classifier.computeOdds(tokens);
      if (!best || best[0] === "unknown") continue;
      const baseline = classifier.computeOdds(generic).find(([label]) => label === best[0])?.[1] ?? 0;
      result[head] = { label: best[0], log2Odds: Math.min(best[1], best[1] - baseline) };
    }
    return result;
  };
}
