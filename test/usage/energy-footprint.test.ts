/**
 * Five calls whose energy, CO₂e and cost are reproduced here by hand from the factors in the
 * tables: a short chat, a long-context call, a reasoning call, an image and a cached-input call.
 */
import { describe, expect, test } from "bun:test";
import { footprintOfCall, type FootprintCall } from "../../src/usage/energy-footprint.ts";
import { METHODOLOGY_VERSION } from "../../src/usage/methodology.ts";

const at = "2026-11-29";

// ── Factors, written out ───────────────────────────────────────────────────────────────────────
// EcoLogits 0.9.1 (ecologits/impacts/llm.py): f_E(P, B) = α·e^(βB)·P + γ Wh per token per GPU;
// f_L(P, B) = α_L·P + β_L·B + γ_L s per token; server 1.2 kW per 8 GPUs.
const fE = (p: number, b: number) => 1.1665273170451914e-6 * Math.exp(-0.011205921025579175 * b) * p + 4.052928146734005e-5;
const fL = (p: number, b: number) => 6.785088094353663e-4 * p + 3.119310311688259e-4 * b + 1.9473717579473387e-2;
// Epoch AI (GPT-4o, 100B active, PUE 1.2): 0.3 Wh typical, 2.5 Wh at 10k input tokens, 40 Wh at 100k.
const bEpoch = ((40 - 0.3) / 1e5 - (2.5 - 0.3) / 1e4) / (1e5 - 1e4);
const aEpoch = (2.5 - 0.3) / 1e4 - bEpoch * 1e4;
const A = aEpoch / 120; // Wh per input token per billion active parameters, before PUE
const B = bEpoch / 120; // Wh per input token² per billion active parameters, before PUE
// World grid 2024: 473.01 g CO₂e/kWh (Ember via Our World in Data).
const GRID = 473.01;

// GPT-4o class (EcoLogits: 440B total, 44–132B active) — also o1/o3 and Claude Sonnet 4.5.
// Central: P = 88B, 8-bit → 8 GPUs, batch 128. Low: P = 44, 8 GPUs, batch 256. High: P = 132, 16-bit → 16 GPUs, batch 64.
const decodePerToken = (p: number, gpus: number, batch: number) => fE(p, batch) * gpus + ((fL(p, batch) / 3600) * 1200 * (gpus / 8)) / batch;
const prefill = (p: number, input: number, cached = 0) => p * (A * (input - cached) + B * (input * input - cached * cached));
const central = (tokensOut: number, input: number, cached = 0) => tokensOut * decodePerToken(88, 8, 128) + prefill(88, input, cached);

function check(call: FootprintCall, expected: { centralWh: number; usd: number }) {
  const f = footprintOfCall(call, { at });
  expect(f.methodologyVersion).toBe(METHODOLOGY_VERSION);
  expect(f.energyWh.central).toBeCloseTo(expected.centralWh, 9);
  expect(f.co2eG.usage.central).toBeCloseTo((expected.centralWh * GRID) / 1000, 9);
  expect(f.co2eG.total).toEqual(f.co2eG.usage);
  expect(f.co2eG.embodied).toBeNull();
  expect(f.cost.priced).toBe(true);
  expect(f.cost.usd!).toBeCloseTo(expected.usd, 12);
  expect(f.energyWh.low).toBeLessThan(f.energyWh.central);
  expect(f.energyWh.high).toBeGreaterThan(f.energyWh.central);
  return f;
}

