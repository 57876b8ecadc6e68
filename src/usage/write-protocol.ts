/**
 * What the main thread and the usage write thread say to each other (see write-thread.ts). Each
 * log has a port of its own, and shared words: the state word (see thread-state.ts) and the
 * outcome of the last batch, which the main thread reads while it waits, blocked, for a batch to
 * end (a reply cannot be received by a blocked thread's event loop; it is taken from the port
 * synchronously instead).
 *
 * @module
 */
import type { MessagePort } from "node:worker_threads";
import { sqliteCode } from "../sqlite/errors.ts";
import type { EncodedBatch } from "./batch-encoding.ts";
import type { FootprintConfig } from "./energy-grid.ts";
import type { GoneKind } from "./log-writer.ts";
import type { PriceOverrides } from "./pricing.ts";

/** Index of the state word (thread-state.ts), in the log's shared words. */
export const STATE_WORD = 0;
/** The number of the last batch that ran to its end (written or failed). */
export const DONE_WORD = 1;
/** How that batch ended: {@link WRITTEN} or {@link FAILED}. */
export const OUTCOME_WORD = 2;
/** Batches up to this number were taken back by the main thread: the thread skips them. */
export const CANCELLED_WORD = 3;
/** Set once the thread closed its connection to the log. */
export const CLOSED_WORD = 4;
/**
 * The number of the batch whose rows are all inserted and whose commit starts: a thread that dies
 * before it sets {@link DONE_WORD} may or may not have committed it, which the main thread then
 * reads from the log itself, by the last row inserted (see {@link markCommitting}).
 */
const COMMITTING_WORD = 5;
/** The rowid of that batch's last row inserted, high and low 32 bits. */
const LAST_ROW_WORDS = [6, 7] as const;
/** Its place in the batch; -1 when SQLite refused every row. */
const LAST_INDEX_WORD = 8;
export const SHARED_WORDS = 9;

export const WRITTEN = 1;
export const FAILED = 2;

/**
 * On the thread, once `batch`'s rows are inserted and just before its commit: its last row
 * inserted (rowid and place in the batch; -1 when SQLite refused every row).
 */
export function markCommitting(words: Int32Array, batch: number, lastRowId: number | undefined, lastIndex: number): void {
  Atomics.store(words, LAST_ROW_WORDS[0], Math.floor((lastRowId ?? 0) / 2 ** 32));
  Atomics.store(words, LAST_ROW_WORDS[1], (lastRowId ?? 0) % 2 ** 32);
  Atomics.store(words, LAST_INDEX_WORD, lastIndex);
  Atomics.store(words, COMMITTING_WORD, batch);
}

/**
 * On the main thread, for a batch whose thread died before saying it ended: the last row it
 * inserted if its commit had started, which is in the log exactly when the commit happened;
 * undefined when it had not started, or every row was refused.
 */
export function committingRow(words: Int32Array, batch: number): { rowId: number; index: number } | undefined {
  const index = Atomics.load(words, LAST_INDEX_WORD);
  if (Atomics.load(words, COMMITTING_WORD) !== batch || index < 0) return undefined;
  return { rowId: (Atomics.load(words, LAST_ROW_WORDS[0]) >>> 0) * 2 ** 32 + (Atomics.load(words, LAST_ROW_WORDS[1]) >>> 0), index };
}

export const OPEN_MESSAGE = "open";
/** The thread's answer to {@link OPEN_MESSAGE}, once it tried to open the log (a failure is found by the first write). */
export const OPENED_MESSAGE = "opened";
export const WRITE_MESSAGE = "write";
export const CLOSE_MESSAGE = "close";

/** A log to write from now on, sent to the thread itself; everything else goes through `port`. */
export interface OpenMessage {
  type: typeof OPEN_MESSAGE;
  path: string;
  /** The `pricing` option. */
  pricing: PriceOverrides | undefined;
  /** The log's shared words (an `Int32Array` of {@link SHARED_WORDS} over it). */
  shared: SharedArrayBuffer;
  /** The size of the file's shared memory the main thread saw (see shared-memory.ts). */
  sharedMemorySeen: SharedArrayBuffer;
  port: MessagePort;
}

export type LogMessage =
  /**
   * Write these rows in one transaction, priced with these CO₂ options. The records are sent
   * encoded by batch-encoding.ts (each distinct call once, as JSON, which costs the main thread
   * half what a structured clone does); what JSON changes (`NaN` to `null`, `-0` to `0`,
   * `undefined` left out) `toRow` reads the same.
   */
  | ({ type: typeof WRITE_MESSAGE; batch: number; footprint: FootprintConfig | undefined } & EncodedBatch)
  /** The log is closing: close the connection, then set {@link CLOSED_WORD}. */
  | { type: typeof CLOSE_MESSAGE };

/** An error as sent between threads: what reports and fault handling read of it. */
export interface SentFault {
  name: string;
  message: string;
  /** The SQLite result code (`SQLITE_BUSY`), which tells a lock from damage. */
  code: string | undefined;
}

/** What the thread posts on a log's port. */
export type LogReply = { type: typeof OPENED_MESSAGE } | WriteReply;

/** The end of a batch, posted before its outcome is set in the shared words. */
export interface WriteReply {
  type?: undefined;
  batch: number;
  /** Rows written or refused: the whole batch, or 0 after a fault. */
  taken: number;
  /** How long its inserts took on the thread (see LogWriteResult). */
  insertMs: number;
  fault?: SentFault;
  firstRefusal?: SentFault;
  /** Files given up since the last reply, deleted or replaced while open. */
  gone: { kind: GoneKind; inode: number | undefined }[];
}

export function sendFault(error: unknown): SentFault {
  const { name, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
  return { name, message, code: sqliteCode(error) };
}

export function receiveFault(sent: SentFault): Error {
  const error = new Error(sent.message);
  error.name = sent.name;
  return sent.code === undefined ? error : Object.assign(error, { code: sent.code });
}
