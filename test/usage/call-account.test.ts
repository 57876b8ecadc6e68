/**
 * What a call cost and saved, by hand from the price table's rows: savings are never overstated.
 */
import { describe, expect, test } from "bun:test";
import { accountFor, embeddingCo2eG } from "../../src/usage/call-account.ts";
import { footprintFigures } from "../../src/usage/energy-footprint.ts";

const timestamp = "2026-11-29T12:00:00.000Z";

describe("a call's account", () => {
  // claude-sonnet-4-5 (Anthropic pricing page, 2026-11-29): input $3, cache read $0.30, 5-minute cache write $3.75, output $15 per 1M.
  const usage = { inputTokens: 20_000, cachedInputTokens: 18_000, cacheWriteInputTokens: 1_000, outputTokens: 400 };

  test("a miss pays fresh input, cache reads at the cached rate, cache writes at the write rate, and output", () => {
    const a = accountFor({ model: "claude-sonnet-4-5", cacheHit: false, usage, timestamp });
    expect(a.costUsd!).toBeCloseTo((1_000 * 3 + 18_000 * 0.3 + 1_000 * 3.75 + 400 * 15) / 1e6, 12);
    expect(a).toMatchObject({ tokensSaved: 0, costSavedUsd: -0, co2SavedG: -0, priced: true });
  });

  test("a hit saves the call it avoided, whose cache writes would have been cache reads: priced at the cached rate, not prefilled", () => {
    const a = accountFor({ model: "claude-sonnet-4-5", cacheHit: true, usage, timestamp });
    expect(a.costSavedUsd).toBeCloseTo((1_000 * 3 + 19_000 * 0.3 + 400 * 15) / 1e6, 12);
    expect(a.costUsd).toBe(0);
    expect(a.tokensSaved).toBe(400);
    const avoided = footprintFigures({ model: "claude-sonnet-4-5", usage: { inputTokens: 20_000, cachedInputTokens: 19_000, outputTokens: 400 } });
    expect(a.co2SavedG).toBeCloseTo(avoided.co2eG.total.central, 12);
    expect(a.energyWh.central).toBeLessThan(accountFor({ model: "claude-sonnet-4-5", cacheHit: false, usage, timestamp }).energyWh.central);
  });

  test("reasoning tokens are priced at the reasoning rate and counted as generated tokens", () => {
    // o3 (OpenAI, 2026-03-21): $2 input, $8 output; reasoning billed as output.
    const a = accountFor({ model: "o3", cacheHit: true, usage: { inputTokens: 10_000, cachedInputTokens: 0, outputTokens: 25_000, reasoningTokens: 23_500 }, timestamp });
    expect(a.costSavedUsd).toBeCloseTo((10_000 * 2 + 25_000 * 8) / 1e6, 12);
    const override = accountFor({ model: "o3", cacheHit: true, usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 1_000, reasoningTokens: 800 }, timestamp }, { overrides: { o3: { reasoningPerMTok: 1 } } });
    expect(override.costSavedUsd).toBeCloseTo((200 * 8 + 800 * 1) / 1e6, 12);
  });

  test("dollars and CO₂e saved are net of the embedding the lookup needed (its high estimate)", () => {
    const call = { model: "gpt-4o", cacheHit: true, usage: { inputTokens: 100, cachedInputTokens: 0, outputTokens: 300 }, timestamp };
    const plain = accountFor(call);
    const semantic = accountFor({ ...call, embedding: { tokens: 12, costUsd: 12 * 0.02 / 1e6 } });
    expect(semantic.costSavedUsd).toBeCloseTo(plain.costSavedUsd - (12 * 0.02) / 1e6, 15);
    expect(semantic.embeddingCo2eG).toBeGreaterThan(0);
    expect(semantic.co2SavedG).toBeCloseTo(plain.co2SavedG - semantic.embeddingCo2eG, 15);
    expect(semantic.embeddingCo2eG).toBe(embeddingCo2eG(12, {}));
    // A miss that needed an embedding saved less than nothing.
    expect(accountFor({ ...call, cacheHit: false, embedding: { tokens: 12, costUsd: 0.00001 } }).costSavedUsd).toBe(-0.00001);
    // An on-device embedder reports no tokens and no CO₂e.
    expect(embeddingCo2eG(0, {})).toBe(0);
  });

  test("an unpriced model is flagged with its energy still computed, never a default price", () => {
    const a = accountFor({ model: "acme-llm-9", cacheHit: true, usage: { inputTokens: 100, cachedInputTokens: 0, outputTokens: 300 }, timestamp });
    expect(a).toMatchObject({ priced: false, costSavedUsd: 0, costUsd: 0 });
    expect(a.energyWh.high).toBeGreaterThan(a.energyWh.low * 10);
    expect(accountFor({ model: "acme-llm-9", cacheHit: false, usage: { inputTokens: 100, cachedInputTokens: 0, outputTokens: 300 }, timestamp }).costUsd).toBeNull();
  });
});
