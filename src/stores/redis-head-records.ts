/**
 * The records of a scope's packed headers in Redis (`<prefix>heads:<scope>`, see
 * `redis-heads.ts`): one string, a 24-byte preamble then one record per semantic write, appended
 * in the write's transaction, so a cold load reads a scope's headers with a few range reads.
 *
 * Preamble: state (`C` complete, `B` being built from the scope's listing), a 7-character token
 * that changes whenever the string is rewritten (so a reader of several ranges knows they belong
 * together), and the string's length after its last rewrite as 16 decimal digits (what the
 * appends are measured against to decide when stale records are compacted away).
 *
 * Record, little-endian: the code's header (`CODE_HEADER_BYTES`), the whole code's length (u32),
 * the entry's write time (f64), the key's length in bytes (u16), the key (UTF-8). A key of 64
 * lowercase hex digits (a SHA-256, as cache keys are) is kept as its 32 bytes, its length
 * flagged with {@link HEX_KEY}: a quarter less to read on a cold load.
 *
 * @module
 */
import { DIGEST_BYTES } from "../cache/key-slots.ts";
import { CODE_HEADER_BYTES } from "../cache/vector-code.ts";
import type { VectorBatch } from "./store.ts";

export const PREAMBLE_BYTES = 24;
/** Bytes of a record before its key. */
const FIXED_BYTES = CODE_HEADER_BYTES + 4 + 8 + 2;
const LENGTH_AT = CODE_HEADER_BYTES;
const TIME_AT = CODE_HEADER_BYTES + 4;
const KEY_LENGTH_AT = CODE_HEADER_BYTES + 12;
/** Set in a record's key length when the key is kept as the bytes its hex digits stand for. */
const HEX_KEY = 0x8000;
const HEX_DIGEST = /^[0-9a-f]{64}$/;
/** Records handed over per batch. */
const BATCH_RECORDS = 4096;

/** A preamble: `state`, a fresh token, and `length` (the string's whole length once written). */
export function preamble(state: "C" | "B", length: number): string {
  return state + freshToken() + String(length).padStart(16, "0");
}

/** Seven characters that tell one rewrite of a string from another. */
export function freshToken(): string {
  return Math.random().toString(36).slice(2, 9).padEnd(7, "0");
}

/**
 * The record of one semantic write: its code's header (the code's first bytes), the whole code's
 * length, its write time and key; undefined for a key too long to record (its entry is still
 * found: a whole listing adds what the records lack).
 */
export function headRecord(key: string, createdAt: number, code: Uint8Array, codeBytes = code.byteLength): Buffer | undefined {
  const hex = HEX_DIGEST.test(key);
  const keyBytes = hex ? DIGEST_BYTES : Buffer.byteLength(key);
  if (keyBytes >= HEX_KEY) return undefined;
  const record = Buffer.alloc(FIXED_BYTES + keyBytes);
  record.set(code.subarray(0, CODE_HEADER_BYTES), 0);
  record.writeUInt32LE(codeBytes, LENGTH_AT);
  record.writeDoubleLE(createdAt, TIME_AT);
  record.writeUInt16LE(hex ? HEX_KEY | keyBytes : keyBytes, KEY_LENGTH_AT);
  record.write(key, FIXED_BYTES, hex ? "hex" : "utf8");
  return record;
}

/**
 * One record read back, at `offset` of the bytes it was read from, `bytes` long; its key is the
 * `keyBytes` at `keyAt` (a digest's 32 bytes when `hexKey`), read with {@link recordKey}.
 */
export interface HeadRecord {
  createdAt: number;
  codeBytes: number;
  offset: number;
  bytes: number;
  hexKey: boolean;
  keyAt: number;
  keyBytes: number;
}

/** The key of `record`, read from the `bytes` it lies in. */
export function recordKey(bytes: Buffer, record: HeadRecord): string {
  return bytes.toString(record.hexKey ? "hex" : "utf8", record.keyAt, record.keyAt + record.keyBytes);
}

