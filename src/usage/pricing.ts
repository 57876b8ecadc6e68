/**
 * Prices and CO₂ factors: the one data module behind `costSavedUsd` and `co2SavedG`.
 *
 * Prices are the providers' public list prices in USD per million tokens, standard
 * (non-batch, non-priority) tier, and the ≤200k-token prompt tier where a provider
 * charges more for longer prompts (≤128k for Gemini 1.5). Sources: OpenAI's API pricing
 * page, Anthropic's Claude pricing page ("cache hits & refreshes" column for cached
 * input), Google's Gemini Developer API pricing page ("context caching" price for
 * cached input). Where a provider publishes no cached rate, the cached rate equals the
 * input rate, so a hit is never credited with a discount the provider does not give.
 *
 * CO₂ factors (kg CO₂ per 1k output tokens, global grid 0.45 kg CO₂/kWh) are the
 * design's public figures per model class; families the design does not list take the
 * factor of the closest class, as noted beside each entry.
 *
 * Everything here is overridable per instance through {@link RateOverrides}.
 * @module
 */

import type { TokenUsage } from "../types.ts";
import { imageCostUsd } from "./image-pricing.ts";

/** Date the list prices below were checked against the providers' public price pages. */
export const PRICES_AS_OF = "2026-11-05";

/** What one model costs, and what its output weighs in CO₂. */
export interface ModelRates {
  /** USD per 1M input tokens */
  inputPerMTok: number;
  /** USD per 1M input tokens served from the provider's prompt cache */
  cachedInputPerMTok: number;
  /** USD per 1M output tokens */
  outputPerMTok: number;
  /** kg CO₂ per 1k output tokens */
  co2KgPer1kOutputTokens: number;
}

/** Per-prefix replacement of some or all rate fields, keyed by model-name prefix (any case). */
export type RateOverrides = Record<string, Partial<ModelRates>>;

/** {@link ModelRates} plus the table key that produced them (`null`: the default applied). */
export type ResolvedRates = ModelRates & { matchedPrefix: string | null };

// CO₂ classes (kg per 1k output tokens), from the design document.
const CO2_LARGE = 0.00003; // gpt-4o, gpt-4-turbo: large frontier models
const CO2_SMALL = 0.000006; // gpt-4o-mini, gpt-3.5-turbo: small models
const CO2_OPUS = 0.000035;
const CO2_SONNET = 0.00002;
const CO2_HAIKU = 0.000008;
const CO2_GEMINI_PRO = 0.000025;
const CO2_GEMINI_FLASH = 0.00001;
const CO2_DEFAULT = 0.00002;

function rates(input: number, cached: number, output: number, co2: number): ModelRates {
  return Object.freeze({
    inputPerMTok: input,
    cachedInputPerMTok: cached,
    outputPerMTok: output,
    co2KgPer1kOutputTokens: co2,
  });
}

/**
 * Built-in rates keyed by lowercase model-name prefix; a model id takes the entry of its
 * longest matching prefix, so dated snapshots (`gpt-4o-2024-08-06`,
 * `claude-sonnet-4-5-20250929`) and aliases (`claude-3-5-haiku-latest`) resolve to their family.
 */
