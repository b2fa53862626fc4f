// pnpm eval [--set dev|spamassassin] [--provider local|openai|compatible] [--limit N] [--seed S]:
// a provider on the hand-written development set (default) or the SpamAssassin corpus; the local
// one before and after replaying user actions. See docs/ai.md for the labels.
import { parseArgs } from "node:util";
import { loadConfig } from "@tidings/config";
import {
  type Analysis,
  analyzeLocally,
  behaviourExample,
  type CallResult,
  createOpenAiProvider,
  defaultModelPrices,
  type EmailForAnalysis,
  type Example,
  emptyLocalModelState,
  featureTokens,
  type Lesson,
  learn,
  type Meter,
  type Predictor,
  predictor,
  type RecipientContext,
  readSignals,
  triage,
  type UserBehaviour,
} from "../src/index.ts";
import { type LabelledEmail, loadCorpus } from "./corpus.ts";
import { evaluateDevSet, runLocalDevEvaluation } from "./dev-run.ts";
import { recipientFor, toEmail } from "./dev-set/index.ts";
import { accuracy, confusion, formatConfusion } from "./metrics.ts";

const print = (line: string) => process.stdout.write(`${line}\n`);

const { values } = parseArgs({
  options: {
    set: { type: "string", default: "dev" },
    provider: { type: "string", default: "local" },
    seed: { type: "string", default: "18" },
    limit: { type: "string", default: "100" },
  },
});
const providerKind = values.provider;
if (providerKind !== "local" && providerKind !== "openai" && providerKind !== "compatible") {
  console.error(`--provider: expected local, openai or compatible (got ${JSON.stringify(providerKind)})`);
  process.exit(2);
}

if (values.set !== "dev" && values.set !== "spamassassin") {
  console.error(`--set: expected dev or spamassassin (got ${JSON.stringify(values.set)})`);
  process.exit(2);
}
if (values.set === "dev") {
  await runDevSet(providerKind);
  process.exit(0);
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
  return items.flatMap((item) => {
    const signals = readSignals(item.email, recipient);
    // Each behaviour is its own lesson at its weight, as the app learns it (learnBehaviourAndStore).
    const behaviours = behavioursFor(item).map((behaviour) => behaviourExample(item.email, recipient, behaviour));
    // Marking spam teaches the category; a message the user kept without correcting its category
    // confirms the one it was shown with (the rules' here, as no category was ever corrected).
    const category: Lesson = { category: item.spam ? "spam" : triage(signals, {}).category };
    return [...behaviours, { tokens: featureTokens(item.email, signals), lesson: category }];
  });
}

type Analyze = (email: EmailForAnalysis) => Promise<Analysis>;

