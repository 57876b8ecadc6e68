import { describeFault } from "../cache/faults.ts";
import { EcoAIError } from "../errors.ts";
import type { Database } from "./database.ts";
import { isLockedOut, needsReopen, sqliteCode } from "./errors.ts";
import { statSync } from "node:fs";
import { createOffThreadCheckpoints } from "./checkpoint-thread.ts";
import { CHECKPOINT_WAL_BYTES, createCheckpointTimer, NO_AUTOCHECKPOINT, PASSIVE_CHECKPOINT } from "./checkpoints.ts";
import { createSharedMemoryGuard } from "./shared-memory.ts";

/** A file that could not be opened (or stopped working) is tried again no more often than this. */
export const REOPEN_INTERVAL_MS = 1000;

/**
 * Sooner when another process held the lock the open needed: processes that start together
 * contend for a moment to create the file's schema and switch it to WAL.
 */
const LOCKED_REOPEN_INTERVAL_MS = 25;

/** A SQLite file that is opened when first needed and again after it stops working. */
export interface ReopeningFile<C extends { db: Database }> {
  /** The connection, opening the file when needed; throws why it is unavailable. `now`: try even within the wait. */
  connection(now?: boolean): C;
  /** The connection if one is open, without trying to open one. */
  readonly current: C | undefined;
  /**
   * Runs `work` on the connection, protecting SQLite's shared memory around it; an error that
   * means the file changed under it (truncated, overwritten, its table dropped) gives the
   * connection up, and the next attempt to open comes a second later. `writes`: the work may
   * grow the shared memory.
   */
  use<T>(work: (connection: C) => T, writes?: boolean): T;
  /**
   * Runs `work` in a write transaction on the connection, as {@link use} runs writes, and looks at
   * SQLite's shared memory once more just before the commit, which writes it most: a cut that
   * lands while the transaction runs is grown back before the commit touches it.
   */
  transaction<T>(work: (connection: C) => T): T;
  /**
   * Grows SQLite's shared memory back if it was cut since the last look (see shared-memory.ts):
   * for a long {@link transaction}, between its statements.
   */
  protectSharedMemory(): void;
  /** The size of SQLite's shared memory seen (see shared-memory.ts), for a worker thread's guard of the file. */
  readonly sharedMemorySeen: SharedArrayBuffer;
  /**
   * Whether a checkpoint of the file runs on the checkpoint thread now. A write committed
   * meanwhile is left out of it, and SQLite starts its WAL over (writing from its start again, in
   * place) only after a checkpoint that left nothing out: under steady writes the WAL would
   * otherwise only grow, each commit extending the file, which costs it several times as much.
   */
  checkpointing(): boolean;
  /** Gives the connection up (the file was deleted or replaced): the next call opens the path afresh. */
  giveUp(): void;
  close(): void;
}

/** Where a file is used from: the main thread (the default), or one of ecoai's worker threads. */
export interface ReopeningFileOptions {
  /**
   * The size of SQLite's shared memory the main thread's guard of the file has seen (its
   * `sharedMemorySeen`), for a file opened on a worker thread: SQLite maps that memory once per
   * process, so a cut the main thread saw must be grown back before this thread touches it.
   * A new connection here keeps what was seen, as the checkpoint thread does.
   */
  sharedMemorySeen?: SharedArrayBuffer;
  /**
   * Checkpoints run on the calling thread rather than on the checkpoint thread: for a file
   * opened on a worker thread, which nothing waits on.
   * @default false
   */
  checkpointsInThread?: boolean;
}

/**
 * Opens `path` with `open` on demand. Failing to open is remembered for a second (so a broken file
 * costs calls nothing), a connection given up on is closed only before the next open, and SQLite's
 * shared memory is grown back if another process cuts it (see shared-memory.ts). A missing SQLite
 * driver is thrown as it is: that is a setup problem, not a fault to ride out.
 */