export const MODEL_RATES: Readonly<Record<string, ModelRates>> = Object.freeze({
  // ── OpenAI ─────────────────────────────────────────────── input  cached  output  co2
  "gpt-5": rates(1.25, 0.125, 10, CO2_LARGE), // large class ≈ gpt-4o
  "gpt-5-mini": rates(0.25, 0.025, 2, CO2_SMALL), // small class ≈ gpt-4o-mini
  "gpt-5-nano": rates(0.05, 0.005, 0.4, CO2_SMALL), // small class
  "gpt-4.1": rates(2, 0.5, 8, CO2_LARGE), // large class
  "gpt-4.1-mini": rates(0.4, 0.1, 1.6, CO2_SMALL), // small class
  "gpt-4.1-nano": rates(0.1, 0.025, 0.4, CO2_SMALL), // small class
  "gpt-4o": rates(2.5, 1.25, 10, CO2_LARGE),
  "gpt-4o-2024-05-13": rates(5, 5, 15, CO2_LARGE), // first gpt-4o snapshot: launch price, no cache discount
  "gpt-4o-mini": rates(0.15, 0.075, 0.6, CO2_SMALL),
  o1: rates(15, 7.5, 60, CO2_LARGE), // large class
  "o1-mini": rates(1.1, 0.55, 4.4, CO2_SMALL), // small class
  o3: rates(2, 0.5, 8, CO2_LARGE), // large class
  "o3-mini": rates(1.1, 0.55, 4.4, CO2_SMALL), // small class
  "o4-mini": rates(1.1, 0.275, 4.4, CO2_SMALL), // small class
  "gpt-4-turbo": rates(10, 10, 30, CO2_LARGE),
  // gpt-4 turbo previews: without these they would match `gpt-4` at three times their price.
  "gpt-4-1106-preview": rates(10, 10, 30, CO2_LARGE),
  "gpt-4-0125-preview": rates(10, 10, 30, CO2_LARGE),
  "gpt-4": rates(30, 30, 60, CO2_LARGE), // ≈ gpt-4-turbo class
  "gpt-3.5-turbo": rates(0.5, 0.5, 1.5, CO2_SMALL),
  // Image models: text input tokens; output is priced per image (image-pricing.ts) when known,
  // else at the image-output token rate. dall-e bills per image only.
  "gpt-image-1": rates(5, 1.25, 40, CO2_LARGE), // large class
  "gpt-image-1-mini": rates(2, 0.2, 8, CO2_SMALL), // small class
  "dall-e": rates(0, 0, 0, CO2_DEFAULT),
  // Embeddings bill input only; they produce no output tokens, so the CO₂ factor never applies.
  "text-embedding-3-small": rates(0.02, 0.02, 0, CO2_SMALL),
  "text-embedding-3-large": rates(0.13, 0.13, 0, CO2_SMALL),
  "text-embedding-ada-002": rates(0.1, 0.1, 0, CO2_SMALL),

  // ── Anthropic (cached = cache hits & refreshes) ──────────
  "claude-opus-4-5": rates(5, 0.5, 25, CO2_OPUS),
  // Later Opus 4.x releases keep the 4.5 price; listed so they do not fall back to `claude-opus-4`.
  "claude-opus-4-6": rates(5, 0.5, 25, CO2_OPUS),
  "claude-opus-4-7": rates(5, 0.5, 25, CO2_OPUS),
  "claude-opus-4-8": rates(5, 0.5, 25, CO2_OPUS),
  "claude-opus-4-1": rates(15, 1.5, 75, CO2_OPUS),
  "claude-opus-4": rates(15, 1.5, 75, CO2_OPUS), // claude-opus-4-0, claude-opus-4-20250514
  "claude-sonnet-4-5": rates(3, 0.3, 15, CO2_SONNET),
  "claude-sonnet-4": rates(3, 0.3, 15, CO2_SONNET), // claude-sonnet-4-0, claude-sonnet-4-20250514
  "claude-3-7-sonnet": rates(3, 0.3, 15, CO2_SONNET),
  "claude-3-5-sonnet": rates(3, 0.3, 15, CO2_SONNET),
  "claude-haiku-4-5": rates(1, 0.1, 5, CO2_HAIKU),
  "claude-3-5-haiku": rates(0.8, 0.08, 4, CO2_HAIKU),
  "claude-3-haiku": rates(0.25, 0.03, 1.25, CO2_HAIKU),
  "claude-3-opus": rates(15, 1.5, 75, CO2_OPUS),

  // ── Google Gemini (cached = context caching price) ───────
  "gemini-2.5-pro": rates(1.25, 0.125, 10, CO2_GEMINI_PRO),
  "gemini-2.5-flash": rates(0.3, 0.03, 2.5, CO2_GEMINI_FLASH),
  "gemini-2.5-flash-lite": rates(0.1, 0.01, 0.4, CO2_GEMINI_FLASH),
  "gemini-2.0-flash": rates(0.1, 0.025, 0.4, CO2_GEMINI_FLASH),
  "gemini-2.0-flash-lite": rates(0.075, 0.075, 0.3, CO2_GEMINI_FLASH), // no context caching
  "gemini-1.5-pro": rates(1.25, 0.3125, 5, CO2_GEMINI_PRO),
  "gemini-1.5-flash": rates(0.075, 0.01875, 0.3, CO2_GEMINI_FLASH),
  "gemini-1.5-flash-8b": rates(0.0375, 0.01, 0.15, CO2_GEMINI_FLASH),
});

