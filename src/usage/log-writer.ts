/**
 * Usage rows written to the log's file through one connection: the main thread's (for `flush()`,
 * `close()`, the exit hooks and queries, and every write where no write thread runs) and the
 * write thread's (write-worker.ts) each have one. A file that cannot be opened or written is a
 * fault handed back to the caller, which reports it; a row SQLite refuses is dropped and the
 * rows after it written.
 *
 * @module
 */
import { statSync } from "node:fs";
import { EcoAIError } from "../errors.ts";
import type { Database, SqlValue, Statement } from "../sqlite/database.ts";
import type { Logger } from "../types.ts";
import { isRowRejected } from "../sqlite/errors.ts";
import { createReopeningFile, type ReopeningFileOptions } from "../sqlite/reopening-file.ts";
import type { AccountOptions } from "./call-account.ts";
import { batchRows } from "./batch-rows.ts";
import type { NewUsageRecord } from "./row.ts";
import { BLOCK_ROWS, prepareRowInserts, type RowInserts } from "./row-inserts.ts";
import { openUsageSchema } from "./schema.ts";

/** Rows inserted between two looks at SQLite's shared memory (an `fstat`, a few microseconds). */
const PROTECT_EVERY_ROWS = 16;

/** How the file at the path stopped being the one a connection had open. */
export type GoneKind = "deleted" | "replaced";

export interface LogWriterOptions extends ReopeningFileOptions {
  /** How long statements wait for another connection's lock, unless a write says otherwise. */
  busyTimeoutMs: number;
  /**
   * The file at the path was deleted or replaced while a connection to it was open; rows go to
   * a new log at the path from now on. `inode`: the file given up, the same for every connection
   * of the process that had it open (so a warning is given once for it).
   */
  gone(kind: GoneKind, inode: number | undefined): void;
}

/** One write of rows, oldest first. */
export interface LogWrite {
  /** How rows are priced: the `pricing` option, and the CO₂ options in force when the rows were handed over. */
  account: AccountOptions;
  /** How long to wait for a lock, for this write only. @default the writer's */
  busyTimeoutMs?: number;
  /** Try to open the file even within the wait after a failure to open it. */
  now?: boolean;
  /** Commit once this long has passed, at least one row written. @default no limit */
  budgetMs?: number;
  /**
   * Called once the rows are inserted, just before the commit, with the rowid of the last row
   * inserted and its place in the batch (-1 and undefined when every row was refused): what tells,
   * if the thread writing dies, whether the commit happened.
   */
  beforeCommit?(lastRowId: number | undefined, lastIndex: number): void;
}

/** What a write did. */
export interface LogWriteResult {
  /** Rows taken from the front of the batch: written, or refused by SQLite and dropped. 0 after a fault. */
  taken: number;
  /** How long their inserts took, the transaction's begin and commit left out: what a row costs. */
  insertMs: number;
  /** The first row SQLite refused, if any. */
  firstRefusal?: unknown;
  /** Why nothing was written: the file could not be opened or written. Every row stays the caller's. */
  fault?: unknown;
}

export interface LogConnection {
  db: Database;
  inserts: RowInserts;
  /** The rowid of the last row this connection inserted. */
  lastRowId: Statement;
  /** The file's inode when opened: a different one (or none) at the path means it was deleted or replaced. */
  inode: number | undefined;
}

/**
 * Says that the log's file was deleted or replaced, once a file: the main thread's connection and
 * the write thread's both find it (by the file's inode, the same for every connection of the process).
 */
export function goneOnce(logger: Logger, path: string): LogWriterOptions["gone"] {
  let said: number | undefined;
  return (kind, inode) => {
    if (inode !== undefined && inode === said) {
      said = undefined;
      return;
    }
    said = inode;
    logger.warn(`[ecoai] usage log ${path} was ${kind} while in use; rows from now on go to a new log there`);
  };
}

/** The usage log's file as one thread writes it. */
export interface LogWriter {
  /**
   * The open log, still the file at `path`, opening it when needed; throws why it cannot be
   * opened. `now`: try even within the wait after a failure.
   */
  connection(now?: boolean): LogConnection;
  /** Writes `batch` from its start in one transaction. */
  write(batch: readonly NewUsageRecord[], options: LogWrite): LogWriteResult;
  /** The size of SQLite's shared memory seen, for a worker thread's guard of the file. */
  readonly sharedMemorySeen: SharedArrayBuffer;
  close(): void;
}

