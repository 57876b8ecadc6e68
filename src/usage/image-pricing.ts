/**
 * Per-image list prices of OpenAI's image models (USD per image, by quality and size), the part
 * of `costSavedUsd` that image generation and edit hits save. Source: OpenAI's API pricing page
 * (image generation section), checked on the date in `PRICES_AS_OF`. GPT image models also bill
 * their input tokens, which the token rates in `pricing.ts` price.
 * @module
 */

import type { ImageUsage } from "../types.ts";

type PriceBySize = Readonly<Record<string, number>>;

/** USD per image, keyed by lowercase model-name prefix, then quality, then size. */
export const IMAGE_PRICES: Readonly<Record<string, Readonly<Record<string, PriceBySize>>>> = Object.freeze({
  "gpt-image-1": {
    low: { "1024x1024": 0.011, "1024x1536": 0.016, "1536x1024": 0.016 },
    medium: { "1024x1024": 0.042, "1024x1536": 0.063, "1536x1024": 0.063 },
    high: { "1024x1024": 0.167, "1024x1536": 0.25, "1536x1024": 0.25 },
  },
  "gpt-image-1-mini": {
    low: { "1024x1024": 0.005, "1024x1536": 0.006, "1536x1024": 0.006 },
    medium: { "1024x1024": 0.011, "1024x1536": 0.015, "1536x1024": 0.015 },
    high: { "1024x1024": 0.036, "1024x1536": 0.052, "1536x1024": 0.052 },
  },
  "dall-e-3": {
    standard: { "1024x1024": 0.04, "1024x1792": 0.08, "1792x1024": 0.08 },
    hd: { "1024x1024": 0.08, "1024x1792": 0.12, "1792x1024": 0.12 },
  },
  "dall-e-2": {
    standard: { "256x256": 0.016, "512x512": 0.018, "1024x1024": 0.02 },
  },
});

const SORTED_PREFIXES = Object.keys(IMAGE_PRICES).sort((a, b) => b.length - a.length);

/**
 * What the images of one response cost, or `undefined` for a model without per-image prices.
 * A quality or size the table does not list (`auto`, unknown) takes the cheapest listed, so a
 * saving is never overstated.
 *
 * @example
 * imageCostUsd("dall-e-3", { count: 2, size: "1024x1792", quality: "hd" }); // 0.24
 */
export function imageCostUsd(model: string, images: ImageUsage): number | undefined {
  const normalized = model.trim().toLowerCase();
  const prefix = SORTED_PREFIXES.find((candidate) => normalized.startsWith(candidate));
  if (prefix === undefined) return undefined;
  const byQuality = IMAGE_PRICES[prefix]!;
  const sizes = byQuality[images.quality.toLowerCase()] ?? cheapest(Object.values(byQuality));
  const price = sizes[images.size.toLowerCase()] ?? Math.min(...Object.values(sizes));
  return Math.max(0, images.count) * price;
}

function cheapest(tables: PriceBySize[]): PriceBySize {
  const floor = (table: PriceBySize) => Math.min(...Object.values(table));
  return tables.reduce((best, table) => (floor(table) < floor(best) ? table : best));
}
