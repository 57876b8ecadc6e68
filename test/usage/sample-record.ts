import { openDatabase } from "../../src/sqlite/database.ts";
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

/** A record of a call with this prompt, now: a hit of key `k` unless `miss`. Tests tell rows apart by their prompts. */
export function promptRecord(prompt: string, { miss = false } = {}): NewUsageRecord {
  return {
    timestamp: new Date().toISOString(), provider: "openai", model: "gpt-4o", cacheHit: !miss, semanticHit: false, cacheKey: miss ? null : "k",
    prompt, promptType: "text", usage: { inputTokens: 3, cachedInputTokens: 0, outputTokens: 4 }, latencyMs: 1,
  };
}

/** The prompts written to the usage log at `path` so far, in id order, read through a connection of its own. */
export function writtenPrompts(path: string): string[] {
  const db = openDatabase(path);
  try {
    return db.prepare("SELECT prompt FROM usage_log ORDER BY id").all().map((r) => String(r.prompt));
  } finally {
    db.close();
  }
}
