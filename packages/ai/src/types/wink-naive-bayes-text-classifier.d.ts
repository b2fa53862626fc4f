// The package ships no types; this declares the part of its documented API that Tidings uses.
declare module "wink-naive-bayes-text-classifier" {
  interface NaiveBayesTextClassifier {
    defineConfig(config: { considerOnlyPresence?: boolean; smoothingFactor?: number }): boolean;
    learn(tokens: string[], label: string): boolean;
    consolidate(): boolean;
    /** log2 odds per label, highest first; `[["unknown", 0]]` when no token was ever seen. */
    computeOdds(tokens: string[]): [string, number][];
    exportJSON(): string;
    importJSON(json: string): boolean;
  }
  function naiveBayesTextClassifier(): NaiveBayesTextClassifier;
  export default naiveBayesTextClassifier;
}
