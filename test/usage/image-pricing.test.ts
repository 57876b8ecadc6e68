import { describe, expect, test } from "bun:test";
import { IMAGE_PRICE_ROWS, IMAGE_PRICES, imageCostUsd } from "../../src/usage/image-pricing.ts";
import { costOfCall, savingsFor } from "../../src/usage/pricing.ts";

describe("per-image prices", () => {
  test("priced by model, quality and size", () => {
    expect(imageCostUsd("dall-e-3", { count: 1, size: "1024x1024", quality: "standard" })).toBe(0.04);
    expect(imageCostUsd("dall-e-3", { count: 2, size: "1792x1024", quality: "hd" })).toBeCloseTo(0.24, 12);
    expect(imageCostUsd("dall-e-2", { count: 3, size: "256x256", quality: "standard" })).toBeCloseTo(0.048, 12);
    expect(imageCostUsd("gpt-image-1", { count: 1, size: "1536x1024", quality: "high" })).toBe(0.25);
    expect(imageCostUsd("gpt-image-1-mini", { count: 1, size: "1024x1024", quality: "medium" })).toBe(0.011);
    expect(imageCostUsd("GPT-IMAGE-1-2025-04-15", { count: 1, size: "1024x1024", quality: "low" })).toBe(0.011);
  });

  test("an unknown quality or size takes the cheapest listed, so savings are never overstated", () => {
    expect(imageCostUsd("gpt-image-1", { count: 1, size: "auto", quality: "auto" })).toBe(0.011);
    expect(imageCostUsd("dall-e-3", { count: 1, size: "2048x2048", quality: "hd" })).toBe(0.08);
  });

  test("models without per-image prices are not priced here", () => {
    expect(imageCostUsd("gpt-4o", { count: 1, size: "1024x1024", quality: "standard" })).toBeUndefined();
  });

  test("every price is a positive finite number", () => {
    for (const byQuality of Object.values(IMAGE_PRICES)) {
      for (const bySize of Object.values(byQuality)) for (const price of Object.values(bySize)) expect(price).toBeGreaterThan(0);
    }
  });
});

describe("savingsFor with images", () => {
  test("images replace output-token pricing; input tokens are still priced", () => {
    const usage = { inputTokens: 1000, cachedInputTokens: 0, outputTokens: 4160, images: { count: 1, size: "1024x1024", quality: "high" } };
    const saved = savingsFor("gpt-image-1", usage);
    expect(saved.costSavedUsd).toBeCloseTo((1000 * 5) / 1e6 + 0.167, 12);
    expect(saved.tokensSaved).toBe(4160);
  });

  test("without image details, or for a model with no per-image price, tokens are priced", () => {
    expect(savingsFor("gpt-image-1", { inputTokens: 0, cachedInputTokens: 0, outputTokens: 1_000_000 }).costSavedUsd).toBeCloseTo(40, 9);
    expect(savingsFor("dall-e-3", { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, images: { count: 1, size: "1024x1024", quality: "standard" } }).costSavedUsd).toBe(0.04);
  });
});

describe("per-image price rows", () => {
  test("gpt-image-1.5 has its own prices, not gpt-image-1's", () => {
    // Plain prefix matching took gpt-image-1's $0.167 for a high 1024×1024 gpt-image-1.5 image.
    expect(imageCostUsd("gpt-image-1.5", { count: 1, size: "1024x1024", quality: "high" })).toBe(0.133);
    expect(imageCostUsd("gpt-image-2", { count: 1, size: "1024x1024", quality: "high" })).toBeUndefined();
  });

  test("every row names its source and date", () => {
    for (const [model, row] of Object.entries(IMAGE_PRICE_ROWS)) {
      expect(row.source, model).toMatch(/^https:\/\//);
      expect(row.asOf, model).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(IMAGE_PRICES[model]).toBe(row.prices);
    }
  });

  test("a count that is not a positive number prices nothing", () => {
    expect(imageCostUsd("dall-e-3", { count: Number.NaN, size: "1024x1024", quality: "standard" })).toBe(0);
    expect(imageCostUsd("dall-e-3", { count: -2, size: "1024x1024", quality: "standard" })).toBe(0);
  });
});

describe("costOfCall with images", () => {
  test("per-image prices replace image-token pricing; text input is still priced", () => {
    // gpt-image-1: text input $5 per 1M; a high 1024×1024 image $0.167.
    const cost = costOfCall("gpt-image-1", { inputTokens: 50, cachedInputTokens: 0, outputTokens: 4160, images: { count: 2, size: "1024x1024", quality: "high" } }, { at: "2026-11-29" });
    expect(cost).toMatchObject({ priced: true, parts: { input: (50 * 5) / 1e6, output: 0, images: 0.334 } });
    expect(cost.usd).toBeCloseTo(0.00025 + 0.334, 12);
  });

  test("an image model without per-image prices is priced by its image tokens", () => {
    // gpt-image-2: image output $30 per 1M tokens.
    const cost = costOfCall("gpt-image-2-2026-04-21", { inputTokens: 0, cachedInputTokens: 0, outputTokens: 4160, images: { count: 1, size: "1024x1024", quality: "high" } }, { at: "2026-11-29" });
    expect(cost.usd).toBeCloseTo((4160 * 30) / 1e6, 12);
  });
});
