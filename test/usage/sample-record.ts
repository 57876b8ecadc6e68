import type { NewUsageRecord } from "../../src/usage/row.ts";

/** A plain cache hit's record, which the usage tests vary one field at a time. */
export const sampleHit: NewUsageRecord = {
  timestamp: Date.UTC(2026, 10, 29, 12),
  provider: "openai",
  model: "gpt-4o-mini",
  cacheHit: true,
  semanticHit: false,
  cacheKey: "k",
  prompt: "Where is my parcel?",
  promptType: "text",
  usage: { inputTokens: 20, cachedInputTokens: 0, outputTokens: 10 },
  latencyMs: 0.02,
};
