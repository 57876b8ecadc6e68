import { createFaultReporter, describeFault } from "../cache/faults.ts";
import { EcoAIError } from "../errors.ts";
import { CALL_PATH_BUSY_TIMEOUT_MS, CLOSING_BUSY_TIMEOUT_MS, type Database } from "../sqlite/database.ts";
import type { HistoryQuery, Logger, UsageRecord, UsageSummary } from "../types.ts";
import { holdUntilExit } from "./exit-hooks.ts";
import { queryHistory, querySummary } from "./queries.ts";
import type { FootprintConfig } from "./energy-grid.ts";
import { createInsertRate } from "./insert-rate.ts";
import { createLogWriter, goneOnce } from "./log-writer.ts";
import type { PriceOverrides } from "./pricing.ts";
import { isRowOf, ROW_IDENTITY_SELECT, type NewUsageRecord } from "./row.ts";
import type { UsageSink } from "./sinks.ts";
import { receiveFault, type WriteReply } from "./write-protocol.ts";
import { createOffThreadWrites } from "./write-thread.ts";

export type { NewUsageRecord } from "./row.ts";

export interface UsageLogOptions {
  /** @default ".ecoai/usage.db" */
  path?: string;
  logger: Logger;
  /** The `pricing` option: list prices that replace or add to the built-in table. */
  pricing?: PriceOverrides;
  /** The CO₂ options in force (grid, embodied emissions), read at each write so a changed settings file applies. */
  footprint?: () => FootprintConfig;
  /**
   * Pending rows are written at least this often, in one transaction, off the call's path; after
   * a failed write, this is also the wait before the next attempt.
   * @default 250
   */
  flushIntervalMs?: number;
  /**
   * Pending rows that trigger an immediate write.
   * @default 500
   */
  maxPending?: number;
  /**
   * How long a write made in the background (by the timer, or once `maxPending` rows wait) takes
   * before it commits, the rest following at the next turn of the event loop. On the write thread
   * (write-thread.ts) a slice bounds how long the log's write lock is held (other processes
   * writing the log wait for it); where no such thread runs, how long the event loop is held: a
   * call in flight waits for one short slice, never for a whole batch. It grows with the rows
   * waiting past `maxPending`, so a backlog drains even when every turn is busy. At least one row
   * is written per slice. `flush()`, `close()` and the exit hooks write everything at once.
   * @default 0.5
   */
  writeSliceMs?: number;
  /**
   * Rows kept in memory while the log cannot be written (locked, full, unopenable). Past this, the
   * oldest are dropped, counted and reported, so an outage never grows memory without bound.
   * @default 50000
   */
  maxBuffered?: number;
}

/** The usage log: buffered writes to SQLite, flushed on a timer, on `close()` and when the process stops. */
export interface UsageLog extends UsageSink {
  /** Queues the call's row; it is priced and written off the call's path. */
  record(record: NewUsageRecord): void;
  /** Writes pending rows now. Returns false when the database could not take them (they stay pending). */
  flush(): boolean;
  summary(): UsageSummary;
  history(query?: HistoryQuery): UsageRecord[];
  /**
   * Writes pending rows, waiting a bounded time for a lock, and closes the file; returns how many
   * rows could not be written (counting a batch the write thread was still writing at the end of
   * the wait, which it may yet write).
   */
  close(): number;
}

/**
 * Opens the usage log at `path`, creating the table and indexes when missing. A log that cannot
 * be opened or written (locked, full, deleted, a folder, garbage) is a fault like a cache fault:
 * one warning, calls go on, rows wait in memory (bounded) and are written once it works again.
 * Rows are written in the background on a thread of their own, where one can run.
 *
 * @example
 * const log = createUsageLog({ path: ".ecoai/usage.db", logger: console });
 * log.summary(); // → { totalCalls: 0, … }
 */
