import { expect, test } from "bun:test";
import { toRow, type NewUsageRecord } from "../../src/usage/row.ts";
import { USAGE_COLUMNS } from "../../src/usage/schema.ts";
import { sampleHit } from "./sample-record.ts";

const hit: NewUsageRecord = { ...sampleHit, usage: { ...sampleHit.usage, cachedInputTokens: 4 } };

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

test("rows of a batch priced once per account are the rows priced one by one, whatever changes from one call to the next", () => {
  const day = Date.UTC(2026, 10, 29, 23, 59, 59, 999);
  const records: NewUsageRecord[] = [
    hit,
    hit,
    { ...hit, timestamp: hit.timestamp as number },
    { ...hit, timestamp: (hit.timestamp as number) + 1 },
    { ...hit, cacheHit: false },
    { ...hit, model: "gpt-4o" },
    { ...hit, provider: "anthropic", model: "claude-3-5-haiku-latest" },
    { ...hit, usage: { ...hit.usage, outputTokens: 11 } },
    { ...hit, usage: { ...hit.usage, cachedInputTokens: 0 } },
    { ...hit, usage: { ...hit.usage, reasoningTokens: 5 } },
    { ...hit, usage: { ...hit.usage, cacheWriteInputTokens: 3 } },
    { ...hit, timestamp: day },
    { ...hit, timestamp: day + 1 },
    { ...hit, timestamp: day },
    { ...hit, timestamp: "2026-11-30T00:00:00.000Z" },
    hit,
  ];
  const accounts = new Map();
  const pricing = { overrides: { "gpt-4o-mini": { inputPerMTok: 1, outputPerMTok: 2 } } };
  for (const record of records) expect(toRow(record, pricing, accounts)).toEqual(toRow(record, pricing));
  // Another batch, or other pricing options, reuse nothing of this one.
  const other = { overrides: { "gpt-4o-mini": { inputPerMTok: 5, outputPerMTok: 6 } } };
  for (const record of records) expect(toRow(record, other, new Map())).toEqual(toRow(record, other));
});
