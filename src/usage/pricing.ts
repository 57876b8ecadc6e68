/**
 * Prices of calls: which list price applies to a model (or that none does), and what a call cost
 * from its token usage — fresh input, prompt-cache reads and writes, output, reasoning, images.
 * The dated table lives in `price-table.ts`; the first savings method, still used where rows are
 * written by it, in `savings-v1.ts` (re-exported here).
 * @module
 */

import type { TokenUsage } from "../types.ts";
import { imageCostUsd } from "./image-pricing.ts";
import { keyMatcher, longestPrefix } from "./model-match.ts";
import { PRICE_TABLE, rowOn, UNPRICED_MODELS, type PriceRow, type TokenRates } from "./price-table.ts";
import { tokenCount } from "./token-count.ts";

export { PRICE_TABLE, PRICES_AS_OF, UNPRICED_MODELS, type PriceRow, type TokenRates, type UnpricedModel } from "./price-table.ts";
export {
  CO2_EQUIVALENCES,
  DEFAULT_RATES,
  GRID_KG_CO2_PER_KWH,
  MODEL_RATES,
  co2Equivalences,
  embeddingCostUsd,
  ratesFor,
  savingsFor,
  type ModelRates,
  type RateOverrides,
  type ResolvedRates,
} from "./savings-v1.ts";

/** A user's price for a model-name prefix (any case); fields left out keep the built-in row's. */
export interface PriceOverride {
  inputPerMTok?: number;
  cachedInputPerMTok?: number;
  cacheWritePerMTok?: number;
  outputPerMTok?: number;
  reasoningPerMTok?: number;
  /** Methodology-1 CO₂ factor; ignored by the current method. */
  co2KgPer1kOutputTokens?: number;
}

/** The `pricing` option: overrides keyed by model-name prefix. Methodology-1 `RateOverrides` fit. */
export type PriceOverrides = Record<string, PriceOverride>;

/** Token usage of one call, as the usage log records it: every input token, cache reads and writes included; every output token, reasoning included. */
export type CallUsage = TokenUsage;

/** Options of {@link priceFor} and {@link costOfCall}. */
export interface PriceOptions {
  /** The `pricing` option. */
  overrides?: PriceOverrides;
  /**
   * The day the call was made, for scheduled prices (ISO date or Date).
   * @default today
   */
  at?: string | Date;
}

/** A list price found for a model. */
export interface Priced {
  priced: true;
  model: string;
  /** Table or override key that matched. */
  key: string;
  rates: Required<TokenRates>;
  longContext?: Required<TokenRates> & { aboveInputTokens: number };
  /** Where the price comes from: the table row's source, or `"pricing option"`. */
  source: string;
  /** Date of the figure (table rows), absent for an override. */
  asOf?: string;
  note?: string;
}

/** No price: the model is deliberately unpriced, or not in the table. */
export interface Unpriced {
  priced: false;
  model: string;
  /** The unpriced-list key that matched, or `null` for a model the table does not know. */
  key: string | null;
  reason: string;
}

const pricedFamily = keyMatcher(Object.keys(PRICE_TABLE));
const unpricedFamily = keyMatcher(Object.keys(UNPRICED_MODELS));

const UNKNOWN_REASON = "not in the price table; add a `pricing` override for it (e.g. { inputPerMTok, outputPerMTok })";

function complete(r: TokenRates): Required<TokenRates> {
  return { input: r.input, cachedInput: r.cachedInput, cacheWrite: r.cacheWrite, output: r.output, reasoning: r.reasoning ?? r.output };
}

function isoDay(at: PriceOptions["at"]): string {
  if (at === undefined) return new Date().toISOString().slice(0, 10);
  return typeof at === "string" ? at.slice(0, 10) : at.toISOString().slice(0, 10);
}

function fromRow(model: string, key: string, row: PriceRow): Priced {
  return {
    priced: true,
    model,
    key,
    rates: complete(row),
    ...(row.longContext ? { longContext: { ...complete(row.longContext), aboveInputTokens: row.longContext.aboveInputTokens } } : {}),
    source: row.source,
    asOf: row.asOf,
    ...(row.note ? { note: row.note } : {}),
  };
}

function applyOverride(base: Priced | Unpriced, model: string, key: string, patch: PriceOverride): Priced | Unpriced {
  const known = base.priced ? base.rates : undefined;
  const input = patch.inputPerMTok ?? known?.input;
  const output = patch.outputPerMTok ?? known?.output;
  if (input === undefined || output === undefined) {
    const missing = input === undefined ? "inputPerMTok" : "outputPerMTok";
    return { priced: false, model, key: null, reason: `the \`pricing\` override "${key}" gives no ${missing} and the model has no list price to take it from` };
  }
  const rates: Required<TokenRates> = {
    input,
    cachedInput: patch.cachedInputPerMTok ?? known?.cachedInput ?? input,
    cacheWrite: patch.cacheWritePerMTok ?? known?.cacheWrite ?? input,
    output,
    reasoning: patch.reasoningPerMTok ?? (patch.outputPerMTok !== undefined ? output : known?.reasoning ?? output),
  };
  // A price the user set replaces the long-context tier, which no longer follows from it.
  return { priced: true, model, key: key.toLowerCase(), rates, source: "pricing option" };
}

