import type { ZxcvbnFactory } from "@zxcvbn-ts/core";

/** zxcvbn scores run 0 to 4; 3 and up resists an offline attack on a slow hash. */
export const minimumStrengthScore = 3;

// zxcvbn runs on the event loop, and its cost grows steeply with length and with l33t-looking
// characters: with its defaults a crafted 128-character password blocks for seconds. These bounds
// keep the worst case near a quarter of a second. Rating only the first 64 UTF-16 units is safe in
// the direction that matters: characters added after a strong prefix cannot make it weaker.
export const estimatedPrefixLength = 64;
export const maximumL33tSubstitutions = 5;

// Holds the promise so that concurrent first checks share one load of the (large) dictionaries,
// which are only imported when a password is first checked.
let estimator: Promise<ZxcvbnFactory> | undefined;

function loadEstimator(): Promise<ZxcvbnFactory> {
  if (!estimator) {
    estimator = buildEstimator();
    // Forgetting a failed load lets the next check retry instead of replaying the rejection.
    estimator.catch(() => {
      estimator = undefined;
    });
  }
  return estimator;
}

async function buildEstimator(): Promise<ZxcvbnFactory> {
  const [{ ZxcvbnFactory }, common, en] = await Promise.all([
    import("@zxcvbn-ts/core"),
    import("@zxcvbn-ts/language-common"),
    import("@zxcvbn-ts/language-en"),
  ]);
  return new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    maxLength: estimatedPrefixLength,
    l33tMaxSubstitutions: maximumL33tSubstitutions,
  });
}

/**
 * True for passwords found in (or built from) the common-password and English dictionaries, keyboard
 * patterns, or the given user inputs.
 */
export async function isEasyToGuess(password: string, userInputs: string[]): Promise<boolean> {
  const result = (await loadEstimator()).check(password, userInputs);
  return result.score < minimumStrengthScore;
}