/**
 * Visits the whole records of `bytes` in order; returns where the first incomplete one starts
 * (the rest of it comes with the next range read). The record visited is one object, rewritten
 * for each (a load visits 100,000), and its key is left in the bytes (100,000 strings are most of
 * a load's time when made up front): copy what is kept.
 */
export function forEachRecord(bytes: Buffer, visit: (record: HeadRecord) => void): number {
  const record: HeadRecord = { createdAt: 0, codeBytes: 0, offset: 0, bytes: 0, hexKey: false, keyAt: 0, keyBytes: 0 };
  let offset = 0;
  while (offset + FIXED_BYTES <= bytes.byteLength) {
    const keyLength = bytes.readUInt16LE(offset + KEY_LENGTH_AT);
    const length = FIXED_BYTES + (keyLength & ~HEX_KEY);
    if (offset + length > bytes.byteLength) break;
    record.createdAt = bytes.readDoubleLE(offset + TIME_AT);
    record.codeBytes = bytes.readUInt32LE(offset + LENGTH_AT);
    record.offset = offset;
    record.bytes = length;
    record.hexKey = (keyLength & HEX_KEY) !== 0;
    record.keyAt = offset + FIXED_BYTES;
    record.keyBytes = keyLength & ~HEX_KEY;
    visit(record);
    offset += length;
  }
  return offset;
}

/**
 * A batch of headers from records. Keys recorded as digests are handed over as their bytes
 * (`digests`, which the index reads as they are) and made strings only when `keys` is read.
 */
class HeadBatch implements VectorBatch {
  readonly headsOnly = true;
  private named: string[] | undefined;

  constructor(
    readonly count: number,
    readonly createdAt: Float64Array,
    readonly codeBytes: number,
    readonly codes: Uint8Array,
    readonly digests: Uint8Array | undefined,
    named: string[] | undefined,
  ) {
    this.named = named;
  }

  get keys(): string[] {
    if (this.named) return this.named;
    const digests = Buffer.from(this.digests!.buffer, this.digests!.byteOffset, this.count * DIGEST_BYTES);
    const keys = new Array<string>(this.count);
    for (let i = 0; i < this.count; i++) keys[i] = digests.toString("hex", i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES);
    return (this.named = keys);
  }
}

/**
 * Gathers records into header-only batches (codes of one length, keys all digests or none, up to
 * `BATCH_RECORDS`) and hands each to `each` once full, when the length or the kind of key
 * changes, and at `flush`.
 */
export function headBatcher(each: (batch: VectorBatch) => void) {
  let count = 0;
  let named: string[] = [];
  let createdAt = new Float64Array(BATCH_RECORDS);
  let codes = new Uint8Array(BATCH_RECORDS * CODE_HEADER_BYTES);
  let digests = new Uint8Array(BATCH_RECORDS * DIGEST_BYTES);
  let codeBytes = 0;
  let hex = true;
  const flush = () => {
    if (count === 0) return;
    each(new HeadBatch(count, createdAt.subarray(0, count), codeBytes, codes.subarray(0, count * CODE_HEADER_BYTES), hex ? digests.subarray(0, count * DIGEST_BYTES) : undefined, hex ? undefined : named));
    count = 0;
    named = [];
    createdAt = new Float64Array(BATCH_RECORDS);
    codes = new Uint8Array(BATCH_RECORDS * CODE_HEADER_BYTES);
    digests = new Uint8Array(BATCH_RECORDS * DIGEST_BYTES);
  };
  return {
    add(bytes: Buffer, record: HeadRecord): void {
      if (record.codeBytes !== codeBytes || record.hexKey !== hex || count === BATCH_RECORDS) {
        flush();
        codeBytes = record.codeBytes;
        hex = record.hexKey;
      }
      bytes.copy(codes, count * CODE_HEADER_BYTES, record.offset, record.offset + CODE_HEADER_BYTES);
      if (hex) bytes.copy(digests, count * DIGEST_BYTES, record.keyAt, record.keyAt + DIGEST_BYTES);
      else named.push(recordKey(bytes, record));
      createdAt[count++] = record.createdAt;
    },
    flush,
  };
}