/**
 * The list price of a model on a day: its family's row in the dated table (longest key plus a
 * version suffix), or a `pricing` override. A model on the unpriced list, or not in the table,
 * comes back `priced: false` with the reason — never a default price.
 *
 * Overrides match by plain prefix (any case); a longer built-in key wins over a shorter override,
 * an override of the same or a longer key is merged over the built-in row. An override keyed
 * `""` prices every model nothing else matches.
 *
 * @example
 * priceFor("gpt-4o-2024-08-06").priced;             // true, key "gpt-4o"
 * priceFor("gpt-4o-mini-tts");                        // { priced: false, reason: "an endpoint ecoai does not cache…" }
 * priceFor("my-model", { overrides: { "my-model": { inputPerMTok: 1, outputPerMTok: 2 } } }).priced; // true
 */
export function priceFor(model: string, options: PriceOptions = {}): Priced | Unpriced {
  const pricedKey = pricedFamily(model);
  const unpricedKey = unpricedFamily(model);
  let base: Priced | Unpriced;
  if (pricedKey !== undefined && (unpricedKey === undefined || pricedKey.length >= unpricedKey.length)) {
    base = fromRow(model, pricedKey, rowOn(PRICE_TABLE[pricedKey]!, isoDay(options.at)));
  } else if (unpricedKey !== undefined) {
    base = { priced: false, model, key: unpricedKey, reason: UNPRICED_MODELS[unpricedKey]!.reason };
  } else {
    base = { priced: false, model, key: null, reason: UNKNOWN_REASON };
  }
  const overrides = options.overrides;
  // Overrides match by plain prefix: the user names what they cover.
  const key = overrides && longestPrefix(Object.keys(overrides), model);
  if (key === undefined || (base.priced && key.length < base.key.length)) return base;
  const patch = overrides![key];
  return patch ? applyOverride(base, model, key, patch) : base;
}

/** What a call cost, part by part, in USD. */
export interface CallCostParts {
  /** Input neither read from nor written to the prompt cache. */
  input: number;
  cachedInput: number;
  cacheWrite: number;
  /** Visible output (or image tokens). */
  output: number;
  reasoning: number;
  /** Per-image price, when it replaces output-token pricing. */
  images: number;
}

/** The cost of a priced call. */
export interface PricedCost {
  priced: true;
  usd: number;
  parts: CallCostParts;
  /** `long-context` when the input passed the row's long-context threshold. */
  tier: "standard" | "long-context";
  price: Priced;
}

/** A call whose model has no price: its cost is unknown, not zero. */
export interface UnpricedCost {
  priced: false;
  usd: null;
  price: Unpriced;
}

/**
 * What a call cost at list price. `usage.inputTokens` counts every input token, cache reads and
 * writes included; `usage.outputTokens` counts every generated token, reasoning included. Cache
 * reads are priced at the cached rate, cache writes at the write rate, reasoning at the reasoning
 * rate, and images per image when the model has per-image prices. Counts that are missing,
 * negative or not finite count as zero; cache reads and writes never exceed the input.
 *
 * @example
 * costOfCall("claude-sonnet-4-5", { inputTokens: 10_000, cachedInputTokens: 8_000, cacheWriteInputTokens: 1_000, outputTokens: 1_000 });
 * // { priced: true, usd: 0.02115, … }  (1k × $3 + 8k × $0.30 + 1k × $3.75 + 1k × $15) / 1M
 */
export function costOfCall(model: string, usage: CallUsage, options: PriceOptions = {}): PricedCost | UnpricedCost {
  const price = priceFor(model, options);
  if (!price.priced) return { priced: false, usd: null, price };
  const input = tokenCount(usage.inputTokens);
  const cached = Math.min(tokenCount(usage.cachedInputTokens), input);
  const written = Math.min(tokenCount(usage.cacheWriteInputTokens), input - cached);
  const output = tokenCount(usage.outputTokens);
  const reasoning = Math.min(tokenCount(usage.reasoningTokens), output);
  const long = price.longContext && input > price.longContext.aboveInputTokens ? price.longContext : undefined;
  const r = long ?? price.rates;
  const perImage = usage.images && imageCostUsd(model, usage.images);
  const parts: CallCostParts = {
    input: ((input - cached - written) * r.input) / 1e6,
    cachedInput: (cached * r.cachedInput) / 1e6,
    cacheWrite: (written * r.cacheWrite) / 1e6,
    output: perImage === undefined ? ((output - reasoning) * r.output) / 1e6 : 0,
    reasoning: perImage === undefined ? (reasoning * r.reasoning) / 1e6 : 0,
    images: perImage ?? 0,
  };
  const usd = parts.input + parts.cachedInput + parts.cacheWrite + parts.output + parts.reasoning + parts.images;
  return { priced: true, usd, parts, tier: long ? "long-context" : "standard", price };
}
