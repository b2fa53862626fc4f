// The hand-written development set through a provider: agreement on priority, category and
// needs-reply with confusion matrices; for the local provider, again after 30 simulated actions.
import {
  type Analysis,
  analyzeLocally,
  behaviourExample,
  categories,
  type Example,
  emptyLocalModelState,
  learn,
  type Predictor,
  predictor,
  priorities,
} from "../src/index.ts";
import { type DevMessage, devSet, recipientFor, simulatedActions, toEmail } from "./dev-set/index.ts";
import { accuracy, confusion, formatConfusion } from "./metrics.ts";

export type Print = (line: string) => void;
const toStdout: Print = (line) => process.stdout.write(`${line}\n`);

export type AnalyzeDev = (message: DevMessage, index: number) => Promise<Analysis>;

export interface DevAgreement {
  priority: number;
  category: number;
  needsReply: number;
  analysesPerSecond: number;
  failures: number;
}

export async function evaluateDevSet(
  title: string,
  analyze: AnalyzeDev,
  print: Print = toStdout,
): Promise<DevAgreement> {
  const results: { message: DevMessage; analysis: Analysis }[] = [];
  let failures = 0;
  const started = performance.now();
  for (const [index, message] of devSet.entries()) {
    try {
      results.push({ message, analysis: await analyze(message, index) });
    } catch (error) {
      failures++;
      if (failures <= 3) console.error(`${message.id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const priority = confusion(
    [...priorities],
    results.map(({ message, analysis }) => ({ actual: message.label.priority, predicted: analysis.priority })),
  );
  const category = confusion(
    [...categories],
    results.map(({ message, analysis }) => ({ actual: message.label.category, predicted: analysis.category })),
  );
  const needsReply = confusion(
    ["true", "false"],
    results.map(({ message, analysis }) => ({
      actual: String(message.label.needsReply),
      predicted: String(analysis.needsReply),
    })),
  );
  const summaryLength = results.reduce((sum, { analysis }) => sum + analysis.summary.length, 0) / results.length;
  print(`\n## ${title}`);
  if (failures) print(`${failures} of ${devSet.length} analyses failed`);
  print(formatConfusion("priority", priority));
  print(formatConfusion("category", category));
  print(formatConfusion("needs reply", needsReply));
  print(`summary length: ${summaryLength.toFixed(0)} characters on average`);
  return {
    priority: accuracy(priority),
    category: accuracy(category),
    needsReply: accuracy(needsReply),
    analysesPerSecond: devSet.length / seconds,
    failures,
  };
}

/**
 * The 30 simulated actions as the app teaches them: each behaviour on each message is its own
 * lesson at that behaviour's weight (learnBehaviourAndStore does the same).
 */
export function lessonsFromActions(): Example[] {
  return simulatedActions.flatMap(({ message, did }) => {
    const email = toEmail(message, 0);
    return did.map((behaviour) => behaviourExample(email, recipientFor(message), behaviour));
  });
}

const localAnalyzer =
  (predict: Predictor): AnalyzeDev =>
  async (message, index) =>
    analyzeLocally(toEmail(message, index), recipientFor(message), predict);

/** Rules only, then after the simulated actions; `print` gets the matrices and the summary table. */
export async function runLocalDevEvaluation(
  print: Print = toStdout,
): Promise<{ before: DevAgreement; after: DevAgreement }> {
  const count = (key: "priority" | "category", value: string) =>
    devSet.filter((message) => message.label[key] === value).length;
  print(
    `development set: ${devSet.length} messages; priority high ${count("priority", "high")}, normal ${count("priority", "normal")}, low ${count("priority", "low")}; needs reply ${devSet.filter((m) => m.label.needsReply).length}`,
  );
  const before = await evaluateDevSet(
    "local, rules only",
    localAnalyzer(() => ({})),
    print,
  );
  const learned = learn(emptyLocalModelState, lessonsFromActions());
  const after = await evaluateDevSet(
    `local, after ${simulatedActions.length} simulated actions`,
    localAnalyzer(predictor(learned)),
    print,
  );
  const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
  print("\n## development set agreement (local provider)");
  const change = (key: "priority" | "needsReply" | "category") => {
    const points = (after[key] - before[key]) * 100;
    return `${points > 0 ? "+" : points < 0 ? "−" : "±"}${Math.abs(points).toFixed(1)} points`;
  };
  print(`| | rules only | after ${simulatedActions.length} actions | change | target |`);
  print("|---|---|---|---|---|");
  print(
    `| priority | ${pct(before.priority)} | ${pct(after.priority)} | ${change("priority")} | ≥ 75%, rises after the actions |`,
  );
  print(`| needs reply | ${pct(before.needsReply)} | ${pct(after.needsReply)} | ${change("needsReply")} | ≥ 85% |`);
  print(`| category | ${pct(before.category)} | ${pct(after.category)} | ${change("category")} | |`);
  return { before, after };
}
