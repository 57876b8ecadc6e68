import { expect, test } from "bun:test";
import { createBatchEncoder, decodeBatch, encodeBatch } from "../../src/usage/batch-encoding.ts";
import { batchRows } from "../../src/usage/batch-rows.ts";
import { toRow, type NewUsageRecord } from "../../src/usage/row.ts";
import { sampleHit } from "./sample-record.ts";

const hit = sampleHit;
const usage = { ...hit.usage };

/** Calls of every kind, each hit again later, and values JSON changes (NaN, -0, infinities, undefined). */
const calls: NewUsageRecord[] = [
  hit,
  { ...hit, cacheHit: false, cacheKey: null, latencyMs: 310.5 },
  { ...hit, namespace: "tenant", usage: { ...hit.usage, cachedInputTokens: 4 } },
  { ...hit, provider: "anthropic", model: "claude-3-5-haiku-latest", prompt: "" },
  { ...hit, prompt: "Where is my order?" },
  { ...hit, usage },
  { ...hit, usage: { ...usage } },
  { ...hit, usage: { ...hit.usage, reasoningTokens: 5, cacheWriteInputTokens: undefined } },
  { ...hit, usage: { ...hit.usage, images: { count: 2, size: "1024x1024", quality: "high" } } },
  { ...hit, semanticHit: true, match: { key: "m", score: Number.NaN, prompt: "Where's my parcel" } },
  { ...hit, embedding: { tokens: 5, costUsd: 0.0001 } },
  { ...hit, check: { kind: "shadow", agreed: false, key: "c", score: 0.9, prompt: "p" } },
  { ...hit, latencyMs: -0 },
  { ...hit, latencyMs: Number.NaN },
  { ...hit, latencyMs: Number.POSITIVE_INFINITY },
  { ...hit, timestamp: -0 },
  { ...hit, timestamp: Number.NaN },
  { ...hit, timestamp: "2026-11-30T00:00:00.000Z" },
  { ...hit, endpoint: "chat.completions" },
];

const records = [...calls, ...calls.map((record, i) => ({ ...record, timestamp: typeof record.timestamp === "number" ? record.timestamp + i : record.timestamp, latencyMs: record.latencyMs + i }))];

/** What the write thread read of a record when every record was sent as JSON. */
const asJson = (record: NewUsageRecord) => JSON.parse(JSON.stringify(record)) as NewUsageRecord;

test("each record decoded reads, for its row, as its JSON did", () => {
  const { calls: json, rows } = encodeBatch(records);
  const decoded = decodeBatch({ calls: json, rows });
  expect(decoded).toHaveLength(records.length);
  const rowOf = batchRows({});
  decoded.forEach((record, i) => {
    expect(toRow(record)).toEqual(toRow(asJson(records[i]!)));
    expect(rowOf(record)).toEqual(toRow(asJson(records[i]!)));
  });
});

test("a call hit again is sent once", () => {
  const repeated = Array.from({ length: 100 }, (_, i) => ({ ...hit, timestamp: (hit.timestamp as number) + i, latencyMs: i / 10 }));
  const { calls: json } = encodeBatch(repeated);
  expect(JSON.parse(json)).toHaveLength(1);
});

test("an encoder's later batches read as their JSON does, the calls of earlier batches changed since or not", () => {
  const encode = createBatchEncoder();
  const shared = { ...hit.usage };
  const changing: NewUsageRecord = { ...hit, usage: shared };
  const nanCount: NewUsageRecord = { ...hit, cacheKey: "nan", usage: { ...hit.usage, outputTokens: Number.NaN } };
  for (let round = 0; round < 20; round++) {
    const batch = [...records.slice(round % 5), changing, { ...changing, latencyMs: round }, nanCount, { ...nanCount, prompt: `p ${round}` }];
    const decoded = decodeBatch(encode(batch));
    expect(decoded.map((record) => toRow(record))).toEqual(batch.map((record) => toRow(asJson(record))));
    shared.outputTokens = round % 3;
  }
});
