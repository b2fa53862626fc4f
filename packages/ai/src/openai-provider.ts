import OpenAI, { APIConnectionTimeoutError, APIError, BadRequestError } from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import type { z } from "zod";
import { AiProviderError } from "./errors.ts";
import type { AiFeature, CallOutcome, Reservation } from "./metering.ts";
import { costUsd, inputTokenBound, type ModelPrice, priceOf } from "./pricing.ts";
import { type ChatMessage, draftPrompt, threadSummaryPrompt, triagePrompt } from "./prompt.ts";
import type { AiProvider, CallContext } from "./provider.ts";
import {
  analysisSchema,
  modelAnalysisSchema,
  modelDraftSchema,
  modelThreadSummarySchema,
  type ProviderKind,
} from "./schemas.ts";

export interface ModelTiers {
  triage: string;
  summary: string;
  draft: string;
}

export interface OpenAiProviderOptions {
  kind: Extract<ProviderKind, "openai" | "compatible">;
  /** Compatible servers often need none (Ollama); the SDK is then given a placeholder. */
  apiKey: string | undefined;
  /** Unset for OpenAI itself; the server's `/v1` URL for a compatible one. */
  baseUrl: string | undefined;
  models: ModelTiers;
  prices: Record<string, ModelPrice>;
  timeoutMs: number;
  /** HTTP retries on 408, 409, 429 and 5xx, honouring Retry-After, with the SDK's exponential backoff. */
  maxRetries: number;
  maxOutputTokens?: Partial<Record<AiFeature, number>>;
  /** For the S24 guard: a fetch that refuses internal addresses (the caller supplies it). */
  fetch?: typeof fetch;
}

// Turning a zod schema into the JSON schema sent with each request is costly; the schemas are a
// few fixed objects, so each is converted once.
const responseFormats = new WeakMap<z.ZodType, ReturnType<typeof zodResponseFormat>>();
function responseFormatOf(schema: z.ZodType): ReturnType<typeof zodResponseFormat> {
  let format = responseFormats.get(schema);
  if (!format) {
    format = zodResponseFormat(schema, "answer");
    responseFormats.set(schema, format);
  }
  return format;
}

const defaultMaxOutputTokens: Record<AiFeature, number> = { triage: 400, summary: 700, draft: 1200 };

/** The SDK client for a provider, configured only by `options` (shared with the provider probe). */
export function createOpenAiClient(options: OpenAiProviderOptions): OpenAI {
  // Every option the SDK would otherwise read from process.env is given explicitly: only
  // packages/config reads the environment, and OPENAI_LOG must not turn on request logging (which
  // would write mail content to the logs).
  return new OpenAI({
    apiKey: options.apiKey ?? "not-needed",
    baseURL: options.baseUrl ?? "https://api.openai.com/v1",
    adminAPIKey: null,
    organization: null,
    project: null,
    webhookSecret: null,
    logLevel: "off",
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
    fetch: options.fetch,
  });
}

