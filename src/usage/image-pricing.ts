/**
 * Per-image list prices of OpenAI's image models (USD per image, by quality and size): what an
 * image generation or edit costs when the model publishes per-image prices. GPT image models also
 * bill their text input tokens, which `price-table.ts` prices. A model id finds its row by longest
 * key plus a version suffix, so `gpt-image-1.5` never takes `gpt-image-1`'s prices.
 * @module
 */

import type { ImageUsage } from "../types.ts";
import { keyMatcher } from "./model-match.ts";
import { tokenCount } from "./token-count.ts";

type PriceBySize = Readonly<Record<string, number>>;

/** One model's per-image prices, with where and when they were published. */
export interface ImagePriceRow {
  /** USD per image, by quality then size. */
  prices: Readonly<Record<string, PriceBySize>>;
  source: string;
  asOf: string;
  via?: string;
}

const OPENAI = "https://developers.openai.com/api/docs/pricing";

/** Per-image prices keyed by lowercase model family. */
export const IMAGE_PRICE_ROWS: Readonly<Record<string, ImagePriceRow>> = Object.freeze({
  "gpt-image-1.5": {
    prices: {
      low: { "1024x1024": 0.009, "1024x1536": 0.013, "1536x1024": 0.013 },
      medium: { "1024x1024": 0.034, "1024x1536": 0.05, "1536x1024": 0.05 },
      high: { "1024x1024": 0.133, "1024x1536": 0.2, "1536x1024": 0.2 },
    },
    source: OPENAI,
    asOf: "2025-12-16",
    via: "https://docs.apiyi.com/en/api-capabilities/gpt-image-1-5",
  },
  "gpt-image-1": {
    prices: {
      low: { "1024x1024": 0.011, "1024x1536": 0.016, "1536x1024": 0.016 },
      medium: { "1024x1024": 0.042, "1024x1536": 0.063, "1536x1024": 0.063 },
      high: { "1024x1024": 0.167, "1024x1536": 0.25, "1536x1024": 0.25 },
    },
    source: OPENAI,
    asOf: "2025-04-23",
  },
  "gpt-image-1-mini": {
    prices: {
      low: { "1024x1024": 0.005, "1024x1536": 0.006, "1536x1024": 0.006 },
      medium: { "1024x1024": 0.011, "1024x1536": 0.015, "1536x1024": 0.015 },
      high: { "1024x1024": 0.036, "1024x1536": 0.052, "1536x1024": 0.052 },
    },
    source: "https://developers.openai.com/api/docs/models/gpt-image-1-mini",
    asOf: "2026-11-29",
  },
  "dall-e-3": {
    prices: {
      standard: { "1024x1024": 0.04, "1024x1792": 0.08, "1792x1024": 0.08 },
      hd: { "1024x1024": 0.08, "1024x1792": 0.12, "1792x1024": 0.12 },
    },
    source: OPENAI,
    asOf: "2023-11-06",
  },
  "dall-e-2": {
    prices: { standard: { "256x256": 0.016, "512x512": 0.018, "1024x1024": 0.02 } },
    source: OPENAI,
    asOf: "2023-11-06",
  },
});

/** USD per image, keyed by lowercase model family, then quality, then size. */
export const IMAGE_PRICES: Readonly<Record<string, Readonly<Record<string, PriceBySize>>>> = Object.freeze(
  Object.fromEntries(Object.entries(IMAGE_PRICE_ROWS).map(([model, row]) => [model, row.prices])),
);

const imageFamily = keyMatcher(Object.keys(IMAGE_PRICES));

/**
 * What the images of one response cost, or `undefined` for a model without per-image prices.
 * A quality or size the table does not list (`auto`, unknown) takes the cheapest listed, so a
 * saving is never overstated.
 *
 * @example
 * imageCostUsd("dall-e-3", { count: 2, size: "1024x1792", quality: "hd" }); // 0.24
 */
export function imageCostUsd(model: string, images: ImageUsage): number | undefined {
  const key = imageFamily(model);
  if (key === undefined) return undefined;
  const byQuality = IMAGE_PRICES[key]!;
  const sizes = byQuality[images.quality.toLowerCase()] ?? cheapest(Object.values(byQuality));
  const price = sizes[images.size.toLowerCase()] ?? Math.min(...Object.values(sizes));
  return tokenCount(images.count) * price;
}

function cheapest(tables: PriceBySize[]): PriceBySize {
  const floor = (table: PriceBySize) => Math.min(...Object.values(table));
  return tables.reduce((best, table) => (floor(table) < floor(best) ? table : best));
}
