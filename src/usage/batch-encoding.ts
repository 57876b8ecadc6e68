/**
 * A batch of usage records as the main thread hands it to the write thread. A server of cache
 * hits records the same few calls over and over, differing only in when each ended and how long
 * it took: each distinct call is sent once, as JSON, and each record as three numbers (its call,
 * its timestamp, its latency). Serialising every record as JSON took 8% of the main thread's time
 * at 64 concurrent callers; the thread, reading each call once, shares its values between its
 * records, which batch-rows.ts then finds equal at a glance.
 *
 * @module
 */
import { callValuesOf, hasCallValues, isPlainCall, type CallValues } from "./call-values.ts";
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

/** Cache keys a batch encoder keeps the calls of, past which it forgets them all. */
const KEPT_CALLS = 4096;
/** Calls it keeps of one cache key. */
const KEPT_PER_KEY = 8;

/** A call whose JSON was written: its values, and where it is in the batch being encoded. */
interface KnownCall extends CallValues {
  json: string;
  /** The batch it was last sent in, and its index among that batch's calls. */
  batch: number;
  index: number;
}

/** Encodes the batches of one log, in turn; see {@link encodeBatch}. */
export type BatchEncoder = (records: readonly NewUsageRecord[]) => EncodedBatch;

/**
 * An encoder that keeps the JSON of the plain calls it sent (a hit of an entry: no semantic
 * match or check, embedding or images) for the next batches, which mostly hit the same entries.
 * Decoded, each record reads as its JSON would (what JSON changes, `NaN` to `null`, `-0` to `0`,
 * `undefined` left out, is changed alike), so its row is the same.
 *
 * @example
 * const encode = createBatchEncoder();
 * const { calls, rows } = encode(records); // → sent to the write thread
 */
export function createBatchEncoder(): BatchEncoder {
  /** Known calls by their cache key: a key's records are mostly of one call (a hit of its entry). */
  let known = new Map<unknown, KnownCall[]>();
  let batch = 0;
  return (records) => {
    if (known.size > KEPT_CALLS) known = new Map();
    batch++;
    const calls: string[] = [];
    const rows = new Float64Array(records.length * ROW_NUMBERS);
    for (let i = 0, at = 0; i < records.length; i++, at += ROW_NUMBERS) {
      const record = records[i]!;
      const { timestamp, latencyMs } = record;
      if (typeof timestamp !== "number" || !Number.isFinite(timestamp) || typeof latencyMs !== "number" || !Number.isFinite(latencyMs)) {
        rows[at] = calls.push(JSON.stringify(record)) - 1;
        rows[at + 1] = rows[at + 2] = Number.NaN;
        continue;
      }
      rows[at] = isPlainCall(record) ? knownCall(record, calls) : calls.push(JSON.stringify(record)) - 1;
      // JSON writes -0 as 0.
      rows[at + 1] = timestamp === 0 ? 0 : timestamp;
      rows[at + 2] = latencyMs === 0 ? 0 : latencyMs;
    }
    return { calls: `[${calls.join(",")}]`, rows };
  };

  /** The index of the plain `record`'s call among this batch's `calls`, adding its JSON when it is not there yet. */
  function knownCall(record: NewUsageRecord, calls: string[]): number {
    const same = known.get(record.cacheKey);
    let call: KnownCall | undefined;
    if (same) {
      for (let k = 0; k < same.length && !call; k++) if (hasCallValues(same[k]!, record)) call = same[k];
    }
    if (!call) {
      call = { ...callValuesOf(record), json: JSON.stringify(record), batch: 0, index: 0 };
      // A key's calls are a handful (a hit and a miss, a few namespaces); more, such as a count
      // that is NaN (never equal to itself), start the key's list again.
      if (!same) known.set(record.cacheKey, [call]);
      else if (same.length < KEPT_PER_KEY) same.push(call);
      else same.splice(0, same.length, call);
    }
    if (call.batch !== batch) {
      call.batch = batch;
      call.index = calls.push(call.json) - 1;
    }
    return call.index;
  }
}

/** Encodes one batch, keeping nothing for the next; see {@link createBatchEncoder}. */
export function encodeBatch(records: readonly NewUsageRecord[]): EncodedBatch {
  return createBatchEncoder()(records);
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
