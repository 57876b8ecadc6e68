import { statSync } from "node:fs";
import { createFaultReporter, describeFault } from "../cache/faults.ts";
import { EcoAIError } from "../errors.ts";
import { CALL_PATH_BUSY_TIMEOUT_MS, CLOSING_BUSY_TIMEOUT_MS, type Database, type SqlValue, type Statement } from "../sqlite/database.ts";
import { isRowRejected, needsReopen } from "../sqlite/errors.ts";
import type { HistoryQuery, Logger, UsageRecord, UsageSummary } from "../types.ts";
import { holdUntilExit } from "./exit-hooks.ts";
import { queryHistory, querySummary } from "./queries.ts";
import { toRow, type NewUsageRecord } from "./row.ts";
import { openUsageSchema, USAGE_COLUMNS } from "./schema.ts";

export type { NewUsageRecord } from "./row.ts";

export interface UsageLogOptions {
  /** @default ".ecoai/usage.db" */
  path?: string;
  logger: Logger;
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
   * Rows kept in memory while the log cannot be written (locked, full, unopenable). Past this, the
   * oldest are dropped, counted and reported, so an outage never grows memory without bound.
   * @default 50000
   */
  maxBuffered?: number;
}

/** The usage log: buffered writes to SQLite, flushed on a timer, on `close()` and when the process stops. */
export interface UsageLog {
  record(record: NewUsageRecord): void;
  /** Writes pending rows now. Returns false when the database could not take them (they stay pending). */
  flush(): boolean;
  summary(): UsageSummary;
  history(query?: HistoryQuery): UsageRecord[];
  /** Writes pending rows, waiting a bounded time for a lock, and closes the file; returns how many rows could not be written. */
  close(): number;
}

/** A file that could not be opened is tried again no more often than this. */
const REOPEN_INTERVAL_MS = 1000;

const INSERT = `INSERT INTO usage_log (${USAGE_COLUMNS.join(", ")}) VALUES (${USAGE_COLUMNS.map(() => "?").join(", ")})`;

interface Connection {
  db: Database;
  insert: Statement;
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
  const fault = createFaultReporter(logger, `usage log ${path}`, { meanwhile: "calls go on and their rows wait in memory", resumed: "waiting rows written" });
  let connection: Connection | undefined;
  let openError: unknown;
  /** The last reason a write failed, for the report of rows left unwritten. */
  let lastFault: unknown;
  let reopenAt = 0;
  let pending: SqlValue[][] = [];
  /** No write is tried before this (after a failure), except on close and at exit. */
  let retryAt = 0;
  let refused = 0;
  let overflowed = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let soon: ReturnType<typeof setImmediate> | undefined;
  let closed = false;

  function open(): Connection | undefined {
    let gone: string | undefined;
    if (connection) {
      // Deleted or replaced while open: rows written to the old file would vanish with it.
      const inode = statSync(path, { throwIfNoEntry: false })?.ino;
      if (inode === connection.inode) return connection;
      gone = inode === undefined ? "deleted" : "replaced";
      disconnect();
    } else if (Date.now() < reopenAt) {
      return undefined;
    }
    try {
      const db = openUsageSchema(path, { busyTimeoutMs: CALL_PATH_BUSY_TIMEOUT_MS });
      connection = { db, insert: db.prepare(INSERT), inode: statSync(path, { throwIfNoEntry: false })?.ino };
      openError = undefined;
      if (gone) logger.warn(`[ecoai] usage log ${path} was ${gone} while in use; rows from now on go to a new log there`);
      return connection;
    } catch (error) {
      // A missing SQLite driver is a setup problem, reported by the constructor.
      if (error instanceof EcoAIError && error.code === "ECOAI_SQLITE_UNAVAILABLE") throw error;
      openError = new Error(`${gone ? `it was ${gone} while in use and ` : ""}could not open it: ${describeFault(error)}`, { cause: error });
      reopenAt = Date.now() + REOPEN_INTERVAL_MS;
      failed(openError);
      return undefined;
    }
  }

