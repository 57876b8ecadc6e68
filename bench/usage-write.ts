/**
 * What the usage log's batched writer pays per row now that each row carries its energy and CO₂e
 * ranges: the same batches of rows inserted into a real SQLite log (one transaction per batch of
 * 500, as the log writes them), with each row's values computed by `toRow` (cost, energy, CO₂e)
 * against the same rows with values computed beforehand (the insert alone) and against the
 * previous method's computation (`savingsFor` + `costOfCall`) plus the insert, measured in the
 * same run. The call's own path is untouched: `record()` only queues the row.
 *
 * Run: `bun bench/usage-write.ts`. Prints; asserts nothing.
 *
 * @module
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import type { SqlValue } from "../src/sqlite/database.ts";
import { costOfCall, savingsFor } from "../src/usage/pricing.ts";
import { toRow, type NewUsageRecord } from "../src/usage/row.ts";
import { openUsageSchema, USAGE_INSERT } from "../src/usage/schema.ts";
import { formatMicros, formatRatio, median, table } from "./stats.ts";

const BATCH = 500;
const BATCHES = 20;
const ROUNDS = 9;
const MODELS = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5-20250929", "gemini-2.5-flash", "o3", "acme-llm-7b"];

const records: NewUsageRecord[] = Array.from({ length: BATCH }, (_, i) => ({
  timestamp: new Date(Date.UTC(2026, 10, 29, 12, 0, i)).toISOString(),
  provider: "openai",
  model: MODELS[i % MODELS.length]!,
  cacheHit: i % 3 !== 0,
  semanticHit: false,
  cacheKey: `key-${i}`,
  prompt: `Question ${i}: what does clause ${i % 13} mean?`,
  promptType: "text",
  usage: { inputTokens: 200 + i, cachedInputTokens: i % 4 === 0 ? 100 : 0, outputTokens: 150 + (i % 50), ...(i % 6 === 4 ? { reasoningTokens: 100 } : {}) },
  latencyMs: 1,
}));
const precomputed = records.map((record) => toRow(record));
/** The previous method's per-row computation, then the same insert (its values stand in for the columns it had). */
function previousRow(record: NewUsageRecord, index: number): SqlValue[] {
  const saved = savingsFor(record.model, record.usage);
  const cost = costOfCall(record.model, record.usage, { at: String(record.timestamp).slice(0, 10) });
  const row = precomputed[index]!.slice();
  row[11] = saved.tokensSaved;
  row[13] = saved.costSavedUsd + (cost.usd ?? 0) * 0;
  return row;
}

const path = join(tmpdir(), `ecoai-bench-usage-write-${process.pid}.db`);
const db = openUsageSchema(path);
const insert = db.prepare(USAGE_INSERT);

/** µs per row of writing BATCHES batches with `values` giving each row's insert values. */
function perRow(values: (record: NewUsageRecord, index: number) => SqlValue[]): number {
  const start = performance.now();
  for (let b = 0; b < BATCHES; b++) {
    db.transaction(() => {
      for (let i = 0; i < BATCH; i++) insert.run(...values(records[i]!, i));
    });
  }
  return ((performance.now() - start) * 1000) / (BATCH * BATCHES);
}

const variants: Record<string, (record: NewUsageRecord, index: number) => SqlValue[]> = {
  "insert only (values precomputed)": (_, i) => precomputed[i]!,
  "previous method + insert": previousRow,
  "toRow (cost, energy, CO₂e ranges) + insert": (record) => toRow(record),
};
/** One measurement from an empty table, so no variant writes into a bigger table than another. */
function measure(f: (record: NewUsageRecord, index: number) => SqlValue[]): number {
  db.exec("DELETE FROM usage_log");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return perRow(f);
}
for (const f of Object.values(variants)) measure(f);
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  // Interleaved, in a rotating order, so drift on a shared machine falls on every variant alike.
  const names = Object.keys(variants);
  for (let k = 0; k < names.length; k++) {
    const name = names[(k + round) % names.length]!;
    samples[name]!.push(measure(variants[name]!));
  }
}
db.close();
rmSync(path, { force: true });
for (const suffix of ["-wal", "-shm"]) rmSync(path + suffix, { force: true });

const times = Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, median(s)]));
const previous = times["previous method + insert"]!;
console.log(table(["per row, batches of 500 in one transaction", "median", "× previous method"], Object.entries(times).map(([name, us]) => [name, formatMicros(us), formatRatio(us / previous)])));
