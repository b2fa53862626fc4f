import {
  estimatedPrefixLength,
  maximumL33tSubstitutions,
  normalizePassword,
  type PasswordOwner,
  personalInputs,
} from "@tidings/auth/browser-safe";
import type { ZxcvbnFactory } from "@zxcvbn-ts/core";

export interface StrengthEstimate {
  /** 0 (guessed at once) to 4 (very hard to guess); the server asks for 3 or more. */
  score: 0 | 1 | 2 | 3 | 4;
  warning: string | null;
  suggestions: string[];
}

let estimator: Promise<ZxcvbnFactory> | undefined;

// The dictionaries weigh more than the rest of the app together: they load only when someone
// starts typing a new password, in a chunk of their own.
function loadEstimator(): Promise<ZxcvbnFactory> {
  estimator ??= Promise.all([
    import("@zxcvbn-ts/core"),
    import("@zxcvbn-ts/language-common"),
    import("@zxcvbn-ts/language-en"),
  ]).then(
    ([{ ZxcvbnFactory }, common, en]) =>
      new ZxcvbnFactory({
        dictionary: { ...common.dictionary, ...en.dictionary },
        graphs: common.adjacencyGraphs,
        translations: en.translations,
        // The same bounds as the server, so both rate a password alike.
        maxLength: estimatedPrefixLength,
        l33tMaxSubstitutions: maximumL33tSubstitutions,
      }),
  );
  return estimator;
}

export function preloadStrengthEstimator(): void {
  void loadEstimator();
}

/** Rates the password as the server's policy does: normalised, against the owner's email and name. */
export async function estimateStrength(password: string, owner: PasswordOwner): Promise<StrengthEstimate> {
  const result = (await loadEstimator()).check(normalizePassword(password), personalInputs(owner));
  return {
    score: result.score,
    warning: result.feedback.warning,
    suggestions: result.feedback.suggestions,
  };
}
