import { expect, test } from "bun:test";
import { batchRows } from "../../src/usage/batch-rows.ts";
import { toRow, type NewUsageRecord } from "../../src/usage/row.ts";
import { sampleHit } from "./sample-record.ts";

const hit = sampleHit;
const day = Date.UTC(2026, 10, 29, 23, 59, 59, 999);

/** Calls that differ from the one before in one value each, and calls that repeat an earlier one at another time. */
const records: NewUsageRecord[] = [
  hit,
  { ...hit, timestamp: (hit.timestamp as number) + 1, latencyMs: 0.5 },
  { ...hit, latencyMs: Number.NaN },
  { ...hit, latencyMs: -0 },
  { ...hit, cacheHit: false },
  { ...hit, semanticHit: true },
  { ...hit, model: "gpt-4o" },
  { ...hit, provider: "anthropic", model: "claude-3-5-haiku-latest" },
  { ...hit, namespace: "tenant" },
  { ...hit, prompt: "Where is my order?" },
  { ...hit, promptType: "chat" as NewUsageRecord["promptType"] },
  { ...hit, usage: { ...hit.usage, inputTokens: 21 } },
  { ...hit, usage: { ...hit.usage, outputTokens: 11 } },
  { ...hit, usage: { ...hit.usage, cachedInputTokens: 4 } },
  { ...hit, usage: { ...hit.usage, reasoningTokens: 5 } },
  { ...hit, usage: { ...hit.usage, cacheWriteInputTokens: 3 } },
  { ...hit, usage: { ...hit.usage, images: { count: 2, size: "1024x1024", quality: "high" } } },
  { ...hit, semanticHit: true, match: { key: "m", score: 0.97, prompt: "Where's my parcel" } },
  { ...hit, embedding: { tokens: 5, costUsd: 0.0001 } },
  { ...hit, check: { kind: "shadow", agreed: false, key: "c", score: 0.9, prompt: "p" } },
  { ...hit, timestamp: day },
  { ...hit, timestamp: day + 1 },
  { ...hit, timestamp: "2026-11-30T00:00:00.000Z" },
  { ...hit, cacheKey: null },
  { ...hit, cacheKey: null, latencyMs: 3 },
  { ...hit, cacheKey: "other" },
  hit,
];

test("a batch's rows are the rows computed one by one, whatever changes from one call to the next", () => {
  const pricing = { overrides: { "gpt-4o-mini": { inputPerMTok: 1, outputPerMTok: 2 } } };
  const rowOf = batchRows(pricing);
  // Each record after every other one, so that each is built from every other one's row.
  for (const first of records) {
    for (const record of records) {
      expect(rowOf(first)).toEqual(toRow(first, pricing));
      expect(rowOf(record)).toEqual(toRow(record, pricing));
    }
  }
});

test("a record's row is not changed by a change to an earlier record's usage after its row was built", () => {
  const usage = { ...hit.usage };
  const rowOf = batchRows({});
  const first = { ...hit, usage };
  rowOf(first);
  usage.outputTokens = 99;
  expect(rowOf({ ...hit, usage })).toEqual(toRow({ ...hit, usage }));
});
