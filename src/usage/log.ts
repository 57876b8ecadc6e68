import { statSync } from "node:fs";
import { createFaultReporter, describeFault } from "../cache/faults.ts";
import { EcoAIError } from "../errors.ts";
import { CALL_PATH_BUSY_TIMEOUT_MS, CLOSING_BUSY_TIMEOUT_MS, type Database } from "../sqlite/database.ts";
import { isRowRejected } from "../sqlite/errors.ts";
import { createReopeningFile } from "../sqlite/reopening-file.ts";
import type { HistoryQuery, Logger, UsageRecord, UsageSummary } from "../types.ts";
import { holdUntilExit } from "./exit-hooks.ts";
import { queryHistory, querySummary } from "./queries.ts";
import type { FootprintConfig } from "./energy-grid.ts";
import type { PriceOverrides } from "./pricing.ts";
import { toRow, type CallAccount, type NewUsageRecord } from "./row.ts";
import { prepareRowInserts, type RowInserts } from "./row-inserts.ts";
import { openUsageSchema } from "./schema.ts";
import type { UsageSink } from "./sinks.ts";

export type { NewUsageRecord } from "./row.ts";

/** Rows inserted between two looks at SQLite's shared memory (an `fstat`, a few microseconds). */
const PROTECT_EVERY_ROWS = 16;

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
   * How long a write made in the background (by the timer, or once `maxPending` rows wait) may
   * hold the event loop before it commits and lets other work run, the rest following at the next
   * turn: a call in flight then waits for one short slice, never for a whole batch. It grows with
   * the rows waiting past `maxPending`, so a backlog drains even when every turn is busy. At least
   * one row is written per slice. `flush()`, `close()` and the exit hooks write everything at once.
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
  /** Writes pending rows, waiting a bounded time for a lock, and closes the file; returns how many rows could not be written. */
  close(): number;
}

interface Connection {
  db: Database;
  inserts: RowInserts;
  /** The file's inode when opened: a different one (or none) at the path means it was deleted or replaced. */
  inode: number | undefined;
}

