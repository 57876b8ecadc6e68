import { describe, expect, test } from "bun:test";
import { EPOCH_LONG_INPUT, PREFILL, SCENARIOS } from "../../src/usage/energy-factors.ts";
import { ENERGY_PROFILES, type EnergyProfile } from "../../src/usage/energy-models.ts";
import { addRanges, energyTerms, energyTermsByScenario, gpusFor } from "../../src/usage/energy.ts";

const GPT_4O = ENERGY_PROFILES["gpt-4o"]!;
const OPENAI_PUE = { low: 1.2, high: 1.2 };

// EcoLogits 0.9.1 coefficients (ecologits/impacts/llm.py), written out.
const ALPHA = 1.1665273170451914e-6;
const BETA = -0.011205921025579175;
const GAMMA = 4.052928146734005e-5;
const LAT_ALPHA = 6.785088094353663e-4;
const LAT_BETA = 3.119310311688259e-4;
const LAT_GAMMA = 1.9473717579473387e-2;
// Epoch AI: GPT-4o (100B active, PUE 1.2) 0.3 Wh; 2.5 Wh with 10k input tokens; 40 Wh with 100k.
const B_EPOCH = ((40 - 0.3) / 100_000 - (2.5 - 0.3) / 10_000) / (100_000 - 10_000);
const A_EPOCH = (2.5 - 0.3) / 10_000 - B_EPOCH * 10_000;
const A = A_EPOCH / (100 * 1.2);
const B = B_EPOCH / (100 * 1.2);

describe("GPUs holding a model", () => {
  test("1.2 × parameters × bytes per weight over 80 GB, rounded up to a power of two", () => {
    expect(gpusFor(440, 16)).toBe(16); // 1,056 GB → 13.2 → 14 → 16
    expect(gpusFor(440, 8)).toBe(8); // 528 GB → 6.6 → 7 → 8
    expect(gpusFor(2000, 8)).toBe(32); // 2,400 GB → 30 → 32
    expect(gpusFor(18, 8)).toBe(1); // 21.6 GB
    expect(gpusFor(70, 16)).toBe(4); // 168 GB → 2.1 → 3 → 4
    expect(gpusFor(0, 16)).toBe(1);
  });
});

describe("the prefill term", () => {
  test("reproduces Epoch AI's long-input points it is derived from", () => {
    expect(PREFILL.linearWhPerTokenPerB).toBeCloseTo(A, 15);
    expect(PREFILL.quadraticWhPerToken2PerB).toBeCloseTo(B, 20);
    const epochWh = (tokens: number) => EPOCH_LONG_INPUT.shortQueryWh.value + 100 * 1.2 * (A * tokens + B * tokens * tokens);
    expect(epochWh(10_000)).toBeCloseTo(2.5, 9);
    expect(epochWh(100_000)).toBeCloseTo(40, 9);
  });
});

