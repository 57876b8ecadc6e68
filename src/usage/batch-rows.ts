/**
 * The rows of one batch of records. A server of cache hits records the same few calls over and
 * over: a hit of one entry differs from the last hit of it only in when it ended and how long it
 * took. Such a record's row is the row computed for the entry's last record with those two
 * columns set, rather than computed again (cost, energy and CO₂e included): a fifth of the time
 * a row took to build on the write thread.
 *
 * @module
 */
import type { SqlValue } from "../sqlite/database.ts";
import { callValuesOf, hasCallValues, isPlainCall, type CallValues } from "./call-values.ts";
import { amount, COLUMN_AT, isoTimestamp, toRow, type AccountOptions, type CallAccount, type NewUsageRecord } from "./row.ts";

/** A row computed in full: what it was computed from (see call-values.ts), and the row. */
interface Template extends CallValues {
  /** The day of its timestamp: what scheduled prices depend on. */
  day: string;
  row: SqlValue[];
}

/** Builds the rows (in `USAGE_COLUMNS` order) of one batch's records, priced with `options`. */
export type BatchRows = (record: NewUsageRecord) => SqlValue[];

/**
 * The row builder of one batch: each record's row is `toRow(record, options)`, column for column.
 *
 * @example
 * const rowOf = batchRows({});
 * rows = batch.map(rowOf);
 */
export function batchRows(options: AccountOptions): BatchRows {
  const accounts = new Map<string, CallAccount>();
  /** The last record computed in full, by its cache key. */
  const templates = new Map<string | null, Template>();
  return (record) => {
    const timestamp = isoTimestamp(record.timestamp);
    const day = timestamp.slice(0, 10);
    const plain = isPlainCall(record);
    const template = templates.get(record.cacheKey);
    if (plain && template !== undefined && template.day === day && hasCallValues(template, record)) {
      const row = template.row.slice();
      row[COLUMN_AT.timestamp] = timestamp;
      row[COLUMN_AT.latency_ms] = amount(record.latencyMs);
      return row;
    }
    const row = toRow(record, options, accounts);
    // Rarer calls (semantic matches and checks, embeddings, images) are computed every time.
    if (plain) templates.set(record.cacheKey, { ...callValuesOf(record), day, row });
    return row;
  };
}
