/**
 * Methodology 1, the first savings method, kept so rows it wrote can be explained and so callers
 * that still use it keep working: `costSavedUsd` from list prices (input, cached input, output),
 * `co2SavedG` = output tokens × a per-model-class factor (kg CO₂ per 1k output tokens at a global
 * grid of 0.45 kg CO₂/kWh). Unknown models take {@link DEFAULT_RATES}. The current method, with
 * energy ranges and no silent default price, is `footprintOfCall` (energy-footprint.ts) and
 * `costOfCall` (pricing.ts).
 * @module
 */

import type { TokenUsage } from "../types.ts";
import { imageCostUsd } from "./image-pricing.ts";
import { longestPrefix, normalizeModel } from "./model-match.ts";
import { PRICE_TABLE, PRICES_AS_OF, rowOn, type PriceRow } from "./price-table.ts";
import { tokenCount } from "./token-count.ts";

/** What one model costs, and what its output weighs in CO₂ under methodology 1. */
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

// Methodology-1 CO₂ classes (kg per 1k output tokens), the design document's public figures.
const CO2_LARGE = 0.00003; // gpt-4o, gpt-4-turbo
const CO2_SMALL = 0.000006; // gpt-4o-mini, gpt-3.5-turbo
const CO2_OPUS = 0.000035;
const CO2_SONNET = 0.00002;
const CO2_HAIKU = 0.000008;
const CO2_GEMINI_PRO = 0.000025;
const CO2_GEMINI_FLASH = 0.00001;
const CO2_DEFAULT = 0.00002;

/** The methodology-1 class of a table key; families the design did not list take the closest class. */
function v1Co2Factor(key: string): number {
  if (key.startsWith("claude-")) {
    if (key.includes("haiku")) return CO2_HAIKU;
    if (key.includes("sonnet")) return CO2_SONNET;
    return CO2_OPUS; // opus, and the fable/mythos tier above it
  }
  if (key.startsWith("gemini-") || key.startsWith("gemma-") || key.startsWith("nano-banana")) {
    return key.includes("pro") ? CO2_GEMINI_PRO : key.includes("flash") ? CO2_GEMINI_FLASH : CO2_DEFAULT;
  }
  if (key.startsWith("dall-e")) return CO2_DEFAULT;
  return /mini|nano|luna|3\.5-turbo|embedding/.test(key) ? CO2_SMALL : CO2_LARGE;
}

function v1Rates(key: string, row: PriceRow): ModelRates {
  return Object.freeze({
    inputPerMTok: row.input,
    cachedInputPerMTok: row.cachedInput,
    outputPerMTok: row.output,
    co2KgPer1kOutputTokens: v1Co2Factor(key),
  });
}

/**
 * Methodology-1 rates keyed by lowercase model-name prefix, from the price table as of
 * `PRICES_AS_OF`; a model id takes the entry of its longest matching prefix.
 */
export const MODEL_RATES: Readonly<Record<string, ModelRates>> = Object.freeze(
  Object.fromEntries(Object.entries(PRICE_TABLE).map(([key, entry]) => [key, v1Rates(key, rowOn(entry, PRICES_AS_OF))])),
);

/**
 * Methodology-1 rates for models no table entry matches: USD 1.00 input / 0.25 cached / 4.00
 * output per 1M tokens and 0.000020 kg CO₂ per 1k output tokens. The current method reports such
 * a model as unpriced instead (`priceFor`).
 */
export const DEFAULT_RATES: ModelRates = Object.freeze({ inputPerMTok: 1, cachedInputPerMTok: 0.25, outputPerMTok: 4, co2KgPer1kOutputTokens: CO2_DEFAULT });

/** Methodology 1: kg CO₂ per unit of everyday activities. */
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

/** Methodology 1: kg CO₂ per kWh of the global grid behind its CO₂ factors. */
export const GRID_KG_CO2_PER_KWH = 0.45;

// Longest first, so the first prefix that matches is the longest one.
const SORTED_PREFIXES: readonly (readonly [string, ModelRates])[] = Object.entries(MODEL_RATES).sort((a, b) => b[0].length - a[0].length);
const DEFAULT_RESOLVED: ResolvedRates = Object.freeze({ ...DEFAULT_RATES, matchedPrefix: null });

// Built-in lookups per raw model string. Bounded: model strings come from callers.
const MEMO_LIMIT = 1024;
const memo = new Map<string, ResolvedRates>();

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
 * Methodology-1 rates for a model: longest matching prefix (case-insensitive) in overrides merged
 * over MODEL_RATES, else DEFAULT_RATES. A partial override of a known prefix keeps the other
 * fields of the built-in entry; a partial override under a new prefix takes its missing fields
 * from the built-in entry the model would otherwise match (else DEFAULT_RATES). A leading
 * `models/` is ignored; an override keyed `""` replaces the default for unmatched models.
 *
 * @example
 * ratesFor("gpt-4o-mini-2024-07-18").matchedPrefix; // "gpt-4o-mini"
 * ratesFor("my-finetune-v2", { "my-finetune": { inputPerMTok: 0.5, outputPerMTok: 2 } });
 */
export function ratesFor(model: string, overrides?: RateOverrides): ResolvedRates {
  const builtin = builtinRates(model);
  if (!overrides) return builtin;
  const bestKey = longestPrefix(Object.keys(overrides), model);
  // A longer built-in prefix wins over a shorter override; the same prefix is merged.
  if (bestKey === undefined || bestKey.length < (builtin.matchedPrefix?.length ?? -1)) return builtin;
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

/**
 * Methodology 1: what serving `usage` from the cache saved. Input at the input rate except
 * cachedInputTokens at the cached rate, plus output (per image when `usage.images` is set and the
 * model has per-image prices, else per output token); CO₂ grams = outputTokens ×
 * co2KgPer1kOutputTokens (kg per 1k tokens → g per token). tokensSaved = outputTokens.
 *
 * @example
 * savingsFor("gpt-4o", { inputTokens: 1000, cachedInputTokens: 400, outputTokens: 500 });
 * // { tokensSaved: 500, costSavedUsd: 0.0070, co2SavedG: 0.015 }
 */
export function savingsFor(model: string, usage: TokenUsage, overrides?: RateOverrides): { tokensSaved: number; costSavedUsd: number; co2SavedG: number } {
  const r = ratesFor(model, overrides);
  const input = tokenCount(usage.inputTokens);
  const cached = Math.min(tokenCount(usage.cachedInputTokens), input);
  const output = tokenCount(usage.outputTokens);
  const images = usage.images && imageCostUsd(model, usage.images);
  const outputCost = images ?? (output * r.outputPerMTok) / 1_000_000;
  const costSavedUsd = ((input - cached) * r.inputPerMTok + cached * r.cachedInputPerMTok) / 1_000_000 + outputCost;
  return { tokensSaved: output, costSavedUsd, co2SavedG: output * r.co2KgPer1kOutputTokens };
}

/**
 * Methodology 1: equivalences of a CO₂ mass in grams, in the units of CO2_EQUIVALENCES.
 *
 * @example
 * co2Equivalences(120).carKm; // 1
 */
export function co2Equivalences(grams: number): { webSearches: number; emails: number; phoneCharges: number; ledBulbHours: number; carKm: number } {
  const kg = tokenCount(grams) / 1000;
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
  return (tokenCount(tokens) * ratesFor(model, overrides).inputPerMTok) / 1_000_000;
}
