// pnpm eval [--provider local] [--actions N]: the local provider on the SpamAssassin public corpus,
// before and after replaying user actions on a learning split; see docs/ai.md for the labels.
import { parseArgs } from "node:util";
import {
  type Analysis,
  analyzeLocally,
  type Example,
  emptyLocalModelState,
  featureTokens,
  type Lesson,
  learn,
  lessonFromBehaviour,
  type Predictor,
  predictor,
  type RecipientContext,
  readSignals,
  triage,
  type UserBehaviour,
} from "../src/index.ts";
import { type LabelledEmail, loadCorpus } from "./corpus.ts";
import { accuracy, confusion, formatConfusion } from "./metrics.ts";

const print = (line: string) => process.stdout.write(`${line}\n`);

const { values } = parseArgs({
  options: {
    provider: { type: "string", default: "local" },
    seed: { type: "string", default: "18" },
  },
});
if (values.provider !== "local") {
  console.error(
    `--provider ${values.provider}: only the local provider is evaluated so far (the cloud paths need a key)`,
  );
  process.exit(2);
}

/** Seeded shuffle (mulberry32) so every run splits the corpus the same way. */
function shuffled<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** What the corpus owner did with a message, as the behaviours the app would observe. */
function behavioursFor(item: LabelledEmail): UserBehaviour[] {
  if (item.gotReply) return ["replied"];
  if (item.spam) return ["deletedUnread"];
  if (item.group === "hard-ham-1") return ["archivedUnread"];
  return ["openedSoon", "readNotReplied"];
}

function examplesFrom(items: LabelledEmail[], recipient: RecipientContext): Example[] {
  return items.map((item) => {
    const signals = readSignals(item.email, recipient);
    const lesson = Object.assign({}, ...behavioursFor(item).map(lessonFromBehaviour)) as Lesson;
    // Marking spam teaches the category; a message the user kept without correcting its category
    // confirms the one it was shown with (the rules' here, as no category was ever corrected).
    lesson.category = item.spam ? "spam" : triage(signals, {}).category;
    return { tokens: featureTokens(item.email, signals), lesson };
  });
}

function evaluate(title: string, test: LabelledEmail[], recipient: RecipientContext, predict: Predictor) {
  // Fresh message objects, so text prepared in an earlier pass is not reused and timed as free.
  const emails = test.map((item) => ({ ...item.email }));
  const started = performance.now();
  const analyses: Analysis[] = emails.map((email) => analyzeLocally(email, recipient, predict));
  const seconds = (performance.now() - started) / 1000;
  const priority = confusion(
    ["high", "normal", "low"],
    test.map((item, i) => ({ actual: item.priority, predicted: analyses[i]?.priority ?? "" })),
  );
  const needsReply = confusion(
    ["true", "false"],
    test.map((item, i) => ({ actual: String(item.needsReply), predicted: String(analyses[i]?.needsReply) })),
  );
  const spam = confusion(
    ["spam", "not spam"],
    test.map((item, i) => ({
      actual: item.spam ? "spam" : "not spam",
      predicted: analyses[i]?.category === "spam" ? "spam" : "not spam",
    })),
  );
  const meanSummary = analyses.reduce((sum, analysis) => sum + analysis.summary.length, 0) / analyses.length;
  print(`\n## ${title}`);
  print(formatConfusion("priority", priority));
  print(formatConfusion("needs reply", needsReply));
  print(formatConfusion("spam (category)", spam));
  print(
    `summary length: ${meanSummary.toFixed(0)} characters on average; ${(test.length / seconds).toFixed(0)} analyses/s on one core; cost $0`,
  );
  return { priority: accuracy(priority), needsReply: accuracy(needsReply), spam: accuracy(spam) };
}

const corpus = await loadCorpus();
// The corpus anonymised its owner's addresses as zzzz@... and yyyy@...: those are "the user".
const ownAddresses = [
  ...new Set(
    corpus.flatMap((item) =>
      [...item.email.to, ...item.email.cc].map((a) => a.email).filter((a) => /^(zzzz|yyyy)/.test(a)),
    ),
  ),
];
const recipient: RecipientContext = { ownAddresses, repliedToSenderBefore: false, knownContact: false };

const count = (predicate: (item: LabelledEmail) => boolean) => corpus.filter(predicate).length;
print(`SpamAssassin public corpus: ${corpus.length} messages, ${ownAddresses.length} owner addresses`);
print(
  `labels: priority high ${count((i) => i.priority === "high")}, normal ${count((i) => i.priority === "normal")}, low ${count((i) => i.priority === "low")}; needs reply ${count((i) => i.needsReply)}; spam ${count((i) => i.spam)}`,
);

const order = shuffled(corpus, Number(values.seed));
const history = order.slice(0, Math.floor(order.length / 2));
const test = order.slice(history.length);
print(`split (seed ${values.seed}): ${history.length} to learn from, ${test.length} held out`);

const rulesOnly = evaluate("rules only (before learning)", test, recipient, () => ({}));
const thirty = learn(emptyLocalModelState, examplesFrom(history.slice(0, 30), recipient));
const after30 = evaluate("after 30 user actions", test, recipient, predictor(thirty));
const all = learn(emptyLocalModelState, examplesFrom(history, recipient));
const afterAll = evaluate(`after ${history.length} user actions`, test, recipient, predictor(all));

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
print("\n## held-out agreement");
print("| | rules only | after 30 actions | after all actions |");
print("|---|---|---|---|");
for (const key of ["priority", "needsReply", "spam"] as const) {
  print(`| ${key} | ${pct(rulesOnly[key])} | ${pct(after30[key])} | ${pct(afterAll[key])} |`);
}