/**
 * Opens the usage log at `path`, creating the table and indexes when missing. A log that cannot
 * be opened or written (locked, full, deleted, a folder, garbage) is a fault like a cache fault:
 * one warning, calls go on, rows wait in memory (bounded) and are written once it works again.
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
  let pending: NewUsageRecord[] = [];
  /** No write is tried before this (after a failure), except on close and at exit. */
  let retryAt = 0;
  let refused = 0;
  let overflowed = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let soon: ReturnType<typeof setImmediate> | undefined;
  let closed = false;
  const file = createReopeningFile(path, (): Connection => {
    const db = openUsageSchema(path, { busyTimeoutMs: CALL_PATH_BUSY_TIMEOUT_MS });
    return { db, inserts: prepareRowInserts(db), inode: statSync(path, { throwIfNoEntry: false })?.ino };
  });

  /** The open log, still the file at `path`; undefined (and reported) when it cannot be opened. `now`: try even within the wait after a failure. */
  function open(now = false): Connection | undefined {
    let gone: string | undefined;
    const current = file.current;
    if (current) {
      // Deleted or replaced while open: rows written to the old file would vanish with it.
      const inode = statSync(path, { throwIfNoEntry: false })?.ino;
      if (inode === current.inode) return current;
      gone = inode === undefined ? "deleted" : "replaced";
      file.giveUp();
    }
    try {
      const opened = file.connection(now);
      if (gone) logger.warn(`[ecoai] usage log ${path} was ${gone} while in use; rows from now on go to a new log there`);
      return opened;
    } catch (error) {
      // A missing SQLite driver is a setup problem, reported by the constructor.
      if (error instanceof EcoAIError) throw error;
      failed(gone ? new Error(`it was ${gone} while in use and ${(error as Error).message}`, { cause: error }) : error);
      return undefined;
    }
  }

  function failed(error: unknown): void {
    lastFault = error;
    fault.failed(error, "write");
  }

  /**
   * Writes pending rows, oldest first, for up to `budgetMs` (at least one row): rows SQLite
   * refuses are dropped, a fault keeps them all pending. False on a fault.
   */
  function write(busyTimeoutMs: number, now = false, budgetMs = Number.POSITIVE_INFINITY): boolean {
    if (pending.length === 0) return true;
    const current = open(now);
    if (!current) return false;
    const batch = pending;
    const startedAt = performance.now();
    let written = 0;
    let firstRefusal: unknown;
    try {
      const account = { overrides: options.pricing, footprint: options.footprint?.() };
      // Rows of a batch that differ only in what pricing ignores (the same entry hit again) are priced once.
      const accounts = new Map<string, CallAccount>();
      // One prepared statement per row, in one transaction: measured as fast as multi-row
      // inserts of 16 to 100 rows (whose arguments cost a copy of every value).
      if (busyTimeoutMs !== CALL_PATH_BUSY_TIMEOUT_MS) current.db.setBusyTimeout(busyTimeoutMs);
      file.transaction(({ inserts }) => {
        written = 0;
        do {
          // A cut of the shared memory while this runs kills the process at SQLite's next touch
          // of it: looked at every few rows (and by the transaction before its commit).
          if (written % PROTECT_EVERY_ROWS === PROTECT_EVERY_ROWS - 1) file.protectSharedMemory();
          try {
            inserts.insert(toRow(batch[written]!, account, accounts));
          } catch (error) {
            // One bad row must not hold back the rows behind it (nor be retried for ever).
            if (!isRowRejected(error)) throw error;
            firstRefusal ??= error;
          }
          written++;
        } while (written < batch.length && performance.now() - startedAt < budgetMs);
      });
    } catch (error) {
      failed(error);
      return false;
    } finally {
      if (file.current === current && busyTimeoutMs !== CALL_PATH_BUSY_TIMEOUT_MS) current.db.setBusyTimeout(CALL_PATH_BUSY_TIMEOUT_MS);
    }
    pending = pending.length === written ? [] : pending.slice(written);
    if (firstRefusal !== undefined && refused++ === 0) {
      logger.warn(`[ecoai] usage log ${path} refused a row (${describeFault(firstRefusal)}); it was dropped and the rows after it written, as later refused rows will be`, firstRefusal);
    }
    fault.ok("write");
    return true;
  }

  /** Writes pending rows, all of them (`budgetMs` unset) or one slice; after a fault, tries again after the interval. */
  function flush(budgetMs?: number): boolean {
    if (timer) clearTimeout(timer);
    if (soon) clearImmediate(soon);
    timer = soon = undefined;
    if (write(CALL_PATH_BUSY_TIMEOUT_MS, false, budgetMs)) return true;
    retryAt = Date.now() + flushIntervalMs;
    schedule();
    return false;
  }

  /**
   * One slice, the rest at the next turn. Past `maxPending`, a slice grows with the square of the
   * backlog: a loop of hits that turns the event loop every few milliseconds (letEventLoopTurn)
   * adds hundreds of rows a turn, which slices of a fixed length would never catch up with.
   */
  function writeSlice(): void {
    if (flush(writeSliceMs * Math.max(1, pending.length / maxPending) ** 2) && pending.length > 0) scheduleSoon();
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
    if (timer) clearTimeout(timer);
    if (soon) clearImmediate(soon);
    timer = soon = undefined;
    write(CLOSING_BUSY_TIMEOUT_MS, true);
    const left = pending.length;
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
    if (current) return current.db;
    throw new EcoAIError("ECOAI_USAGE_LOG_UNAVAILABLE", `the usage log ${path} cannot be read (${describeFault(lastFault)}): fix or remove the file, or pass another logPath.`, { cause: lastFault });
  }

  let release = () => {};
  const log: UsageLog = {
    record(record) {
      if (closed) throw new EcoAIError("ECOAI_CLOSED", "the usage log is closed");
      pending.push(record);
      if (pending.length > maxBuffered) {
        // Dropped in chunks, so a long outage costs one copy per tenth of the buffer, not one per call.
        const drop = pending.length - Math.floor(maxBuffered * 0.9);
        if (overflowed === 0) logger.warn(`[ecoai] usage log ${path}: ${pending.length} rows waiting; dropping the oldest to bound memory until it can be written`);
        pending = pending.slice(drop);
        overflowed += drop;
      }
      // A full batch is written on the next turn of the event loop, not inside this call; only a
      // caller that never yields (a tight loop of hits) pays for a write inline, to bound memory.
      // After a failure, nothing is tried before the retry time: a locked log costs calls nothing.
      if (Date.now() < retryAt) schedule();
      else if (pending.length >= maxPending * 10) flush();
      else if (pending.length >= maxPending) scheduleSoon();
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
      file.close();
      return left;
    },
  };
  // Opened now, so a log that cannot be opened is reported at start rather than at the first write.
  open();
  release = holdUntilExit({ drain, close: () => log.close() });
  return log;
}