  function failed(error: unknown): void {
    lastFault = error;
    fault.failed(error, "write");
  }

  function disconnect(): void {
    try {
      connection?.db.close();
    } catch {
      // Closing a connection to a damaged file can fail; it is let go either way.
    }
    connection = undefined;
  }

  /** Writes every pending row it can: rows SQLite refuses are dropped, a fault keeps them all pending. */
  function write(busyTimeoutMs: number): boolean {
    if (pending.length === 0) return true;
    const current = open();
    if (!current) return false;
    const batch = pending;
    let firstRefusal: unknown;
    try {
      if (busyTimeoutMs !== CALL_PATH_BUSY_TIMEOUT_MS) current.db.setBusyTimeout(busyTimeoutMs);
      current.db.transaction(() => {
        for (const row of batch) {
          try {
            current.insert.run(...row);
          } catch (error) {
            // One bad row must not hold back the rows behind it (nor be retried for ever).
            if (!isRowRejected(error)) throw error;
            firstRefusal ??= error;
          }
        }
      });
    } catch (error) {
      if (needsReopen(error)) disconnect();
      failed(error);
      return false;
    } finally {
      if (connection === current && busyTimeoutMs !== CALL_PATH_BUSY_TIMEOUT_MS) current.db.setBusyTimeout(CALL_PATH_BUSY_TIMEOUT_MS);
    }
    pending = pending.length === batch.length ? [] : pending.slice(batch.length);
    if (firstRefusal !== undefined && refused++ === 0) {
      logger.warn(`[ecoai] usage log ${path} refused a row (${describeFault(firstRefusal)}); it was dropped and the rows after it written, as later refused rows will be`, firstRefusal);
    }
    fault.ok("write");
    return true;
  }

  function flush(): boolean {
    if (timer) clearTimeout(timer);
    if (soon) clearImmediate(soon);
    timer = soon = undefined;
    if (write(CALL_PATH_BUSY_TIMEOUT_MS)) return true;
    retryAt = Date.now() + flushIntervalMs;
    schedule();
    return false;
  }

  function scheduleSoon(): void {
    if (soon || closed) return;
    soon = setImmediate(flush);
    soon.unref?.();
  }

  function schedule(): void {
    if (timer || closed) return;
    timer = setTimeout(flush, Math.max(flushIntervalMs, retryAt - Date.now()));
    // The log must never keep a finished program alive; the exit hook writes what is left.
    (timer as { unref?: () => void }).unref?.();
  }

  /** Writes what is pending with the closing wait for locks; reports (once) the rows it could not write. */
  function drain(): number {
    if (timer) clearTimeout(timer);
    if (soon) clearImmediate(soon);
    timer = soon = undefined;
    reopenAt = 0;
    write(CLOSING_BUSY_TIMEOUT_MS);
    const left = pending.length;
    if (left > 0 || overflowed > 0) {
      const cause = openError ?? lastFault;
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
    throw new EcoAIError("ECOAI_USAGE_LOG_UNAVAILABLE", `the usage log ${path} cannot be read (${describeFault(openError)}): fix or remove the file, or pass another logPath.`, { cause: openError });
  }

  let release = () => {};
  const log: UsageLog = {
    record(record) {
      if (closed) throw new EcoAIError("ECOAI_CLOSED", "the usage log is closed");
      pending.push(toRow(record));
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
    flush,
    summary() {
      return querySummary(requireOpen());
    },
    history(query = {}) {
      return queryHistory(requireOpen(), query);
    },
    close() {
      if (closed) return 0;
      closed = true;
      release();
      const left = drain();
      disconnect();
      return left;
    },
  };
  // Opened now, so a log that cannot be opened is reported at start rather than at the first write.
  open();
  release = holdUntilExit({ drain, close: () => log.close() });
  return log;
}
