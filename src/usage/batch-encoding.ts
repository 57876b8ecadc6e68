/**
 * A batch of usage records as the main thread hands it to the write thread. A server of cache
 * hits records the same few calls over and over, differing only in when each ended and how long
 * it took: each distinct call is sent once, as JSON, and each record as three numbers (its call,
 * its timestamp, its latency). Serialising every record as JSON cost the main thread about a
 * tenth of a hit's time at 64 concurrent callers (the JSON text, then its copy to the thread).
 *
 * @module
 */
import type { NewUsageRecord } from "./row.ts";

/** Numbers a record takes in {@link EncodedBatch.rows}. */
const ROW_NUMBERS = 3;

/** A batch as sent between threads. */
export interface EncodedBatch {
  /** JSON of the batch's distinct calls: for each, the first record of it. */
  calls: string;
  /**
   * Per record: the index of its call in `calls`, then its timestamp and latency, or `NaN` for
   * both when they are not finite numbers (its call is then the record itself, alone).
   */
  rows: Float64Array<ArrayBuffer>;
}

/**
 * The batch as sent to the write thread. Decoded, each record reads as its JSON would (what JSON
 * changes, `NaN` to `null`, `-0` to `0`, `undefined` left out, is changed alike), so its row is
 * the same.
 *
 * @example
 * const { calls, rows } = encodeBatch(records);
 * port.postMessage({ calls, rows }, [rows.buffer]);
 */
export function encodeBatch(records: readonly NewUsageRecord[]): EncodedBatch {
  const calls: NewUsageRecord[] = [];
  /** Calls by their cache key: a key's records are mostly of one call (a hit of its entry). */
  const byKey = new Map<unknown, number[]>();
  const rows = new Float64Array(records.length * ROW_NUMBERS);
  for (let i = 0, at = 0; i < records.length; i++, at += ROW_NUMBERS) {
    const record = records[i]!;
    const { timestamp, latencyMs } = record;
    if (typeof timestamp !== "number" || !Number.isFinite(timestamp) || typeof latencyMs !== "number" || !Number.isFinite(latencyMs)) {
      rows[at] = calls.push(record) - 1;
      rows[at + 1] = rows[at + 2] = Number.NaN;
      continue;
    }
    let call = -1;
    const known = byKey.get(record.cacheKey);
    if (known) {
      for (let k = 0; k < known.length; k++) {
        if (sameCall(calls[known[k]!]!, record)) {
          call = known[k]!;
          break;
        }
      }
    }
    if (call < 0) {
      call = calls.push(record) - 1;
      if (known) known.push(call);
      else byKey.set(record.cacheKey, [call]);
    }
    rows[at] = call;
    // JSON writes -0 as 0.
    rows[at + 1] = timestamp === 0 ? 0 : timestamp;
    rows[at + 2] = latencyMs === 0 ? 0 : latencyMs;
  }
  return { calls: JSON.stringify(calls), rows };
}

/** The records of a batch as {@link encodeBatch} sent them; the records of one call share its values. */
export function decodeBatch({ calls, rows }: EncodedBatch): NewUsageRecord[] {
  const decoded = JSON.parse(calls) as NewUsageRecord[];
  const records = new Array<NewUsageRecord>(rows.length / ROW_NUMBERS);
  for (let i = 0, at = 0; i < records.length; i++, at += ROW_NUMBERS) {
    const call = decoded[rows[at]!]!;
    const timestamp = rows[at + 1]!;
    records[i] = Number.isNaN(timestamp) ? call : { ...call, timestamp, latencyMs: rows[at + 2]! };
  }
  return records;
}

/**
 * Whether `record` is `call` but for its timestamp and latency, in every value a row is computed
 * from (`toRow` reads nothing else): its JSON would be the call's JSON with those two changed.
 */
function sameCall(call: NewUsageRecord, record: NewUsageRecord): boolean {
  return (
    record.provider === call.provider &&
    record.model === call.model &&
    record.cacheHit === call.cacheHit &&
    record.semanticHit === call.semanticHit &&
    record.cacheKey === call.cacheKey &&
    record.namespace === call.namespace &&
    record.prompt === call.prompt &&
    record.promptType === call.promptType &&
    record.match === call.match &&
    record.embedding === call.embedding &&
    record.check === call.check &&
    sameUsage(call.usage, record.usage)
  );
}

function sameUsage(a: NewUsageRecord["usage"], b: NewUsageRecord["usage"]): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  return (
    a.inputTokens === b.inputTokens &&
    a.cachedInputTokens === b.cachedInputTokens &&
    a.outputTokens === b.outputTokens &&
    a.cacheWriteInputTokens === b.cacheWriteInputTokens &&
    a.reasoningTokens === b.reasoningTokens &&
    a.images === b.images
  );
}