/**
 * Rates for models no table entry matches: USD 1.00 input / 0.25 cached / 4.00 output per
 * 1M tokens, a mid price between the small models (≈0.1–0.4 / 0.4–1.6) and the frontier
 * ones (≈2.5–3 / 10–15), with the cached rate at a quarter of input (the middle of the
 * providers' 10–50 % cache discounts) so an unknown model's savings lean low rather than
 * high. CO₂: the design default, 0.000020 kg per 1k output tokens.
 */
export const DEFAULT_RATES: ModelRates = rates(1, 0.25, 4, CO2_DEFAULT);

/** kg CO₂ per unit of everyday activities, for human-scale equivalences. */
export const CO2_EQUIVALENCES = Object.freeze({
  /** kg CO₂ per web search */
  webSearch: 0.0002,
  /** kg CO₂ per email sent */
  email: 0.004,
  /** kg CO₂ per full smartphone charge */
  phoneCharge: 0.0022,
  /** kg CO₂ per hour of one LED bulb (≈10 W) */
  ledBulbHour: 0.002,
  /** kg CO₂ per kilometre driven in an average petrol car */
  carKm: 0.12,
} as const);

/** kg CO₂ per kWh of the global average electricity grid, the basis of the CO₂ factors. */
export const GRID_KG_CO2_PER_KWH = 0.45;

// Longest first, so the first prefix that matches is the longest one.
const SORTED_PREFIXES: readonly (readonly [string, ModelRates])[] = Object.entries(MODEL_RATES).sort(
  (a, b) => b[0].length - a[0].length,
);

const DEFAULT_RESOLVED: ResolvedRates = Object.freeze({ ...DEFAULT_RATES, matchedPrefix: null });

// Built-in lookups per raw model string. Bounded: model strings come from callers.
const MEMO_LIMIT = 1024;
const memo = new Map<string, ResolvedRates>();

/** Lowercase, trimmed, without the `models/` prefix the old Gemini SDK puts on model names. */
function normalizeModel(model: string): string {
  const m = model.trim().toLowerCase();
  return m.startsWith("models/") ? m.slice(7) : m;
}

function builtinRates(model: string): ResolvedRates {
  const hit = memo.get(model);
  if (hit) return hit;
  const normalized = normalizeModel(model);
  let resolved = DEFAULT_RESOLVED;
  for (const [prefix, r] of SORTED_PREFIXES) {
    if (normalized.startsWith(prefix)) {
      resolved = Object.freeze({ ...r, matchedPrefix: prefix });
      break;
    }
  }
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(model, resolved);
  return resolved;
}

const RATE_FIELDS = ["inputPerMTok", "cachedInputPerMTok", "outputPerMTok", "co2KgPer1kOutputTokens"] as const;

/**
 * Rates for a model: longest matching prefix (case-insensitive) in overrides merged over
 * MODEL_RATES, else DEFAULT_RATES. A partial override of a known prefix keeps the other
 * fields of the built-in entry; a partial override under a new prefix takes its missing
 * fields from the built-in entry the model would otherwise match (else DEFAULT_RATES).
 * A leading `models/` (old Gemini SDK) is ignored; an override keyed `""` replaces the
 * default for models nothing else matches.
 *
 * @example
 * ratesFor("gpt-4o-mini-2024-07-18").matchedPrefix; // "gpt-4o-mini"
 * ratesFor("my-finetune-v2", { "my-finetune": { inputPerMTok: 0.5, outputPerMTok: 2 } });
 */