export function createUsageLog(options: UsageLogOptions): UsageLog {
  const path = options.path ?? ".ecoai/usage.db";
  const { logger } = options;
  const maxPending = options.maxPending ?? 500;
  const flushIntervalMs = options.flushIntervalMs ?? 250;
  const maxBuffered = Math.max(maxPending, options.maxBuffered ?? 50_000);
  const writeSliceMs = options.writeSliceMs ?? 0.5;
  const fault = createFaultReporter(logger, `usage log ${path}`, { meanwhile: "calls go on and their rows wait in memory", resumed: "waiting rows written" });
  /** The last reason the log could not be opened or written, for the report of rows left unwritten. */
  let lastFault: unknown;
  /** Rows not yet written, oldest first; a batch on the write thread is not among them. */
  let pending: NewUsageRecord[] = [];
  /** No write is tried before this (after a failure), except on close and at exit. */
  let retryAt = 0;
  let refused = 0;
  let overflowed = 0;
  /** A slice handed to the write thread is the rows written in its time at this rate. */
  const insertRate = createInsertRate();
  /** Whether the batch on the write thread left rows behind, to follow at once as the next slice. */
  let sliceContinues = false;
  /** When the batch on the write thread was handed over. */
  let handedOverAt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let soon: ReturnType<typeof setImmediate> | undefined;
  let closed = false;
  const sayGone = goneOnce(logger, path);
  const writer = createLogWriter(path, { busyTimeoutMs: CALL_PATH_BUSY_TIMEOUT_MS, gone: sayGone });
  const offThread = createOffThreadWrites({ path, pricing: options.pricing, sharedMemorySeen: writer.sharedMemorySeen, ended, returned: giveBack, holds });

  /** The open log on this thread; undefined (and reported) when it cannot be opened. */
  function open(): Database | undefined {
    try {
      return writer.connection().db;
    } catch (error) {
      // A missing SQLite driver is a setup problem, reported by the constructor.
      if (error instanceof EcoAIError) throw error;
      failed(error);
      return undefined;
    }
  }

  function failed(error: unknown): void {
    lastFault = error;
    fault.failed(error, "write");
  }

  /** No write before `flushIntervalMs` after `triedAt`, when the write that failed was tried. */
  function retryLater(triedAt = Date.now()): void {
    retryAt = triedAt + flushIntervalMs;
    schedule();
  }

  function refusedRow(error: unknown): void {
    if (refused++ > 0) return;
    logger.warn(`[ecoai] usage log ${path} refused a row (${describeFault(error)}); it was dropped and the rows after it written, as later refused rows will be`, error);
  }

  /** Past `maxBuffered` rows, the oldest are dropped, in chunks: a long outage costs one copy per tenth of the buffer, not one per call. */
  function bound(): void {
    if (pending.length <= maxBuffered) return;
    const drop = pending.length - Math.floor(maxBuffered * 0.9);
    if (overflowed === 0) logger.warn(`[ecoai] usage log ${path}: ${pending.length} rows waiting; dropping the oldest to bound memory until it can be written`);
    pending = pending.slice(drop);
    overflowed += drop;
  }

  /** Whether the log's row `rowId` is the call `record` (a batch whose thread died as its commit started may be in the log). */
  function holds(rowId: number, record: NewUsageRecord): boolean {
    try {
      return isRowOf(writer.connection(true).db.prepare(ROW_IDENTITY_SELECT).get(rowId), record);
    } catch {
      // Unreadable now: written again rather than risk losing it.
      return false;
    }
  }

  /** Rows back from the write thread, unwritten: they go before the rows recorded since. */
  function giveBack(records: NewUsageRecord[]): void {
    pending = pending.length === 0 ? records : records.concat(pending);
    bound();
  }

  /** A batch ended on the write thread: reported as a write on this thread would have been. */
  function ended(records: NewUsageRecord[], reply: WriteReply, waited: boolean): void {
    for (const { kind, inode } of reply.gone) sayGone(kind, inode);
    insertRate.measured(reply.taken, reply.insertMs);
    if (reply.firstRefusal) refusedRow(receiveFault(reply.firstRefusal));
    if (reply.fault) {
      giveBack(records);
      failed(receiveFault(reply.fault));
      // From the hand-over: the thread's write waited for the lock first, and a lock is reported
      // after failures over a while (faults.ts), which a wait added to every interval would stretch.
      retryLater(handedOverAt);
      return;
    }
    fault.ok("write");
    // The next slice is handed over at once, unless this end was waited for (the caller that
    // waited writes the rest); rows recorded meanwhile wait for the timer, as after a slice here.
    if (sliceContinues || pending.length >= maxPending) {
      if (waited) scheduleSoon();
      else writeSlice();
    } else if (pending.length > 0) schedule();
  }

  /**
   * Writes pending rows on this thread, oldest first, for up to `budgetMs` (at least one row):
   * rows SQLite refuses are dropped, a fault keeps them all pending. False on a fault.
   */
  function write(busyTimeoutMs: number, now = false, budgetMs?: number): boolean {
    if (pending.length === 0) return true;
    const result = writer.write(pending, { account: { overrides: options.pricing, footprint: options.footprint?.() }, busyTimeoutMs, now, budgetMs });
    if (result.firstRefusal !== undefined) refusedRow(result.firstRefusal);
    if (result.fault !== undefined) {
      failed(result.fault);
      return false;
    }
    pending = pending.length === result.taken ? [] : pending.slice(result.taken);
    insertRate.measured(result.taken, result.insertMs);
    fault.ok("write");
    return true;
  }

  function cancelTimers(): void {
    if (timer) clearTimeout(timer);
    if (soon) clearImmediate(soon);
    timer = soon = undefined;
  }

  /** Writes every pending row now, once the batch on the write thread has ended; after a fault, tries again after the interval. */
  function flush(): boolean {
    cancelTimers();
    if (offThread.settle(CLOSING_BUSY_TIMEOUT_MS) && write(CALL_PATH_BUSY_TIMEOUT_MS)) return true;
    retryLater();
    return false;
  }

  /**
   * One slice, the rest at the next turn: handed to the write thread (the end of the batch there
   * hands over the next), or written here. Past `maxPending`, a slice grows with the square of the
   * backlog: a loop of hits that turns the event loop every few milliseconds (letEventLoopTurn)
   * adds hundreds of rows a turn, which slices of a fixed length would never catch up with.
   */
  function writeSlice(): void {
    cancelTimers();
    // Far behind (the thread slowed down), this thread waits for the batch on it rather than let
    // the backlog reach the write of everything here (maxPending × 10).
    if (offThread.busy && (pending.length < maxPending * 5 || !offThread.settle(CLOSING_BUSY_TIMEOUT_MS))) return;
    if (pending.length === 0) return;
    if (Date.now() < retryAt) return schedule();
    const budgetMs = writeSliceMs * Math.max(1, pending.length / maxPending) ** 2;
    const count = insertRate.rowsIn(budgetMs);
    const batch = count >= pending.length ? pending : pending.slice(0, count);
    if (offThread.handOver(batch, options.footprint?.())) {
      handedOverAt = Date.now();
      pending = batch === pending ? [] : pending.slice(count);
      sliceContinues = pending.length > 0;
      return;
    }
    if (!write(CALL_PATH_BUSY_TIMEOUT_MS, false, budgetMs)) retryLater();
    else if (pending.length > 0) scheduleSoon();
  }

  function scheduleSoon(): void {
    if (soon || closed) return;
    soon = setImmediate(writeSlice);
    soon.unref?.();
  }

  function schedule(): void {
    if (timer || closed) return;
    timer = setTimeout(writeSlice, Math.max(flushIntervalMs, retryAt - Date.now()));
    // The log must never keep a finished program alive; the exit hook writes what is left.
    (timer as { unref?: () => void }).unref?.();
  }

  /** Writes what is pending with the closing wait for locks; reports (once) the rows it could not write. */
  function drain(): number {
    cancelTimers();
    offThread.settle(CLOSING_BUSY_TIMEOUT_MS);
    write(CLOSING_BUSY_TIMEOUT_MS, true);
    const left = pending.length + offThread.rowsOnThread;
    if (left > 0 || overflowed > 0) {
      const cause = lastFault;
      const parts = [left > 0 ? `${left} usage rows could not be written` : "", overflowed > 0 ? `${overflowed} older rows were dropped while it was unavailable` : ""];
      logger.warn(`[ecoai] usage log ${path}: ${parts.filter(Boolean).join("; ")}${cause ? ` (${describeFault(cause)})` : ""}`);
      overflowed = 0;
    }
    return left;
  }

  function requireOpen(): Database {
    flush();
    const current = open();
    if (current) return current;
    throw new EcoAIError("ECOAI_USAGE_LOG_UNAVAILABLE", `the usage log ${path} cannot be read (${describeFault(lastFault)}): fix or remove the file, or pass another logPath.`, { cause: lastFault });
  }

  let release = () => {};
  const log: UsageLog = {
    record(record) {
      if (closed) throw new EcoAIError("ECOAI_CLOSED", "the usage log is closed");
      pending.push(record);
      bound();
      // A full batch goes to the write thread from here when it is free (a loop of hits served
      // from memory may not let the event loop turn for a long while), else it is written on the
      // next turn, not inside this call. Far behind (maxPending × 5), the thread's batch is waited
      // for and the next handed over from here: a loop that never lets the event loop turn would
      // otherwise reach the write of everything here, on the call's path, rows the thread could
      // have written meanwhile. Only a caller that never yields, with no thread to write for it,
      // pays for a write inline, to bound memory. After a failure, nothing is tried before the
      // retry time: a locked log costs calls nothing.
      if (Date.now() < retryAt) schedule();
      else if (pending.length >= maxPending * 10) flush();
      else if (pending.length >= maxPending) offThread.takeEnded() || pending.length >= maxPending * 5 ? writeSlice() : scheduleSoon();
      else schedule();
    },
    flush: () => flush(),
    summary() {
      return querySummary(requireOpen(), {}, options.footprint?.());
    },
    history(query = {}) {
      return queryHistory(requireOpen(), query);
    },
    close() {
      if (closed) return 0;
      closed = true;
      release();
      const left = drain();
      offThread.close(CLOSING_BUSY_TIMEOUT_MS);
      writer.close();
      return left;
    },
  };
  // Opened now, so a log that cannot be opened is reported at start rather than at the first write.
  open();
  release = holdUntilExit({ drain, close: () => log.close() });
  return log;
}