/** The writer of the usage log at `path`. */
export function createLogWriter(path: string, options: LogWriterOptions): LogWriter {
  const file = createReopeningFile(
    path,
    (): LogConnection => {
      const db = openUsageSchema(path, { busyTimeoutMs: options.busyTimeoutMs });
      return { db, inserts: prepareRowInserts(db), lastRowId: db.prepare("SELECT last_insert_rowid() AS id"), inode: statSync(path, { throwIfNoEntry: false })?.ino };
    },
    options,
  );

  function connection(now = false): LogConnection {
    let gone: GoneKind | undefined;
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
      if (gone) options.gone(gone, current!.inode);
      return opened;
    } catch (error) {
      // A missing SQLite driver is a setup problem, reported by the constructor.
      if (error instanceof EcoAIError || !gone) throw error;
      throw new Error(`it was ${gone} while in use and ${(error as Error).message}`, { cause: error });
    }
  }

  function write(batch: readonly NewUsageRecord[], { account, busyTimeoutMs = options.busyTimeoutMs, now = false, budgetMs = Number.POSITIVE_INFINITY, beforeCommit }: LogWrite): LogWriteResult {
    if (batch.length === 0) return { taken: 0, insertMs: 0 };
    let current: LogConnection;
    try {
      current = connection(now);
    } catch (error) {
      if (error instanceof EcoAIError) throw error;
      return { taken: 0, insertMs: 0, fault: error };
    }
    let startedAt = performance.now();
    let taken = 0;
    let insertMs = 0;
    let firstRefusal: unknown;
    let lastInserted = -1;
    const changesTimeout = busyTimeoutMs !== options.busyTimeoutMs;
    try {
      // Rows of a batch that differ only in what pricing ignores (the same entry hit again) are priced once.
      const rowOf = batchRows(account);
      // Rows in blocks of BLOCK_ROWS, one statement a block, in one transaction; the rest one by
      // one. A write with a time budget (a slice on the main thread, where calls in flight wait
      // for it) goes one by one, so that it ends within a row of its budget.
      const blocks = budgetMs === Number.POSITIVE_INFINITY;
      const block = new Array<SqlValue[]>(BLOCK_ROWS);
      if (changesTimeout) current.db.setBusyTimeout(busyTimeoutMs);
      file.transaction(({ inserts, lastRowId }) => {
        startedAt = performance.now();
        taken = 0;
        firstRefusal = undefined;
        lastInserted = -1;
        let unprotected = 0;
        /** Inserts `row`, the batch's row `index`; a row SQLite refuses is dropped. */
        const insertOne = (row: readonly SqlValue[], index: number) => {
          try {
            inserts.insert(row);
            lastInserted = index;
          } catch (error) {
            // One bad row must not hold back the rows behind it (nor be retried for ever).
            if (!isRowRejected(error)) throw error;
            firstRefusal ??= error;
          }
        };
        do {
          const built = blocks && batch.length - taken >= BLOCK_ROWS ? BLOCK_ROWS : 1;
          for (let r = 0; r < built; r++) block[r] = rowOf(batch[taken + r]!);
          // A cut of the shared memory while this runs kills the process at SQLite's next touch
          // of it: looked at every few rows, before the statement that crosses them (and by the
          // transaction before its commit).
          if ((unprotected += built) >= PROTECT_EVERY_ROWS) {
            file.protectSharedMemory();
            unprotected = 0;
          }
          let inserted = false;
          if (built === BLOCK_ROWS) {
            try {
              inserted = inserts.insertBlock(block);
            } catch (error) {
              // A refused row fails its block's statement, which inserted none: they go one by one.
              if (!isRowRejected(error)) throw error;
            }
          }
          if (inserted) lastInserted = taken + BLOCK_ROWS - 1;
          else for (let r = 0; r < built; r++) insertOne(block[r]!, taken + r);
          taken += built;
        } while (taken < batch.length && performance.now() - startedAt < budgetMs);
        insertMs = performance.now() - startedAt;
        beforeCommit?.(lastInserted < 0 ? undefined : Number(lastRowId.get()?.id), lastInserted);
      });
    } catch (error) {
      return { taken: 0, insertMs: 0, fault: error };
    } finally {
      if (file.current === current && changesTimeout) current.db.setBusyTimeout(options.busyTimeoutMs);
    }
    return firstRefusal === undefined ? { taken, insertMs } : { taken, insertMs, firstRefusal };
  }

  return { connection, write, sharedMemorySeen: file.sharedMemorySeen, close: () => file.close() };
}