export function ratesFor(model: string, overrides?: RateOverrides): ResolvedRates {
  const builtin = builtinRates(model);
  if (!overrides) return builtin;

  // Overrides are few and may be edited between calls, so they are scanned, not memoised.
  const normalized = normalizeModel(model);
  let bestKey: string | null = null;
  let bestLen = -1;
  for (const key of Object.keys(overrides)) {
    const prefix = key.toLowerCase();
    if (prefix.length > bestLen && normalized.startsWith(prefix)) {
      bestKey = key;
      bestLen = prefix.length;
    }
  }
  // A longer built-in prefix wins over a shorter override; the same prefix is merged.
  if (bestKey === null || bestLen < (builtin.matchedPrefix?.length ?? -1)) return builtin;

  const merged: ResolvedRates = { ...builtin, matchedPrefix: bestKey.toLowerCase() };
  const patch = overrides[bestKey];
  if (patch) {
    for (const field of RATE_FIELDS) {
      const value = patch[field];
      if (value !== undefined) merged[field] = value;
    }
  }
  return merged;
}

/** A token count as a finite, non-negative number (providers sometimes omit fields). */
function count(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/**
 * What serving `usage` from the cache saved: input priced at input rate except
 * cachedInputTokens at cached rate, plus output (per image when `usage.images` is set and the
 * model has per-image prices, else per output token); co2 grams = outputTokens ×
 * co2KgPer1kOutputTokens (kg per 1k tokens → g per token). tokensSaved = outputTokens.
 *
 * @example
 * savingsFor("gpt-4o", { inputTokens: 1000, cachedInputTokens: 400, outputTokens: 500 });
 * // { tokensSaved: 500, costSavedUsd: 0.0070, co2SavedG: 0.015 }
 */
export function savingsFor(
  model: string,
  usage: TokenUsage,
  overrides?: RateOverrides,
): { tokensSaved: number; costSavedUsd: number; co2SavedG: number } {
  const r = ratesFor(model, overrides);
  const input = count(usage.inputTokens);
  const cached = Math.min(count(usage.cachedInputTokens), input);
  const output = count(usage.outputTokens);
  const images = usage.images && imageCostUsd(model, usage.images);
  const outputCost = images ?? (output * r.outputPerMTok) / 1_000_000;
  const costSavedUsd = ((input - cached) * r.inputPerMTok + cached * r.cachedInputPerMTok) / 1_000_000 + outputCost;
  return { tokensSaved: output, costSavedUsd, co2SavedG: output * r.co2KgPer1kOutputTokens };
}

/**
 * Equivalences of a CO₂ mass in grams, in the units of CO2_EQUIVALENCES.
 *
 * @example
 * co2Equivalences(120).carKm; // 1
 */
export function co2Equivalences(grams: number): {
  webSearches: number;
  emails: number;
  phoneCharges: number;
  ledBulbHours: number;
  carKm: number;
} {
  const kg = count(grams) / 1000;
  return {
    webSearches: kg / CO2_EQUIVALENCES.webSearch,
    emails: kg / CO2_EQUIVALENCES.email,
    phoneCharges: kg / CO2_EQUIVALENCES.phoneCharge,
    ledBulbHours: kg / CO2_EQUIVALENCES.ledBulbHour,
    carKm: kg / CO2_EQUIVALENCES.carKm,
  };
}

/**
 * Cost in USD of an embedding call of `tokens` input tokens for model.
 *
 * @example
 * embeddingCostUsd("text-embedding-3-small", 1_000_000); // 0.02
 */
export function embeddingCostUsd(model: string, tokens: number, overrides?: RateOverrides): number {
  return (count(tokens) * ratesFor(model, overrides).inputPerMTok) / 1_000_000;
}
