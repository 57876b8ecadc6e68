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
import { amount, COLUMN_AT, isoTimestamp, toRow, type AccountOptions, type CallAccount, type NewUsageRecord } from "./row.ts";

/**
 * What a row computed in full was computed from, copied from its record (the engine's records
 * share objects, such as a stored entry's usage, which must not change a row already made), and the row.
 */
interface Template {
  provider: unknown;
  model: unknown;
  cacheHit: unknown;
  semanticHit: unknown;
  namespace: unknown;
  prompt: unknown;
  promptType: unknown;
  inputTokens: unknown;
  cachedInputTokens: unknown;
  outputTokens: unknown;
  cacheWriteInputTokens: unknown;
  reasoningTokens: unknown;
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
    const template = templates.get(record.cacheKey);
    if (template !== undefined && template.day === day && sameCall(template, record)) {
      const row = template.row.slice();
      row[COLUMN_AT.timestamp] = timestamp;
      row[COLUMN_AT.latency_ms] = amount(record.latencyMs);
      return row;
    }
    const row = toRow(record, options, accounts);
    // Rarer calls (semantic matches and checks, embeddings, images) are computed every time.
    const usage = record.usage;
    if (plain(record) && usage !== null && typeof usage === "object") {
      const { provider, model, cacheHit, semanticHit, namespace, prompt, promptType } = record;
      const { inputTokens, cachedInputTokens, outputTokens, cacheWriteInputTokens, reasoningTokens } = usage;
      templates.set(record.cacheKey, { provider, model, cacheHit, semanticHit, namespace, prompt, promptType, inputTokens, cachedInputTokens, outputTokens, cacheWriteInputTokens, reasoningTokens, day, row });
    }
    return row;
  };
}

/** Whether the record's call had no semantic match or check, embedding or images: its row is all its template's but two columns. */
function plain(record: NewUsageRecord): boolean {
  return record.match === undefined && record.embedding === undefined && record.check === undefined && record.usage?.images === undefined;
}

/** Whether `record` has every value its row is computed from, but its timestamp and latency, the template's. */
function sameCall(template: Template, record: NewUsageRecord): boolean {
  const usage = record.usage;
  return (
    record.provider === template.provider &&
    record.model === template.model &&
    record.cacheHit === template.cacheHit &&
    record.semanticHit === template.semanticHit &&
    record.namespace === template.namespace &&
    record.prompt === template.prompt &&
    record.promptType === template.promptType &&
    usage !== null &&
    typeof usage === "object" &&
    usage.inputTokens === template.inputTokens &&
    usage.cachedInputTokens === template.cachedInputTokens &&
    usage.outputTokens === template.outputTokens &&
    usage.cacheWriteInputTokens === template.cacheWriteInputTokens &&
    usage.reasoningTokens === template.reasoningTokens &&
    plain(record)
  );
}
