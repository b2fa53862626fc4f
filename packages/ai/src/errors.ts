/** The user's budget for the period is spent (appCode AI_BUDGET_EXCEEDED). */
export class AiBudgetExceededError extends Error {
  constructor(readonly resetsAt: Date) {
    super(`AI budget exceeded until ${resetsAt.toISOString()}`);
    this.name = "AiBudgetExceededError";
  }
}

/** The provider failed after retries, or answered outside the schema twice (appCode AI_PROVIDER_ERROR). */
export class AiProviderError extends Error {
  constructor(
    message: string,
    readonly reason: "http" | "timeout" | "invalid_output",
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "AiProviderError";
  }
}

/** The local provider cannot write reply drafts: that needs a model. */
export class AiModelRequiredError extends Error {
  constructor(feature: string) {
    super(`${feature} needs a model: choose OpenAI or an OpenAI-compatible server in the AI settings`);
    this.name = "AiModelRequiredError";
  }
}

/** The feature is off for this user, account or sender (appCode AI_DISABLED). */
export class AiDisabledError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "AiDisabledError";
  }
}