describe("energy of a call", () => {
  test("a short GPT-4o chat, central scenario, term by term", () => {
    const t = energyTerms(GPT_4O, { inputTokens: 100, cachedInputTokens: 0, outputTokens: 300 }, "central", OPENAI_PUE);
    // Central: midpoint of 44–132B active = 88B; 440B total at 8 bits → 8 GPUs; batch 128.
    expect([t.activeParamsB, t.totalParamsB, t.gpus, t.batchSize, t.weightBits]).toEqual([88, 440, 8, 128, 8]);
    const perTokenPerGpu = ALPHA * Math.exp(BETA * 128) * 88 + GAMMA;
    expect(t.decodeGpuWh).toBeCloseTo(300 * perTokenPerGpu * 8, 12);
    const seconds = 300 * (LAT_ALPHA * 88 + LAT_BETA * 128 + LAT_GAMMA);
    expect(t.generationSeconds).toBeCloseTo(seconds, 9);
    expect(t.decodeServerWh).toBeCloseTo((((seconds / 3600) * 1200 * 8) / 8) / 128, 12);
    expect(t.prefillWh).toBeCloseTo(88 * (A * 100 + B * 100 * 100), 12);
    expect(t.totalWh).toBeCloseTo(1.2 * (t.decodeGpuWh + t.decodeServerWh + t.prefillWh), 12);
  });

  test("reasoning tokens are generated tokens", () => {
    const plain = energyTerms(GPT_4O, { inputTokens: 0, cachedInputTokens: 0, outputTokens: 1_000 }, "central", OPENAI_PUE);
    const reasoning = energyTerms(GPT_4O, { inputTokens: 0, cachedInputTokens: 0, outputTokens: 1_000, reasoningTokens: 900 }, "central", OPENAI_PUE);
    expect(reasoning.totalWh).toBe(plain.totalWh);
    // An output count that left reasoning out still counts the reasoning generated.
    const omitted = energyTerms(GPT_4O, { inputTokens: 0, cachedInputTokens: 0, outputTokens: 100, reasoningTokens: 1_000 }, "central", OPENAI_PUE);
    expect(omitted.generatedTokens).toBe(1_000);
  });

  test("input read from the provider's prompt cache is not prefilled again", () => {
    const fresh = energyTerms(GPT_4O, { inputTokens: 20_000, cachedInputTokens: 0, outputTokens: 0 }, "central", OPENAI_PUE);
    const cached = energyTerms(GPT_4O, { inputTokens: 20_000, cachedInputTokens: 18_000, outputTokens: 0 }, "central", OPENAI_PUE);
    expect(fresh.prefillWh).toBeCloseTo(88 * (A * 20_000 + B * 20_000 ** 2), 12);
    expect(cached.prefillWh).toBeCloseTo(88 * (A * 2_000 + B * (20_000 ** 2 - 18_000 ** 2)), 12);
    expect(cached.prefillWh).toBeLessThan(fresh.prefillWh / 4);
  });

  test("an image is a measured energy per image; an embedding is input only", () => {
    const image = energyTerms(ENERGY_PROFILES["gpt-image-1"]!, { inputTokens: 50, cachedInputTokens: 0, outputTokens: 4160, images: { count: 2, size: "1024x1024", quality: "high" } }, "central", OPENAI_PUE);
    expect(image.totalWh).toBeCloseTo(1.2 * 2 * 2.907, 12); // Luccioni et al. 2024: 2.907 kWh per 1,000 images
    const embedding = energyTerms(ENERGY_PROFILES["text-embedding-3-small"]!, { inputTokens: 1_000, cachedInputTokens: 0, outputTokens: 0 }, "central", OPENAI_PUE);
    expect(embedding.decodeGpuWh + embedding.decodeServerWh).toBe(0);
    expect(embedding.prefillWh).toBeCloseTo(4.05 * (A * 1_000 + B * 1_000 ** 2), 12);
  });

  test("bad token counts count as zero", () => {
    const t = energyTerms(GPT_4O, { inputTokens: Number.NaN, cachedInputTokens: -4, outputTokens: Number.POSITIVE_INFINITY }, "high", OPENAI_PUE);
    expect(t.totalWh).toBe(0);
  });

  test("low ≤ central ≤ high for every profile", () => {
    const usage = { inputTokens: 5_000, cachedInputTokens: 1_000, outputTokens: 800 };
    for (const [key, profile] of Object.entries(ENERGY_PROFILES) as [string, EnergyProfile][]) {
      const terms = energyTermsByScenario(profile, usage, { low: 1.09, high: 1.14 });
      expect(terms.low.totalWh, key).toBeLessThanOrEqual(terms.central.totalWh);
      expect(terms.central.totalWh, key).toBeLessThanOrEqual(terms.high.totalWh);
      expect(terms.low.totalWh, key).toBeGreaterThan(0);
    }
  });

  test("ranges add scenario by scenario", () => {
    expect(addRanges({ low: 1, central: 2, high: 3 }, { low: 0.5, central: 1, high: 4 })).toEqual({ low: 1.5, central: 3, high: 7 });
    expect(addRanges()).toEqual({ low: 0, central: 0, high: 0 });
    expect(SCENARIOS).toEqual(["low", "central", "high"]);
  });
});
