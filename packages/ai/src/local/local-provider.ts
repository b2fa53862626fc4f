import type { EmailForAnalysis, RecipientContext } from "../email.ts";
import { AiModelRequiredError } from "../errors.ts";
import type { AiProvider } from "../provider.ts";
import { type Analysis, analysisSchema, type ThreadSummary } from "../schemas.ts";
import { actionItems, extractiveSummary, questions } from "./extract.ts";
import { featureTokens } from "./features.ts";
import { type Example, type Lesson, type LocalModelState, learn, type Predictor } from "./learned-model.ts";
import { readSignals } from "./signals.ts";
import { triage } from "./triage.ts";

export const localModelName = "tidings-local-1";

/** Analysis with no network at all: rules, the user's learned model and extraction from the text. */
export function analyzeLocally(email: EmailForAnalysis, recipient: RecipientContext, predict: Predictor): Analysis {
  const signals = readSignals(email, recipient);
  const learned = predict(featureTokens(email, signals));
  const decided = triage(signals, learned);
  return analysisSchema.parse({
    ...decided,
    summary: extractiveSummary(email),
    actionItems: actionItems(email),
    provider: "local",
    model: localModelName,
    createdAt: new Date(),
  });
}

/**
 * A correction the user made counts this many times; what their behaviour implies counts as
 * behaviourWeights says. Behaviour is noisy (a message is starred to find it again, archived
 * because it was read elsewhere), so several consistent actions are needed to outweigh one
 * explicit correction.
 */
export const feedbackWeight = 3;

/** The example the model learns from one message and what the user said or did about it. */
export function exampleFrom(
  email: EmailForAnalysis,
  recipient: RecipientContext,
  lesson: Lesson,
  weight: number = feedbackWeight,
): Example {
  return { tokens: featureTokens(email, readSignals(email, recipient)), lesson, weight };
}

/** The state after learning from the user's correction of (or behaviour on) one message. */
export function learnFrom(
  state: LocalModelState,
  email: EmailForAnalysis,
  recipient: RecipientContext,
  lesson: Lesson,
  weight = 1,
): LocalModelState {
  return learn(state, [exampleFrom(email, recipient, lesson, weight)]);
}

export const userBehaviours = [
  "replied",
  "starred",
  "openedSoon",
  "readNotReplied",
  "archivedUnread",
  "deletedUnread",
] as const satisfies readonly UserBehaviour[];

export type UserBehaviour =
  | "replied"
  | "starred"
  | "openedSoon"
  /** Read, and still unanswered some days later. */
  | "readNotReplied"
  | "archivedUnread"
  | "deletedUnread";

/** What a user's action says about a message, as labels the model learns from. */
export function lessonFromBehaviour(behaviour: UserBehaviour): Lesson {
  switch (behaviour) {
    case "replied":
      return { needsReply: true, priority: "high" };
    case "starred":
      return { priority: "high" };
    case "openedSoon":
      return { priority: "normal" };
    case "readNotReplied":
      return { needsReply: false };
    case "archivedUnread":
    case "deletedUnread":
      return { priority: "low", needsReply: false };
  }
}

/**
 * How many times each behaviour's lesson counts. Starring a message or leaving it unread in the
 * archive or bin is a deliberate verdict on that message; opening it soon, replying or leaving it
 * unanswered happen for reasons other than its importance (a reply to a friend about groceries is
 * not important mail, and the rules already raise senders the user has replied to), so they count
 * half as much. With triage's rulesCountAs, one implicit action alone never changes a verdict.
 */
export const behaviourWeights: Record<UserBehaviour, number> = {
  replied: 1,
  openedSoon: 1,
  readNotReplied: 1,
  starred: 2,
  archivedUnread: 2,
  deletedUnread: 2,
};

/** The example one behaviour on one message teaches, at that behaviour's weight. */
export function behaviourExample(
  email: EmailForAnalysis,
  recipient: RecipientContext,
  behaviour: UserBehaviour,
): Example {
  return exampleFrom(email, recipient, lessonFromBehaviour(behaviour), behaviourWeights[behaviour]);
}

/** The local provider for one user, given the predictor built from that user's model state. */
export function createLocalProvider(predict: Predictor = () => ({})): AiProvider {
  return {
    kind: "local",
    async analyze(email, context) {
      return analyzeLocally(email, context.recipient, predict);
    },
    async summarizeThread(thread): Promise<ThreadSummary> {
      const latest = thread.at(-1);
      return {
        summary: latest ? extractiveSummary(latest, 600) : "",
        keyPoints: thread.slice(-8).map((email) => extractiveSummary(email, 300)),
        actionItems: thread.flatMap((email) => actionItems(email)).slice(-10),
        openQuestions: (latest ? questions(latest) : []).slice(0, 8).map((q) => q.slice(0, 300)),
        basedOnMessageIds: thread.map((email) => email.id),
        provider: "local",
        model: localModelName,
      };
    },
    async draftReply() {
      throw new AiModelRequiredError("Reply drafts");
    },
  };
}