describe("five calls, reproduced by hand", () => {
  test("a short chat: gpt-4o, 100 input and 300 output tokens", () => {
    const f = check({ model: "gpt-4o", usage: { inputTokens: 100, cachedInputTokens: 0, outputTokens: 300 } }, {
      centralWh: 1.2 * central(300, 100), // OpenAI (Azure) PUE 1.2
      usd: (100 * 2.5 + 300 * 10) / 1e6, // $2.50 input, $10 output per 1M
    });
    // The range's ends, by hand.
    expect(f.energyWh.low).toBeCloseTo(1.2 * (300 * decodePerToken(44, 8, 256) + prefill(44, 100)), 9);
    expect(f.energyWh.high).toBeCloseTo(1.2 * (300 * decodePerToken(132, 16, 64) + prefill(132, 100)), 9);
  });

  test("a long-context call: gpt-4o, 100,000 input and 500 output tokens", () => {
    check({ model: "gpt-4o-2024-08-06", usage: { inputTokens: 100_000, cachedInputTokens: 0, outputTokens: 500 } }, {
      centralWh: 1.2 * central(500, 100_000),
      usd: (100_000 * 2.5 + 500 * 10) / 1e6,
    });
  });

  test("a reasoning call: o3, 10,000 input and 25,000 output tokens of which 23,500 reasoning", () => {
    // o3 takes o1's size (EcoLogits gives o1 GPT-4o's); reasoning tokens are generated tokens.
    check({ model: "o3-2025-04-16", usage: { inputTokens: 10_000, cachedInputTokens: 0, outputTokens: 25_000, reasoningTokens: 23_500 } }, {
      centralWh: 1.2 * central(25_000, 10_000),
      usd: (10_000 * 2 + 1_500 * 8 + 23_500 * 8) / 1e6, // $2 input, $8 output and reasoning per 1M
    });
  });

  test("an image: gpt-image-1, one high-quality 1024×1024 image", () => {
    const f = check({ model: "gpt-image-1", usage: { inputTokens: 50, cachedInputTokens: 0, outputTokens: 4160, images: { count: 1, size: "1024x1024", quality: "high" } } }, {
      centralWh: 1.2 * 2.907, // Luccioni et al. 2024: 2.907 kWh per 1,000 images
      usd: (50 * 5) / 1e6 + 0.167, // $5 per 1M text input tokens; $0.167 per high 1024×1024 image
    });
    expect(f.energyWh.low).toBeCloseTo((1.2 * 2282) / 3600, 9); // MIT Technology Review 2025: 2,282 J
    expect(f.energyWh.high).toBeCloseTo(1.2 * 11.49, 9); // Luccioni et al.: SDXL, 11.49 kWh per 1,000 images
  });

  test("a cached-input call: claude-sonnet-4-5, 20,000 input (18,000 cache reads, 1,000 cache writes), 400 output", () => {
    check(
      { model: "claude-sonnet-4-5-20250929", provider: "anthropic", usage: { inputTokens: 20_000, cachedInputTokens: 18_000, cacheWriteInputTokens: 1_000, outputTokens: 400 } },
      {
        centralWh: ((1.09 + 1.14) / 2) * central(400, 20_000, 18_000), // Anthropic PUE 1.09–1.14 (AWS, Google)
        usd: (1_000 * 3 + 18_000 * 0.3 + 1_000 * 3.75 + 400 * 15) / 1e6, // input $3, reads $0.30, writes $3.75, output $15
      },
    );
  });
});

describe("the footprint's options", () => {
  const call: FootprintCall = { model: "gpt-4o", usage: { inputTokens: 100, cachedInputTokens: 0, outputTokens: 300 } };

  test("a grid override changes CO₂e, not energy", () => {
    const world = footprintOfCall(call, { at });
    const france = footprintOfCall(call, { at, config: { gridRegion: "FRA" } });
    const own = footprintOfCall(call, { at, config: { gridIntensityGPerKwh: 10 } });
    expect(france.energyWh).toEqual(world.energyWh);
    expect(france.co2eG.usage.central).toBeCloseTo((world.energyWh.central * 44.18) / 1000, 12);
    expect(own.co2eG.usage.high).toBeCloseTo((world.energyWh.high * 10) / 1000, 12);
    expect(own.grid).toMatchObject({ gPerKwh: 10, basis: "user" });
  });

  test("embodied emissions are off by default and labelled apart when on", () => {
    const f = footprintOfCall(call, { at, config: { embodiedEmissions: true } });
    expect(f.co2eG.embodied).not.toBeNull();
    // EcoLogits: generation time / (batch × 3 years) × (GPUs/8 × 5,700 kg + GPUs × 164 kg).
    const seconds = 300 * fL(88, 128);
    const embodiedG = (seconds * 1000 * ((8 / 8) * 5700 + 8 * 164)) / (128 * 3 * 365 * 24 * 3600);
    expect(f.co2eG.embodied!.central).toBeCloseTo(embodiedG, 12);
    expect(f.co2eG.total.central).toBeCloseTo(f.co2eG.usage.central + embodiedG, 12);
  });

  test("an unknown model gets the wide unknown-model range and no price", () => {
    const f = footprintOfCall({ model: "acme-llm", provider: "openai", usage: call.usage }, { at });
    expect(f.profileKey).toBeNull();
    expect(f.cost).toMatchObject({ priced: false, usd: null });
    expect(f.energyWh.high / f.energyWh.low).toBeGreaterThan(10);
    expect(f.assumptions.join("\n")).toContain("cost unknown");
  });

  test("a price override reaches the cost", () => {
    const f = footprintOfCall({ model: "acme-llm", provider: "openai", usage: call.usage }, { at, overrides: { acme: { inputPerMTok: 1, outputPerMTok: 2 } } });
    expect(f.cost.usd).toBeCloseTo((100 * 1 + 300 * 2) / 1e6, 12);
  });

  test("equivalences come from the central estimate and say so", () => {
    const f = footprintOfCall(call, { at });
    expect(f.equivalences.basis).toBe("central estimate");
    expect(f.equivalences.webSearches).toBeCloseTo(f.co2eG.total.central / 0.2, 12); // Google 2009: 0.2 g per search
    expect(f.equivalences.ledBulbHours).toBeCloseTo(f.energyWh.central / 10, 12);
  });

  test("the provider comes from the model family unless given", () => {
    expect(footprintOfCall({ model: "gemini-2.5-flash", usage: call.usage }, { at }).provider).toBe("gemini");
    expect(footprintOfCall({ model: "claude-haiku-4-5", usage: call.usage }, { at }).provider).toBe("anthropic");
  });
});
