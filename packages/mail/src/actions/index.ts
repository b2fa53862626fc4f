export {
  carryMailAction,
  type MailAction,
  type MailActionDeps,
  type MailActionOutcome,
  MailActionRetry,
} from "./apply-action.ts";
