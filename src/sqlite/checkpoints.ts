/**
 * WAL checkpoints off the call's path. SQLite's own checkpoint runs inside the commit that
 * crosses its threshold, so one write in every thousand pages would stall its caller while the
 * WAL is copied into the database. The connections ecoai writes through turn that off
 * (`wal_autocheckpoint = 0`) and checkpoint on a timer instead, soon after writes, once the WAL
 * has reached SQLite's own threshold, in PASSIVE mode (it never waits for a lock, and readers and
 * writers of other processes go on meanwhile), on a thread of its own (checkpoint-thread.ts). A WAL reset by a completed checkpoint is
 * rewritten from its start, so under steady writes it stays about the threshold long. A WAL
 * below it is left alone, as SQLite leaves it: its space is already the file system's, and on a
 * full disk new pages go to fresh space either way.
 *
 * @module
 */

/** How soon after a write the WAL's length is looked at. */
export const CHECKPOINT_DELAY_MS = 200;

/** The WAL's length that calls for a checkpoint: SQLite's default (1,000 pages of 4 KiB). */
export const CHECKPOINT_WAL_BYTES = 1000 * 4096;

/** Checkpoints `checkpoint` once per {@link CHECKPOINT_DELAY_MS} while writes come; never keeps the process alive. */
export function createCheckpointTimer(checkpoint: () => void, delayMs = CHECKPOINT_DELAY_MS) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    timer = undefined;
    checkpoint();
  };
  return {
    /** A write happened: a checkpoint follows within the delay. */
    wrote(): void {
      if (timer) return;
      timer = setTimeout(run, delayMs);
      (timer as { unref?: () => void }).unref?.();
    },
    /** No checkpoint is pending any more (the connection closes, which checkpoints itself). */
    cancel(): void {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** Stops SQLite's checkpoints inside commits on `db`; the timer above does them instead. */
export const NO_AUTOCHECKPOINT = "PRAGMA wal_autocheckpoint = 0";

/** A checkpoint that never waits for a lock: it copies what no reader still needs. */
export const PASSIVE_CHECKPOINT = "PRAGMA wal_checkpoint(PASSIVE)";
