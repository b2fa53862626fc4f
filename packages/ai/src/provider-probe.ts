import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import { AiBudgetExceededError } from "./errors.ts";
import type { CallOutcome, Meter } from "./metering.ts";
import { createOpenAiClient, type OpenAiProviderOptions } from "./openai-provider.ts";
import { costUsd, inputTokenBound, priceOf } from "./pricing.ts";

/** What "Test the provider" found: either the model answered, or why it did not, in words for people. */
export type ProbeResult =
  | { ok: true; model: string; latencyMs: number }
  | {
      ok: false;
      model: string;
      latencyMs?: number;
      error: { code: "AI_PROVIDER_ERROR" | "AI_BUDGET_EXCEEDED"; message: string };
      /** The underlying error, for callers that know more kinds (the S24 guard's HOST_NOT_ALLOWED). */
      cause?: unknown;
    };

// As small as a chat call gets: a few tokens in, a few out, so a test costs next to nothing.
const probeMessages = [
  { role: "system" as const, content: "Answer with the single word OK." },
  { role: "user" as const, content: "Are you there?" },
];
// Enough for a reasoning model to finish; the answer's content does not matter, only that it came.
const probeMaxTokens = 16;

/**
 * One tiny chat completion with the triage model, metered like every cloud call (S32) and
 * recorded in the ledger as the feature "test". Never throws for the provider's failures: they
 * come back as `ok: false` with a message that says what to check.
 */
export async function probeOpenAiProvider(options: OpenAiProviderOptions, meter: Meter): Promise<ProbeResult> {
  const model = options.models.triage;
  const price = priceOf(model, options.prices);
  let reservation: Awaited<ReturnType<Meter["reserve"]>>;
  try {
    reservation = await meter.reserve({
      feature: "test",
      provider: options.kind,
      model,
      maxCostUsd: costUsd(price, inputTokenBound(probeMessages.map((message) => message.content)), probeMaxTokens),
    });
  } catch (error) {
    if (!(error instanceof AiBudgetExceededError)) throw error;
    return {
      ok: false,
      model,
      error: {
        code: "AI_BUDGET_EXCEEDED",
        message: `This month's AI budget is spent, so no call was made. It resets on ${error.resetsAt.toISOString().slice(0, 10)}.`,
      },
    };
  }
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let usage = { inputTokens: 0, outputTokens: 0 };
  let outcome: CallOutcome = "provider_error";
  try {
    const completion = await createOpenAiClient(options).chat.completions.create({
      model,
      messages: probeMessages,
      max_completion_tokens: probeMaxTokens,
    });
    usage = {
      inputTokens: completion.usage?.prompt_tokens ?? 0,
      outputTokens: completion.usage?.completion_tokens ?? 0,
    };
    outcome = "ok";
    return { ok: true, model, latencyMs: elapsed() };
  } catch (error) {
    if (error instanceof APIConnectionTimeoutError) outcome = "timeout";
    return {
      ok: false,
      model,
      latencyMs: elapsed(),
      error: { code: "AI_PROVIDER_ERROR", message: describeFailure(error, model, options.timeoutMs) },
      cause: error,
    };
  } finally {
    await reservation.settle({
      ...usage,
      costUsd: costUsd(price, usage.inputTokens, usage.outputTokens),
      latencyMs: elapsed(),
      outcome,
    });
  }
}

/** What went wrong and what to check. The provider's own error text is left out: it may echo the key. */
function describeFailure(error: unknown, model: string, timeoutMs: number): string {
  if (error instanceof APIConnectionTimeoutError) {
    return `The provider did not answer within ${Math.round(timeoutMs / 1000)} seconds.`;
  }
  if (error instanceof APIConnectionError) {
    const code = (error.cause as { cause?: { code?: string }; code?: string } | undefined)?.cause?.code;
    return `Could not connect to the provider${code ? ` (${code})` : ""}. Check the base URL and that the server is running.`;
  }
  if (error instanceof APIError) {
    const status = error.status;
    if (status === 401 || status === 403) return `The provider refused the API key (HTTP ${status}).`;
    if (status === 404) return `The provider answered HTTP 404: check the base URL and the model name “${model}”.`;
    if (status === 429) return "The provider is rate limiting this key or its credit is used up (HTTP 429).";
    return `The provider answered HTTP ${status ?? "with an error"}.`;
  }
  return "The provider could not be reached.";
}
