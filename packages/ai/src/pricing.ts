/** US dollars per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

/**
 * Published OpenAI list prices for current models; configuration (AI_PRICES) adds or overrides.
 * A model missing from the table is metered at the most expensive price here, so an unknown name
 * can never make calls look free.
 */
export const defaultModelPrices: Record<string, ModelPrice> = {
  "gpt-5": { inputPerMillion: 1.25, outputPerMillion: 10 },
  "gpt-5-mini": { inputPerMillion: 0.25, outputPerMillion: 2 },
  "gpt-5-nano": { inputPerMillion: 0.05, outputPerMillion: 0.4 },
  "gpt-4.1": { inputPerMillion: 2, outputPerMillion: 8 },
  "gpt-4.1-mini": { inputPerMillion: 0.4, outputPerMillion: 1.6 },
  "gpt-4.1-nano": { inputPerMillion: 0.1, outputPerMillion: 0.4 },
  "gpt-4o": { inputPerMillion: 2.5, outputPerMillion: 10 },
  "gpt-4o-mini": { inputPerMillion: 0.15, outputPerMillion: 0.6 },
};

export function priceOf(model: string, prices: Record<string, ModelPrice>): ModelPrice {
  const known = prices[model];
  if (known) return known;
  const all = Object.values(prices);
  return {
    inputPerMillion: Math.max(0, ...all.map((price) => price.inputPerMillion)),
    outputPerMillion: Math.max(0, ...all.map((price) => price.outputPerMillion)),
  };
}

export function costUsd(price: ModelPrice, inputTokens: number, outputTokens: number): number {
  return (inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1_000_000;
}

/**
 * An upper bound on the tokens of a prompt: a BPE token is at least one UTF-8 byte, plus a few
 * tokens of framing per message. Reserving with it (and the output limit) makes the reservation a
 * true maximum for any server that counts tokens honestly (S32).
 */
export function inputTokenBound(texts: readonly string[]): number {
  return texts.reduce((sum, text) => sum + Buffer.byteLength(text, "utf8") + 8, 16);
}
