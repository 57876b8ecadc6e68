/**
 * Folds new usage rows into a grain's latency histograms: one per period, provider, model,
 * namespace and outcome, and one per period and outcome alone for the unfiltered overview.
 * @module
 */
import type { Database, Row, SqlValue } from "../sqlite/database.ts";
import { addHistogram, createHistogram, encodeHistogram, type Histogram } from "./latency.ts";
import { GRAINS, latencyBucketsSql, type Grain } from "./rollup-schema.ts";

/**
 * Adds the latencies of the rows `id > after AND id <= upTo` written at or after `from` to the
 * grain's stored histograms (read, added to, written back: SQL cannot add two histograms).
 */
export function createLatencyFolder(db: Database, grain: Grain): (after: number, upTo: number, from: string) => void {
  const table = `ecoai_dashboard_latency_${GRAINS[grain].suffix}`;
  const buckets = db.prepare(latencyBucketsSql(grain));
  const read = db.prepare(`SELECT histogram FROM ${table} WHERE period = ? AND provider = ? AND model = ? AND namespace = ? AND outcome = ?`);
  const write = db.prepare(`INSERT OR REPLACE INTO ${table} (period, provider, model, namespace, outcome, histogram) VALUES (?, ?, ?, ?, ?, ?)`);
  const readAll = db.prepare(`SELECT histogram FROM ecoai_dashboard_all_latency_${GRAINS[grain].suffix} WHERE period = ? AND outcome = ?`);
  const writeAll = db.prepare(`INSERT OR REPLACE INTO ecoai_dashboard_all_latency_${GRAINS[grain].suffix} (period, outcome, histogram) VALUES (?, ?, ?)`);
  return (after, upTo, from) => {
    const added = new Map<string, { key: Row; histogram: Histogram }>();
    for (const row of buckets.all(after, upTo, from)) {
      const id = JSON.stringify([row.period, row.provider, row.model, row.namespace, row.outcome]);
      let entry = added.get(id);
      if (!entry) added.set(id, (entry = { key: row, histogram: createHistogram() }));
      entry.histogram[Number(row.bucket)] = Number(row.calls);
    }
    // The same per period and outcome alone, for the unfiltered overview (the one most often open).
    const overall = new Map<string, { period: SqlValue; outcome: SqlValue; histogram: Histogram }>();
    for (const { key, histogram } of added.values()) {
      const id = `${key.period}|${key.outcome}`;
      let entry = overall.get(id);
      if (!entry) overall.set(id, (entry = { period: key.period!, outcome: key.outcome!, histogram: createHistogram() }));
      histogram.forEach((calls, bucket) => (entry.histogram[bucket]! += calls));
    }
    for (const { key, histogram } of added.values()) {
      const dimensions = [key.period!, key.provider!, key.model!, key.namespace!, key.outcome!];
      const stored = read.get(...dimensions)?.histogram;
      if (stored instanceof Uint8Array) addHistogram(stored, histogram);
      write.run(...dimensions, encodeHistogram(histogram));
    }
    for (const { period, outcome, histogram } of overall.values()) {
      const stored = readAll.get(period, outcome)?.histogram;
      if (stored instanceof Uint8Array) addHistogram(stored, histogram);
      writeAll.run(period, outcome, encodeHistogram(histogram));
    }
  };
}
