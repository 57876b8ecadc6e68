/**
 * What the usage log's batched writer pays per row now that each row carries its energy and CO₂e
 * ranges: the same rows inserted into a real SQLite log (one transaction per batch of
 * 500, as the log writes them), with each row's values computed by `toRow` (cost, energy, CO₂e)
 * against the same rows with values computed beforehand (the insert alone) and against the
 * previous method's computation (`savingsFor` + `costOfCall`) plus the insert, and against the
 * log's own inserts (`prepareRowInserts`: a row that leaves its usually-default columns at their
 * defaults binds only the others), and against the rows as the write thread builds them
 * (`batchRows`: a hit of an entry hit before in the batch takes that row's computed values), measured
 * in the same run. The rows are hits and misses of 64 entries, as a server of cache hits records
 * them. The call's own path is untouched: `record()` only queues the row.
 *
 * Run: `bun bench/usage-write.ts`. Prints; asserts nothing.
 *
 * @module
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import type { SqlValue } from "../src/sqlite/database.ts";
import { batchRows } from "../src/usage/batch-rows.ts";
import { costOfCall, savingsFor } from "../src/usage/pricing.ts";
import { toRow, type NewUsageRecord } from "../src/usage/row.ts";
import { BLOCK_ROWS, prepareRowInserts } from "../src/usage/row-inserts.ts";
import { openUsageSchema, USAGE_INSERT } from "../src/usage/schema.ts";
import { formatMicros, formatRatio, median, table } from "./stats.ts";

const BATCH = 500;
const BATCHES = 20;
const ROUNDS = 9;
const MODELS = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5-20250929", "gemini-2.5-flash", "o3", "acme-llm-7b"];

// Each batch's rows come a second apart after the last batch's, as a log's rows do: indexes by
// time take them at their end (rows of the same times written again would land mid-index).
const ENTRIES = 64;
const records: NewUsageRecord[] = Array.from({ length: BATCH * BATCHES }, (_, i) => {
  const entry = i % ENTRIES;
  return {
    timestamp: new Date(Date.UTC(2026, 10, 29, 0, 0, i)).toISOString(),
    provider: "openai",
    model: MODELS[entry % MODELS.length]!,
    cacheHit: i >= ENTRIES,
    semanticHit: false,
    cacheKey: `key-${entry}`,
    prompt: `Question ${entry}: what does clause ${entry % 13} mean?`,
    promptType: "text",
    usage: { inputTokens: 200 + entry, cachedInputTokens: entry % 4 === 0 ? 100 : 0, outputTokens: 150 + (entry % 50), ...(entry % 6 === 4 ? { reasoningTokens: 100 } : {}) },
    latencyMs: 1 + (i % 7) / 1000,
  };
});
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
const inserts = prepareRowInserts(db);

/** CPU µs per row of writing BATCHES batches with `values` (made for each batch) giving each row's insert values, bound by `write`. */
function perRow(batchValues: () => (record: NewUsageRecord, index: number) => SqlValue[], write: (row: SqlValue[]) => void): number {
  // CPU time, not wall time: on a shared machine, time spent waiting for a core is left out.
  const start = process.cpuUsage();
  for (let b = 0; b < BATCHES; b++) {
    const values = batchValues();
    db.transaction(() => {
      for (let i = b * BATCH; i < (b + 1) * BATCH; i++) write(values(records[i]!, i));
    });
  }
  const { user, system } = process.cpuUsage(start);
  return (user + system) / (BATCH * BATCHES);
}

type Variant = [batchValues: () => (record: NewUsageRecord, index: number) => SqlValue[], write: (row: SqlValue[]) => void];
const everyColumn = (row: SqlValue[]) => void insert.run(...row);
/** Rows in blocks of BLOCK_ROWS, as the log's writer inserts them (a batch's last rows that fill no block go with the next batch's). */
const block: SqlValue[][] = [];
const inBlocks = (row: SqlValue[]) => {
  block.push(row);
  if (block.length < BLOCK_ROWS) return;
  inserts.insertBlock(block);
  block.length = 0;
};
const variants: Record<string, Variant> = {
  "insert only (values precomputed)": [() => (_, i) => precomputed[i]!, everyColumn],
  "previous method + insert": [() => previousRow, everyColumn],
  "toRow (cost, energy, CO₂e ranges) + insert": [() => (record) => toRow(record), everyColumn],
  "toRow + the log's inserts (defaults left out)": [() => (record) => toRow(record), (row) => inserts.insert(row)],
  "batchRows + the log's inserts, one by one": [() => batchRows({}), (row) => inserts.insert(row)],
  "batchRows + the log's inserts in blocks (the write thread)": [() => batchRows({}), inBlocks],
};
/** One measurement from an empty table, so no variant writes into a bigger table than another. */
function measure([batchValues, write]: Variant): number {
  db.exec("DELETE FROM usage_log");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return perRow(batchValues, write);
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
