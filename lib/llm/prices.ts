/**
 * Estimated prices of hosted models, in USD per million tokens, for the cost column of
 * `model_calls`. Local models (a provider with `local: true`, e.g. Ollama) cost 0; a hosted
 * model missing here is recorded with an unknown (null) cost. Pass your own table to the
 * gateway when your contract differs; these are list prices and go stale.
 */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
}

export type PriceTable = Record<string, ModelPrice>;

export const DEFAULT_PRICES: PriceTable = {
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 },
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6 },
  'gpt-4.1-nano': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
};

/** Estimated cost in USD: 0 for local models, null when the model has no price. */
export function estimateCost(prices: PriceTable, model: string, local: boolean, tokensIn: number, tokensOut: number): number | null {
  if (local) return 0;
  const price = prices[model];
  if (!price) return null;
  return (tokensIn * price.inputPerMTok + tokensOut * price.outputPerMTok) / 1_000_000;
}