export function createReopeningFile<C extends { db: Database }>(path: string, open: () => C, options: ReopeningFileOptions = {}): ReopeningFile<C> {
  let current: C | undefined;
  let retired: Database | undefined;
  let unavailable: Error | undefined;
  let retryAt = 0;
  const guard = createSharedMemoryGuard(path, options.sharedMemorySeen);
  // Housekeeping: a checkpoint that fails (a lock, a damaged file) is left to the next one, and
  // a damaged file is found by the next operation. It runs on the checkpoint thread, or here
  // where that cannot run or where this is a worker thread already.
  const checkpointHere = () => {
    if (!current || (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0) < CHECKPOINT_WAL_BYTES) return;
    try {
      guard.check();
      current.db.exec(PASSIVE_CHECKPOINT);
      guard.check();
    } catch {
      // See above.
    }
  };
  const offThread = options.checkpointsInThread ? undefined : createOffThreadCheckpoints(path, guard.seen, checkpointHere);
  const checkpoints = createCheckpointTimer(() => {
    if (!current) return;
    if (offThread) offThread.request();
    else checkpointHere();
  });

  /**
   * Not at once: closing reads the shared memory (to checkpoint), and whoever damaged the file
   * may be cutting that too (`truncate -s 0 cache.db*` cuts both microseconds apart); by the next
   * attempt to open, it has been grown back.
   */
  function closeRetired(): void {
    if (!retired) return;
    guard.check();
    try {
      retired.close();
    } catch {
      // A connection to a damaged file may fail to close; it is let go either way.
    }
    retired = undefined;
  }

  function giveUp(reason?: unknown, retryAfterMs = REOPEN_INTERVAL_MS): void {
    if (current) retired = current.db;
    current = undefined;
    if (reason === undefined) return;
    unavailable = reason instanceof Error ? reason : new Error(String(reason));
    retryAt = Date.now() + retryAfterMs;
  }

  function connection(now = false): C {
    if (current) return current;
    if (unavailable && !now && Date.now() < retryAt) throw unavailable;
    closeRetired();
    try {
      // A worker thread's guard keeps the size the main thread saw (see ReopeningFileOptions).
      if (options.sharedMemorySeen) guard.close();
      else guard.reset();
      current = open();
      try {
        current.db.exec(NO_AUTOCHECKPOINT);
      } catch {
        // A file that takes no pragma fails at its first operation, reported there.
      }
      unavailable = undefined;
      return current;
    } catch (error) {
      if (error instanceof EcoAIError && error.code === "ECOAI_SQLITE_UNAVAILABLE") throw error;
      // The SQLite code stays on the error, so a lock is told from damage by whoever reports it.
      giveUp(Object.assign(new Error(`could not open it: ${describeFault(error)}`, { cause: error }), { code: sqliteCode(error) }), isLockedOut(error) ? LOCKED_REOPEN_INTERVAL_MS : REOPEN_INTERVAL_MS);
      throw unavailable;
    }
  }

  function use<T>(work: (connection: C) => T, writes = false): T {
    const used = connection();
    guard.check();
    try {
      const result = work(used);
      if (writes) {
        guard.check();
        checkpoints.wrote();
      }
      return result;
    } catch (error) {
      if (needsReopen(error) && current === used) giveUp(error);
      throw error;
    }
  }

  return {
    connection,
    get current() {
      return current;
    },
    use,
    transaction: (work) =>
      use(
        (used) =>
          used.db.transaction(() => {
            const result = work(used);
            guard.check();
            return result;
          }),
        true,
      ),
    protectSharedMemory: () => guard.check(),
    checkpointing: () => offThread?.running() === true,
    sharedMemorySeen: guard.seen,
    giveUp: () => giveUp(),
    close() {
      checkpoints.cancel();
      offThread?.stop();
      giveUp();
      closeRetired();
      guard.close();
    },
  };
}
