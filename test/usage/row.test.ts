import { expect, test } from "bun:test";
import { toRow, type NewUsageRecord } from "../../src/usage/row.ts";
import { USAGE_COLUMNS } from "../../src/usage/schema.ts";

const hit: NewUsageRecord = {
  timestamp: Date.UTC(2026, 10, 29, 12),
  provider: "openai",
  model: "gpt-4o-mini",
  cacheHit: true,
  semanticHit: false,
  cacheKey: "k",
  prompt: "Where is my parcel?",
  promptType: "text",
  usage: { inputTokens: 20, cachedInputTokens: 4, outputTokens: 10 },
  latencyMs: 0.02,
};

test("a row has a value for every column of the log, whatever the call", () => {
  const records: NewUsageRecord[] = [
    hit,
    { ...hit, cacheHit: false, cacheKey: null, namespace: "tenant" },
    { ...hit, semanticHit: true, match: { key: "m", score: 0.97, prompt: "Where's my parcel" }, embedding: { tokens: 5, costUsd: 0.0001 } },
    { ...hit, check: { kind: "shadow", agreed: false, key: "c", score: 0.9, prompt: "p" }, usage: { ...hit.usage, images: { count: 2, size: "1024x1024", quality: "high" } } },
  ];
  const accounts = new Map();
  for (const record of records) {
    for (const row of [toRow(record), toRow(record, {}, accounts), toRow(record, {}, accounts)]) {
      expect(row).toHaveLength(USAGE_COLUMNS.length);
      expect(row.map((value, i) => (value === undefined ? USAGE_COLUMNS[i] : "set"))).toEqual(USAGE_COLUMNS.map(() => "set"));
    }
  }
  const named = Object.fromEntries(USAGE_COLUMNS.map((column, i) => [column, toRow(records[3]!)[i]]));
  expect(named).toMatchObject({ timestamp: "2026-11-29T12:00:00.000Z", provider: "openai", model: "gpt-4o-mini", cache_hit: 1, input_tokens: 20, cached_input_tokens: 4, output_tokens: 10, image_count: 2, image_size: "1024x1024", semantic_check: "shadow", check_agreed: 0, check_key: "c" });
});
