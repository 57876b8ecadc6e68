/**
 * The energy of one call, in Wh, under each scenario (low / central / high):
 *
 *   E = PUE × (E_decode,GPU + E_decode,server + E_prefill + E_images)
 *
 * - Decode (EcoLogits): every generated token, reasoning included, costs f_E(P, B) Wh on each of
 *   the N GPUs holding the model; the server around them draws 1.2 kW for the generation time
 *   (f_L(P, B) s per token), shared by the B requests of the batch and the N of 8 GPUs in use.
 * - Prefill (Epoch AI): input tokens not read from the prompt cache cost
 *   P × (a·T_new + b·(T_in² − T_cached²)) Wh — linear in tokens, plus attention over the context.
 * - Images: a measured energy per generated image.
 *
 * P is active parameters (billions); N = 2^⌈log₂⌈1.2 · P_total · bits/8 / 80 GB⌉⌉.
 * @module
 */

import { BATCH_SIZE, EMBODIED, GPU_ENERGY, IMAGE_ENERGY_WH, LATENCY, PREFILL, SERVER, WEIGHT_BITS, type Range, type Scenario } from "./energy-factors.ts";
import type { EnergyProfile } from "./energy-models.ts";
import type { CallUsage } from "./pricing.ts";
import { tokenCount } from "./token-count.ts";

/** The energy of one call under one scenario, term by term (Wh, before PUE unless named). */
export interface EnergyTerms {
  scenario: Scenario;
  activeParamsB: number;
  totalParamsB: number;
  batchSize: number;
  weightBits: number;
  gpus: number;
  generatedTokens: number;
  /** Generation time on the server, seconds. */
  generationSeconds: number;
  decodeGpuWh: number;
  decodeServerWh: number;
  prefillWh: number;
  imagesWh: number;
  pue: number;
  /** All terms × PUE. */
  totalWh: number;
  /** Embodied emissions allocated to the call's generation time, g CO₂e. */
  embodiedG: number;
}

const SECONDS_PER_YEAR = 365 * 24 * 3600;

/** Where a scenario sits in a low–high span: low, midpoint, high. */
export function pick(span: { low: number; high: number }, scenario: Scenario): number {
  return scenario === "central" ? (span.low + span.high) / 2 : span[scenario];
}

/**
 * GPUs needed to hold `totalParamsB` billion weights at `bits` per weight, rounded up to a power
 * of two (1, 2, 4, 8, 16 …).
 *
 * @example
 * gpusFor(440, 16); // 16  (1.2 × 440 × 2 bytes = 1,056 GB → 14 H100s → 16)
 */
export function gpusFor(totalParamsB: number, bits: number): number {
  const needed = Math.ceil((SERVER.memoryOverhead.value * totalParamsB * bits) / 8 / SERVER.gpuMemoryGb.value);
  return needed <= 1 ? 1 : 2 ** Math.ceil(Math.log2(needed));
}

/** Images a call produced: the usage's count, else one per image call that produced output. */
function imageCount(usage: CallUsage): number {
  if (usage.images) return tokenCount(usage.images.count);
  return tokenCount(usage.outputTokens) > 0 ? 1 : 0;
}

/**
 * The energy of a call under one scenario.
 *
 * @example
 * energyTerms(ENERGY_PROFILES["gpt-4o"]!, { inputTokens: 100, cachedInputTokens: 0, outputTokens: 300 }, "central", { low: 1.2, high: 1.2 }).totalWh; // ≈ 0.32
 */
export function energyTerms(profile: EnergyProfile, usage: CallUsage, scenario: Scenario, pueSpan: { low: number; high: number }): EnergyTerms {
  const active = pick(profile.size.activeB, scenario);
  const total = pick(profile.size.totalB, scenario);
  const batch = BATCH_SIZE[scenario].value;
  const bits = WEIGHT_BITS[scenario].value;
  const pue = pick(pueSpan, scenario);
  const input = tokenCount(usage.inputTokens);
  const cached = Math.min(tokenCount(usage.cachedInputTokens), input);
  // Reasoning tokens are generated tokens; outputTokens already counts them.
  const generated = profile.kind === "text" ? Math.max(tokenCount(usage.outputTokens), tokenCount(usage.reasoningTokens)) : 0;
  const gpus = profile.kind === "image" ? 0 : gpusFor(total, bits);

  const perTokenPerGpu = GPU_ENERGY.alpha.value * Math.exp(GPU_ENERGY.beta.value * batch) * active + GPU_ENERGY.gamma.value;
  const decodeGpuWh = generated * perTokenPerGpu * gpus;
  const generationSeconds = generated * (LATENCY.alpha.value * active + LATENCY.beta.value * batch + LATENCY.gamma.value);
  const gpuShare = gpus / SERVER.gpus.value;
  const decodeServerWh = ((generationSeconds / 3600) * SERVER.powerW.value * gpuShare) / batch;
  const prefillWh =
    profile.kind === "image" ? 0 : active * (PREFILL.linearWhPerTokenPerB * (input - cached) + PREFILL.quadraticWhPerToken2PerB * (input * input - cached * cached));
  const imagesWh = profile.kind === "image" ? imageCount(usage) * IMAGE_ENERGY_WH[scenario].value : 0;
  const totalWh = pue * (decodeGpuWh + decodeServerWh + prefillWh + imagesWh);

  const hardwareG = 1000 * (gpuShare * EMBODIED.serverKgCo2e.value + gpus * EMBODIED.gpuKgCo2e.value);
  const embodiedG = (generationSeconds * hardwareG) / (batch * EMBODIED.lifetimeYears.value * SECONDS_PER_YEAR);

  return { scenario, activeParamsB: active, totalParamsB: total, batchSize: batch, weightBits: bits, gpus, generatedTokens: generated, generationSeconds, decodeGpuWh, decodeServerWh, prefillWh, imagesWh, pue, totalWh, embodiedG };
}

/** The call's energy under every scenario. */
export function energyTermsByScenario(profile: EnergyProfile, usage: CallUsage, pueSpan: { low: number; high: number }): Record<Scenario, EnergyTerms> {
  return { low: energyTerms(profile, usage, "low", pueSpan), central: energyTerms(profile, usage, "central", pueSpan), high: energyTerms(profile, usage, "high", pueSpan) };
}

/** A range from a value per scenario. */
export function rangeOf(f: (scenario: Scenario) => number): Range {
  return { low: f("low"), central: f("central"), high: f("high") };
}

/**
 * The sum of ranges, scenario by scenario (the usage log's totals).
 *
 * @example
 * addRanges({ low: 1, central: 2, high: 3 }, { low: 1, central: 1, high: 1 }); // { low: 2, central: 3, high: 4 }
 */
export function addRanges(...ranges: Range[]): Range {
  return rangeOf((s) => ranges.reduce((sum, r) => sum + r[s], 0));
}
