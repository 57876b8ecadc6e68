/**
 * The method held against published per-request figures. Each band names its sources beside it.
 */
import { describe, expect, test } from "bun:test";
import { footprintOfCall } from "../../src/usage/energy-footprint.ts";

const at = "2026-11-29";
const wh = (model: string, inputTokens: number, outputTokens: number, reasoningTokens = 0) =>
  footprintOfCall({ model, usage: { inputTokens, cachedInputTokens: 0, outputTokens, reasoningTokens } }, { at }).energyWh;

describe("sanity bands", () => {
  // Band 0.2–0.5 Wh for a short chat turn on a GPT-4o-class model, from:
  // - Google, "Measuring the environmental impact of delivering AI at Google scale" (arXiv:2508.15734,
  //   Aug 2025): the median Gemini Apps text prompt uses 0.24 Wh;
  // - Epoch AI, "How much energy does ChatGPT use?" (Feb 2025): a typical GPT-4o query ≈ 0.3 Wh;
  // - Jegham et al., "How Hungry is AI?" (arXiv:2505.09598, 2025): a short GPT-4o prompt
  //   (100 input, 300 output tokens) ≈ 0.42 Wh.
  test("a short chat turn on a GPT-4o-class model lands centrally in 0.2–0.5 Wh, its range spanning the published figures", () => {
    for (const model of ["gpt-4o", "chatgpt-4o-latest", "claude-sonnet-4-5", "gemini-2.5-flash"]) {
      const e = wh(model, 100, 300);
      expect(e.central, model).toBeGreaterThanOrEqual(0.2);
      expect(e.central, model).toBeLessThanOrEqual(0.5);
      expect(e.low, model).toBeLessThanOrEqual(0.24);
      expect(e.high, model).toBeGreaterThanOrEqual(0.42);
    }
  });

  // Tens of Wh for a long reasoning turn on an o3-class model, from:
  // - Jegham et al. 2025: o3 uses over 29 Wh per long prompt (10k input, 1.5k output tokens plus its
  //   reasoning; over 33 Wh in the paper's May 2025 version);
  // - OpenAI's reasoning guide: reserve at least 25,000 tokens for reasoning and output, the turn
  //   sized here (1,500 visible + 23,500 reasoning tokens).
  test("a long o3-class reasoning turn lands in the tens of Wh", () => {
    const e = wh("o3", 10_000, 25_000, 23_500);
    expect(e.central).toBeGreaterThanOrEqual(10);
    expect(e.central).toBeLessThan(100);
    expect(e.high).toBeGreaterThanOrEqual(29);
  });

  // Epoch AI (Feb 2025): a GPT-4o query with 100,000 input tokens ≈ 40 Wh, against ≈ 0.3 Wh for a
  // typical one — over a hundred times more.
  test("a long-context request (100k input tokens) costs far more than a short one", () => {
    const short = wh("gpt-4o", 100, 500);
    const long = wh("gpt-4o", 100_000, 500);
    expect(long.central / short.central).toBeGreaterThan(50);
    expect(long.low).toBeGreaterThan(short.high * 5);
    // Within a factor of two of Epoch's 40 Wh and 2.5 Wh (10k input), the points the prefill term follows.
    expect(long.central).toBeGreaterThan(20);
    expect(long.central).toBeLessThan(80);
    const tenK = wh("gpt-4o", 10_000, 500);
    expect(tenK.central).toBeGreaterThan(1.25);
    expect(tenK.central).toBeLessThan(5);
  });

  // Epoch AI (Feb 2025) puts GPT-4o-mini, a smaller model, well below GPT-4o.
  test("a small model's short chat costs a fraction of a GPT-4o-class one", () => {
    expect(wh("gpt-4o-mini", 100, 300).central).toBeLessThan(wh("gpt-4o", 100, 300).central / 4);
  });
});
