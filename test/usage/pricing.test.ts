import { describe, expect, test } from "bun:test";
import { costOfCall, priceFor, ratesFor } from "../../src/usage/pricing.ts";

describe("priceFor: a price or a reason, never a silent default", () => {
  const at = "2026-11-29";

  test("a known family is priced with its source and date", () => {
    const price = priceFor("gpt-4o-2024-08-06", { at });
    expect(price).toMatchObject({ priced: true, key: "gpt-4o", rates: { input: 2.5, cachedInput: 1.25, cacheWrite: 2.5, output: 10, reasoning: 10 } });
    if (!price.priced) throw new Error("unreachable");
    expect(price.source).toMatch(/^https:\/\/developers\.openai\.com\//);
    expect(price.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  test("an unknown model is unpriced, not given the default price", () => {
    const price = priceFor("llama-3.1-70b", { at });
    expect(price).toMatchObject({ priced: false, key: null });
    if (price.priced) throw new Error("unreachable");
    expect(price.reason).toContain("not in the price table");
    expect(price.reason).toContain("pricing");
  });

  test("a listed unpriced model says why", () => {
    expect(priceFor("gpt-4o-mini-tts-2025-12-15", { at })).toMatchObject({ priced: false, key: "gpt-4o-mini-tts", reason: expect.stringContaining("does not cache") });
    expect(priceFor("gpt-4o-audio-preview", { at })).toMatchObject({ priced: false, reason: expect.stringContaining("audio tokens") });
    expect(priceFor("claude-mythos-preview", { at })).toMatchObject({ priced: false, reason: expect.stringContaining("no public list price") });
  });

  test("a variant is never priced as its base model", () => {
    // Plain prefix matching (methodology 1) prices these as gpt-4o-mini / gpt-4o / gpt-5.1.
    expect(ratesFor("gpt-4o-mini-tts").matchedPrefix).toBe("gpt-4o-mini");
    expect(priceFor("gpt-4o-mini-tts", { at }).priced).toBe(false);
    expect(priceFor("gpt-4o-search-preview", { at }).priced).toBe(false);
    expect(priceFor("gpt-5.1-mini", { at }).priced).toBe(false);
    expect(priceFor("claude-opus-4-9", { at }).priced).toBe(false);
  });

  test("scheduled prices follow the call's date", () => {
    const before = priceFor("gemini-4-argon", { at: "2026-11-30" });
    const after = priceFor("gemini-4-argon", { at: new Date("2026-12-01T08:00:00Z") });
    expect(before).toMatchObject({ priced: true, rates: { input: 2, cachedInput: 0.1, output: 10 } });
    expect(after).toMatchObject({ priced: true, rates: { input: 4, cachedInput: 0.2, output: 20 } });
  });

  test("legacy overrides keep working and price a model the table does not know", () => {
    const overrides = { "acme-llm": { inputPerMTok: 0.5, outputPerMTok: 2 } };
    expect(priceFor("acme-llm-7b-chat", { at, overrides })).toMatchObject({
      priced: true,
      key: "acme-llm",
      source: "pricing option",
      rates: { input: 0.5, cachedInput: 0.5, cacheWrite: 0.5, output: 2, reasoning: 2 },
    });
  });

  test("an override merges over the built-in row it refines", () => {
    const price = priceFor("gpt-4o-2024-08-06", { at, overrides: { "GPT-4o": { outputPerMTok: 12 } } });
    expect(price).toMatchObject({ priced: true, key: "gpt-4o", rates: { input: 2.5, cachedInput: 1.25, output: 12, reasoning: 12 } });
    // A shorter override does not shadow a longer built-in family.
    expect(priceFor("gpt-4o-mini", { at, overrides: { "gpt-4o": { inputPerMTok: 99 } } })).toMatchObject({ key: "gpt-4o-mini", rates: { input: 0.15 } });
  });

  test("an override that leaves out input or output cannot price an unknown model", () => {
    const price = priceFor("acme-llm", { at, overrides: { acme: { inputPerMTok: 1 } } });
    expect(price).toMatchObject({ priced: false, reason: expect.stringContaining("outputPerMTok") });
  });

  test('an override keyed "" prices every model nothing else matches, deliberately', () => {
    const overrides = { "": { inputPerMTok: 1, outputPerMTok: 4 } };
    expect(priceFor("mystery-model", { at, overrides })).toMatchObject({ priced: true, rates: { input: 1, output: 4 } });
    expect(priceFor("gpt-4o", { at, overrides })).toMatchObject({ key: "gpt-4o", rates: { input: 2.5 } });
  });

  test("new rate fields can be overridden", () => {
    const price = priceFor("claude-sonnet-4-5", { at, overrides: { "claude-sonnet-4-5": { cacheWritePerMTok: 6, reasoningPerMTok: 20 } } });
    expect(price).toMatchObject({ priced: true, rates: { input: 3, cacheWrite: 6, output: 15, reasoning: 20 } });
  });
});

describe("costOfCall", () => {
  const at = "2026-11-29";

  test("prices fresh input, cache reads, cache writes and output apart (Anthropic)", () => {
    // claude-sonnet-4-5: input $3, cache hits $0.30, 5-minute cache writes $3.75, output $15 per 1M.
    // 20,000 input = 1,000 fresh + 18,000 read + 1,000 written; 400 output.
    const cost = costOfCall("claude-sonnet-4-5-20250929", { inputTokens: 20_000, cachedInputTokens: 18_000, cacheWriteInputTokens: 1_000, outputTokens: 400 }, { at });
    if (!cost.priced) throw new Error("unpriced");
    expect(cost.parts.input).toBeCloseTo((1_000 * 3) / 1e6, 12);
    expect(cost.parts.cachedInput).toBeCloseTo((18_000 * 0.3) / 1e6, 12);
    expect(cost.parts.cacheWrite).toBeCloseTo((1_000 * 3.75) / 1e6, 12);
    expect(cost.parts.output).toBeCloseTo((400 * 15) / 1e6, 12);
    expect(cost.usd).toBeCloseTo(0.003 + 0.0054 + 0.00375 + 0.006, 12);
    expect(cost.tier).toBe("standard");
  });

  test("prices reasoning tokens at the reasoning rate", () => {
    const overrides = { o3: { reasoningPerMTok: 16 } };
    const cost = costOfCall("o3", { inputTokens: 0, cachedInputTokens: 0, outputTokens: 1_000, reasoningTokens: 800 }, { at, overrides });
    if (!cost.priced) throw new Error("unpriced");
    expect(cost.parts.output).toBeCloseTo((200 * 8) / 1e6, 12);
    expect(cost.parts.reasoning).toBeCloseTo((800 * 16) / 1e6, 12);
  });

  test("switches the whole request to long-context rates past the threshold", () => {
    // gpt-5.4: $2.50 / $15 per 1M up to 272k input tokens; above, ×2 input and ×1.5 output.
    const usage = { inputTokens: 300_000, cachedInputTokens: 0, outputTokens: 1_000 };
    const cost = costOfCall("gpt-5.4", usage, { at });
    if (!cost.priced) throw new Error("unpriced");
    expect(cost.tier).toBe("long-context");
    expect(cost.usd).toBeCloseTo((300_000 * 5 + 1_000 * 22.5) / 1e6, 12);
    const short = costOfCall("gpt-5.4", { ...usage, inputTokens: 272_000 }, { at });
    expect(short.priced && short.tier).toBe("standard");
  });

  test("an unpriced model's cost is unknown, not zero", () => {
    const cost = costOfCall("mystery", { inputTokens: 1000, cachedInputTokens: 0, outputTokens: 1000 }, { at });
    expect(cost).toMatchObject({ priced: false, usd: null, price: { reason: expect.any(String) } });
  });

  test("never prices more cache reads and writes than input, nor negative or missing counts", () => {
    const cost = costOfCall("claude-haiku-4-5", { inputTokens: 100, cachedInputTokens: 80, cacheWriteInputTokens: 500, outputTokens: -5, reasoningTokens: Number.NaN }, { at });
    if (!cost.priced) throw new Error("unpriced");
    expect(cost.parts).toEqual({ input: 0, cachedInput: (80 * 0.1) / 1e6, cacheWrite: (20 * 1.25) / 1e6, output: 0, reasoning: 0, images: 0 });
  });
});
