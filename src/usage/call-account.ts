/**
 * What one call cost and saved under the current method: dollars at list price, energy and CO₂e
 * as low / central / high ranges. The rules that keep a saving from being overstated live here:
 * - a hit saves what the same call would have cost again, and that call would have found the
 *   prompt prefix the original wrote to the provider's prompt cache, so a hit's cache writes are
 *   priced (and prefilled) as cache reads, the lower bound;
 * - input the provider served from its prompt cache is priced at the cached rate;
 * - the embedding a semantic lookup needed is charged to the call, hit or miss: dollars saved are
 *   net of its cost, CO₂e saved net of its high estimate.
 * @module
 */

import type { Provider, TokenUsage } from "../types.ts";
import { energyTerms } from "./energy.ts";
import type { Range } from "./energy-factors.ts";
import { footprintFigures } from "./energy-footprint.ts";
import { DATA_CENTRES, gridIntensity, type FootprintConfig } from "./energy-grid.ts";
import { ENERGY_PROFILES } from "./energy-models.ts";
import { METHODOLOGY_VERSION } from "./methodology.ts";
import type { PriceOverrides } from "./pricing.ts";
import { tokenCount } from "./token-count.ts";

/** One call as the log knows it. */
export interface AccountedCall {
  model: string;
  provider?: Provider;
  cacheHit: boolean;
  usage: TokenUsage;
  /** ISO 8601, or ms since the epoch: the day picks scheduled prices. */
  timestamp?: string | number;
  /** The embedding the call needed (semantic caching). */
  embedding?: { tokens: number; costUsd: number };
}

/** Options of {@link accountFor}: the `pricing` option and the CO₂ options in force. */
export interface AccountOptions {
  overrides?: PriceOverrides;
  footprint?: FootprintConfig;
}

/** What a call cost and saved, as the log stores it. */
export interface CallAccount {
  methodologyVersion: number;
  /** Output tokens of the response a hit served; 0 on a miss. */
  tokensSaved: number;
  /** Paid to the provider for the call (0 on a hit), embedding excluded; `null` when the model has no price. */
  costUsd: number | null;
  /** What a hit would have cost, less the embedding the call needed; a miss saves minus its embedding. */
  costSavedUsd: number;
  /** Central CO₂e a hit avoided, less the embedding's high estimate; a miss saves minus that. */
  co2SavedG: number;
  embeddingCostUsd: number;
  /** High estimate of the embedding's CO₂e. */
  embeddingCo2eG: number;
  /** False when the model has no list price: its cost and savings are unknown, not zero. */
  priced: boolean;
  /** The response's energy: what a miss took, what a hit avoided. */
  energyWh: Range;
  /** The response's CO₂e (embodied included when switched on). */
  co2eG: Range;
  /** Grid intensity the CO₂e was computed with, g CO₂e/kWh. */
  gridGPerKwh: number;
}

/** A hit's usage as the call it avoided would have had it: prompt-cache writes become reads. */
function asAvoided(usage: TokenUsage): TokenUsage {
  const written = tokenCount(usage.cacheWriteInputTokens);
  if (written === 0) return usage;
  return { ...usage, cachedInputTokens: tokenCount(usage.cachedInputTokens) + written, cacheWriteInputTokens: 0 };
}

const EMBEDDING_PROFILE = ENERGY_PROFILES["text-embedding-3-small"]!;

/**
 * High estimate of the CO₂e of embedding `tokens` tokens in a provider's data centre (an on-device
 * embedder reports no tokens, and costs nothing here).
 *
 * @example
 * embeddingCo2eG(12, {}); // ≈ 0.0001 g
 */
export function embeddingCo2eG(tokens: number, config: FootprintConfig): number {
  const n = tokenCount(tokens);
  if (n === 0) return 0;
  const wh = energyTerms(EMBEDDING_PROFILE, { inputTokens: n, cachedInputTokens: 0, outputTokens: 0 }, "high", DATA_CENTRES.openai.pue).totalWh;
  return (wh * gridIntensity(config, "openai").gPerKwh) / 1000;
}

/**
 * Prices a call and computes its footprint under the current method: a miss costs what its
 * tokens cost, a hit costs nothing and saves what it would have cost. A model without a price is
 * flagged (`priced: false`), never given a default one.
 *
 * @example
 * accountFor({ model: "gpt-4o", cacheHit: true, usage: { inputTokens: 100, cachedInputTokens: 0, outputTokens: 50 } }).costSavedUsd;
 * // (100 × $2.50 + 50 × $10) / 1M = 0.00075
 */
export function accountFor(call: AccountedCall, options: AccountOptions = {}): CallAccount {
  const config = options.footprint ?? {};
  const usage = call.cacheHit ? asAvoided(call.usage) : call.usage;
  const timestamp = typeof call.timestamp === "number" && Number.isFinite(call.timestamp) ? new Date(call.timestamp).toISOString() : call.timestamp;
  const at = typeof timestamp === "string" && /^\d{4}-\d\d-\d\d/.test(timestamp) ? timestamp.slice(0, 10) : undefined;
  const f = footprintFigures({ model: call.model, ...(call.provider ? { provider: call.provider } : {}), usage }, { overrides: options.overrides, at, config });
  const embeddingCostUsd = finite(call.embedding?.costUsd);
  const embeddingG = embeddingCo2eG(call.embedding?.tokens ?? 0, config);
  const common = { methodologyVersion: METHODOLOGY_VERSION, embeddingCostUsd, embeddingCo2eG: embeddingG, priced: f.cost.priced, energyWh: f.energyWh, co2eG: f.co2eG.total, gridGPerKwh: f.grid.gPerKwh };
  if (!call.cacheHit) return { ...common, tokensSaved: 0, costUsd: f.cost.usd, costSavedUsd: -embeddingCostUsd, co2SavedG: -embeddingG };
  return {
    ...common,
    tokensSaved: tokenCount(call.usage.outputTokens),
    costUsd: 0,
    costSavedUsd: (f.cost.usd ?? 0) - embeddingCostUsd,
    co2SavedG: f.co2eG.total.central - embeddingG,
  };
}

function finite(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}
