/**
 * The footprint of one call under the current method: energy (Wh), CO₂e (g) and cost (USD), each
 * energy and CO₂e figure a low / central / high range, with the grid, the model size and every
 * assumption that produced it. This is what the usage log stores per call and the dashboard sums.
 * @module
 */

import type { Provider } from "../types.ts";
import type { Range } from "./energy-factors.ts";
import { energyTermsByScenario, rangeOf, type EnergyTerms } from "./energy.ts";
import { equivalencesOf, type Equivalences } from "./energy-equivalences.ts";
import { DATA_CENTRES, gridIntensity, type FootprintConfig, type GridIntensity } from "./energy-grid.ts";
import { energyProfileFor, UNKNOWN_MODEL, type EnergyProfile } from "./energy-models.ts";
import { METHODOLOGY_VERSION } from "./methodology.ts";
import { costOfCall, type CallUsage, type PriceOptions, type PricedCost, type UnpricedCost } from "./pricing.ts";

/** One call, as the usage log knows it. */
export interface FootprintCall {
  model: string;
  /** The provider that served it; inferred from the model family when left out. */
  provider?: Provider;
  usage: CallUsage;
}

/** Options of {@link footprintOfCall}. */
export interface FootprintOptions extends PriceOptions {
  /** The resolved CO₂ options. */
  config?: FootprintConfig;
}

/** Energy, CO₂e and cost of one call. */
export interface CallFootprint {
  methodologyVersion: number;
  model: string;
  provider: Provider;
  /** Energy-profile key the model matched, `null` when no family did (the unknown-model range applies). */
  profileKey: string | null;
  kind: EnergyProfile["kind"];
  energyWh: Range;
  co2eG: {
    /** Electricity: energy × grid intensity. */
    usage: Range;
    /** Hardware manufacturing, when `embodiedEmissions` is on; else `null`. */
    embodied: Range | null;
    total: Range;
  };
  grid: GridIntensity;
  cost: PricedCost | UnpricedCost;
  /** Everyday equivalences of the central estimate. */
  equivalences: Equivalences;
  /** Each assumption behind these figures, in words. */
  assumptions: string[];
  /** The terms of the energy sum under each scenario. */
  terms: Record<keyof Range, EnergyTerms>;
}

function unknownProfile(provider: Provider): EnergyProfile {
  return { kind: "text", provider, size: UNKNOWN_MODEL, assumption: "no model family matched: the unknown-model range applies" };
}

/**
 * The footprint of a call: what it took to serve (a miss) or what serving it from the cache
 * avoided (a hit).
 *
 * @example
 * const f = footprintOfCall({ model: "gpt-4o", usage: { inputTokens: 100, cachedInputTokens: 0, outputTokens: 300 } });
 * f.energyWh;   // { low: ≈0.19, central: ≈0.32, high: ≈1.16 }
 * f.co2eG;      // usage = energy × 473 g/kWh (world average), embodied: null
 * f.cost.usd;   // 0.00325
 */
export function footprintOfCall(call: FootprintCall, options: FootprintOptions = {}): CallFootprint {
  const figures = footprintFigures(call, options);
  const { profile, provider, grid, cost, energyWh, co2eG } = figures;
  return {
    methodologyVersion: METHODOLOGY_VERSION,
    model: call.model,
    provider,
    profileKey: figures.profileKey,
    kind: profile.kind,
    energyWh,
    co2eG,
    grid,
    cost,
    equivalences: equivalencesOf({ co2eG: co2eG.total, energyWh }),
    assumptions: assumptionsOf(profile, provider, grid, cost),
    terms: figures.terms,
  };
}

/** The figures of {@link footprintOfCall} without its words: what the usage log computes per row. */
export interface FootprintFigures {
  provider: Provider;
  profileKey: string | null;
  profile: EnergyProfile;
  energyWh: Range;
  co2eG: CallFootprint["co2eG"];
  grid: GridIntensity;
  cost: PricedCost | UnpricedCost;
  terms: Record<keyof Range, EnergyTerms>;
}

/**
 * Energy, CO₂e and cost of a call, as numbers only (no assumptions in words, no equivalences):
 * the part of {@link footprintOfCall} the usage log pays for on every row.
 *
 * @example
 * footprintFigures({ model: "gpt-4o", usage: { inputTokens: 100, cachedInputTokens: 0, outputTokens: 300 } }).co2eG.total.central; // ≈ 0.15
 */
export function footprintFigures(call: FootprintCall, options: FootprintOptions = {}): FootprintFigures {
  const match = energyProfileFor(call.model);
  const provider = call.provider ?? match?.profile.provider ?? "openai";
  const profile = match?.profile ?? unknownProfile(provider);
  const config = options.config ?? {};
  const terms = energyTermsByScenario(profile, call.usage, DATA_CENTRES[provider].pue);
  const grid = gridIntensity(config, provider);
  const energyWh = rangeOf((s) => terms[s].totalWh);
  const usage = rangeOf((s) => (energyWh[s] * grid.gPerKwh) / 1000);
  const embodied = config.embodiedEmissions ? rangeOf((s) => terms[s].embodiedG) : null;
  const total = embodied ? rangeOf((s) => usage[s] + embodied[s]) : usage;
  const cost = costOfCall(call.model, call.usage, options);
  return { provider, profileKey: match?.key ?? null, profile, energyWh, co2eG: { usage, embodied, total }, grid, cost, terms };
}

function assumptionsOf(profile: EnergyProfile, provider: Provider, grid: GridIntensity, cost: PricedCost | UnpricedCost): string[] {
  const size = profile.size;
  const out: string[] = [];
  if (profile.kind === "image") out.push("energy per generated image from published measurements of open image models");
  else out.push(`${size.activeB.low}–${size.activeB.high}B active of ${size.totalB.low}–${size.totalB.high}B parameters (${size.published ? "published" : "estimated"}: ${size.basis})`);
  if (profile.assumption) out.push(profile.assumption);
  const pue = DATA_CENTRES[provider].pue;
  out.push(`PUE ${pue.low === pue.high ? pue.low : `${pue.low}–${pue.high}`} (${DATA_CENTRES[provider].cloud})`);
  out.push(`grid ${grid.gPerKwh} g CO₂e/kWh (${grid.basis}${grid.region ? `, ${grid.region}` : ""})`);
  if (!cost.priced) out.push(`cost unknown: ${cost.price.reason}`);
  return out;
}