async function evaluate(title: string, test: LabelledEmail[], analyze: Analyze) {
  // Fresh message objects, so text prepared in an earlier pass is not reused and timed as free.
  const emails = test.map((item) => ({ ...item.email }));
  const analysed: { item: LabelledEmail; analysis: Analysis }[] = [];
  let failures = 0;
  const started = performance.now();
  for (const [i, email] of emails.entries()) {
    const item = test[i];
    if (!item) continue;
    try {
      analysed.push({ item, analysis: await analyze(email) });
    } catch (error) {
      failures++;
      if (failures <= 3) console.error(`analysis failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const priority = confusion(
    ["high", "normal", "low"],
    analysed.map(({ item, analysis }) => ({ actual: item.priority, predicted: analysis.priority })),
  );
  const needsReply = confusion(
    ["true", "false"],
    analysed.map(({ item, analysis }) => ({ actual: String(item.needsReply), predicted: String(analysis.needsReply) })),
  );
  const spam = confusion(
    ["spam", "not spam"],
    analysed.map(({ item, analysis }) => ({
      actual: item.spam ? "spam" : "not spam",
      predicted: analysis.category === "spam" ? "spam" : "not spam",
    })),
  );
  const meanSummary = analysed.reduce((sum, { analysis }) => sum + analysis.summary.length, 0) / analysed.length;
  print(`\n## ${title}`);
  if (failures) print(`${failures} of ${emails.length} analyses failed`);
  print(formatConfusion("priority", priority));
  print(formatConfusion("needs reply", needsReply));
  print(formatConfusion("spam (category)", spam));
  print(
    `summary length: ${meanSummary.toFixed(0)} characters on average; ${(emails.length / seconds).toFixed(0)} analyses/s; ${((seconds * 1000) / emails.length).toFixed(1)} ms per email`,
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

if (providerKind !== "local") {
  // A cloud run: the held-out messages up to --limit, each sent to the configured provider (the
  // same environment variables as the server: OPENAI_API_KEY, OPENAI_BASE_URL, AI_MODEL, ...).
  const config = loadConfig();
  const ledger: CallResult[] = [];
  const meter: Meter = { reserve: async () => ({ settle: async (result) => void ledger.push(result) }) };
  const provider = createOpenAiProvider({
    kind: providerKind,
    apiKey: config.ai.openaiApiKey?.reveal(),
    baseUrl: config.ai.baseUrl,
    models: config.ai.models,
    prices: { ...defaultModelPrices, ...config.ai.prices },
    timeoutMs: config.ai.timeoutMs,
    maxRetries: config.ai.maxRetries,
  });
  const sample = test.slice(0, Number(values.limit));
  const result = await evaluate(`${providerKind} (${config.ai.models.triage})`, sample, (email) =>
    provider.analyze(email, { meter, recipient }),
  );
  const cost = ledger.reduce((sum, call) => sum + call.costUsd, 0);
  const latency = ledger.reduce((sum, call) => sum + call.latencyMs, 0) / Math.max(1, ledger.length);
  print(
    `\n${ledger.length} calls for ${sample.length} emails: $${(cost / sample.length).toFixed(6)} and ${latency.toFixed(0)} ms per call on average`,
  );
  print(
    `agreement: priority ${(result.priority * 100).toFixed(1)}%, needs reply ${(result.needsReply * 100).toFixed(1)}%, spam ${(result.spam * 100).toFixed(1)}%`,
  );
  process.exit(0);
}

const local =
  (predict: Predictor): Analyze =>
  async (email) =>
    analyzeLocally(email, recipient, predict);
const rulesOnly = await evaluate(
  "rules only (before learning)",
  test,
  local(() => ({})),
);
const thirty = learn(emptyLocalModelState, examplesFrom(history.slice(0, 30), recipient));
const after30 = await evaluate("after 30 user actions", test, local(predictor(thirty)));
const all = learn(emptyLocalModelState, examplesFrom(history, recipient));
const afterAll = await evaluate(`after ${history.length} user actions`, test, local(predictor(all)));

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
print("\n## held-out agreement");
print("| | rules only | after 30 actions | after all actions |");
print("|---|---|---|---|");
for (const key of ["priority", "needsReply", "spam"] as const) {
  print(`| ${key} | ${pct(rulesOnly[key])} | ${pct(after30[key])} | ${pct(afterAll[key])} |`);
}

/** The development set through the chosen provider (cloud ones configured as the server is). */
async function runDevSet(kind: "local" | "openai" | "compatible") {
  if (kind === "local") {
    await runLocalDevEvaluation();
    return;
  }
  const config = loadConfig();
  const ledger: CallResult[] = [];
  const meter: Meter = { reserve: async () => ({ settle: async (result) => void ledger.push(result) }) };
  const provider = createOpenAiProvider({
    kind,
    apiKey: config.ai.openaiApiKey?.reveal(),
    baseUrl: config.ai.baseUrl,
    models: config.ai.models,
    prices: { ...defaultModelPrices, ...config.ai.prices },
    timeoutMs: config.ai.timeoutMs,
    maxRetries: config.ai.maxRetries,
  });
  const result = await evaluateDevSet(`${kind} (${config.ai.models.triage})`, (message, index) =>
    provider.analyze(toEmail(message, index), { meter, recipient: recipientFor(message) }),
  );
  const cost = ledger.reduce((sum, call) => sum + call.costUsd, 0);
  const latency = ledger.reduce((sum, call) => sum + call.latencyMs, 0) / Math.max(1, ledger.length);
  print(
    `\n${ledger.length} calls: $${(cost / Math.max(1, ledger.length)).toFixed(6)} and ${latency.toFixed(0)} ms per call`,
  );
  print(
    `agreement: priority ${(result.priority * 100).toFixed(1)}%, category ${(result.category * 100).toFixed(1)}%, needs reply ${(result.needsReply * 100).toFixed(1)}%`,
  );
}