/** OpenAI, or any server speaking its chat-completions API, through the official SDK. */
export function createOpenAiProvider(options: OpenAiProviderOptions): AiProvider {
  const client = createOpenAiClient(options);
  // Servers without structured outputs reject json_schema once; from then on JSON mode is used.
  let jsonSchemaSupported = true;

  async function structuredCall<T>(
    feature: AiFeature,
    messages: ChatMessage[],
    schema: z.ZodType<T>,
    context: CallContext,
  ): Promise<T> {
    const model = options.models[feature];
    const maxTokens = options.maxOutputTokens?.[feature] ?? defaultMaxOutputTokens[feature];
    // A model that answers outside the schema gets one more chance, then the call is a failure.
    for (let attempt = 1; ; attempt++) {
      const result = await meteredCall(context, feature, model, messages, maxTokens, schema);
      if (result.ok) return result.value;
      if (attempt >= 2) {
        throw new AiProviderError(`${feature}: the model's answer did not match the schema twice`, "invalid_output");
      }
    }
  }

  async function meteredCall<T>(
    context: CallContext,
    feature: AiFeature,
    model: string,
    messages: ChatMessage[],
    maxTokens: number,
    schema: z.ZodType<T>,
  ): Promise<{ ok: true; value: T } | { ok: false }> {
    const price = priceOf(model, options.prices);
    // The schema travels with the request (json_schema, or in the instructions in JSON mode) and counts as input.
    const schemaText = JSON.stringify(responseFormatOf(schema).json_schema.schema);
    const promptTokens = inputTokenBound([...messages.map((message) => message.content), schemaText]);
    const inSlot =
      context.slot ??
      (<R>(work: () => Promise<R>, prepare?: () => Promise<void>) => (prepare?.() ?? Promise.resolve()).then(work));
    // The reservation is taken when the call is next in line for a slot, just before the request,
    // so jobs further back hold none of the budget.
    let reserved: Reservation | undefined;
    const reserve = async () => {
      reserved = await context.meter.reserve({
        feature,
        provider: options.kind,
        model,
        maxCostUsd: costUsd(price, promptTokens, maxTokens),
      });
    };
    const { reservation, started, answer } = await inSlot(async () => {
      // A slot that did not run `prepare` still gets no request out without a reservation.
      if (!reserved) await reserve();
      const reservation = reserved as Reservation;
      const started = performance.now();
      const answer = await complete(model, messages, maxTokens, schema, context.signal).then(
        (completion) => ({ ok: true as const, completion }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      return { reservation, started, answer };
    }, reserve);
    const latencyMs = Math.round(performance.now() - started);
    let usage = { inputTokens: 0, outputTokens: 0 };
    let outcome: CallOutcome = "provider_error";
    try {
      if (!answer.ok) {
        const { error } = answer;
        if (error instanceof APIConnectionTimeoutError) {
          outcome = "timeout";
          throw new AiProviderError(`${feature}: the provider timed out`, "timeout", { cause: error });
        }
        if (error instanceof APIError) {
          throw new AiProviderError(`${feature}: the provider answered HTTP ${error.status ?? "error"}`, "http", {
            cause: error,
          });
        }
        throw error;
      }
      const { completion } = answer;
      // A server that answers without usage is charged the call's maximum: never under-recorded (S32).
      usage = completion.usage
        ? { inputTokens: completion.usage.prompt_tokens, outputTokens: completion.usage.completion_tokens }
        : { inputTokens: promptTokens, outputTokens: maxTokens };
      const parsed = parseAnswer(completion.choices[0]?.message.content ?? null, schema);
      outcome = parsed.ok ? "ok" : "invalid_output";
      return parsed;
    } finally {
      await reservation.settle({
        ...usage,
        costUsd: costUsd(price, usage.inputTokens, usage.outputTokens),
        latencyMs,
        outcome,
      });
    }
  }

  async function complete<T>(
    model: string,
    messages: ChatMessage[],
    maxTokens: number,
    schema: z.ZodType<T>,
    signal: AbortSignal | undefined,
  ) {
    if (jsonSchemaSupported) {
      try {
        return await client.chat.completions.create(
          {
            model,
            messages,
            max_completion_tokens: maxTokens,
            response_format: responseFormatOf(schema),
          },
          { signal },
        );
      } catch (error) {
        if (!(error instanceof BadRequestError && /response_format|json_schema/i.test(error.message))) throw error;
        jsonSchemaSupported = false;
      }
    }
    // JSON mode: the schema goes into the instructions and the answer is validated just the same.
    const schemaText = JSON.stringify(responseFormatOf(schema).json_schema.schema);
    const [system, ...rest] = messages;
    const withSchema: ChatMessage[] = [
      { role: "system", content: `${system?.content ?? ""}\nThe JSON must match this JSON Schema: ${schemaText}` },
      ...rest,
    ];
    return client.chat.completions.create(
      { model, messages: withSchema, max_completion_tokens: maxTokens, response_format: { type: "json_object" } },
      { signal },
    );
  }

  return {
    kind: options.kind,
    async analyze(email, context) {
      const answer = await structuredCall("triage", triagePrompt(email), modelAnalysisSchema, context);
      return analysisSchema.parse({
        ...answer,
        provider: options.kind,
        model: options.models.triage,
        createdAt: new Date(),
      });
    },
    async summarizeThread(thread, context) {
      const answer = await structuredCall("summary", threadSummaryPrompt(thread), modelThreadSummarySchema, context);
      return {
        ...answer,
        basedOnMessageIds: thread.map((email) => email.id),
        provider: options.kind,
        model: options.models.summary,
      };
    },
    async draftReply(thread, request, context) {
      const answer = await structuredCall("draft", draftPrompt(thread, request), modelDraftSchema, context);
      return { ...answer, provider: options.kind, model: options.models.draft };
    },
  };
}

function parseAnswer<T>(content: string | null, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false } {
  if (!content) return { ok: false };
  try {
    const parsed = schema.safeParse(JSON.parse(content));
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false };
  } catch {
    return { ok: false };
  }
}
