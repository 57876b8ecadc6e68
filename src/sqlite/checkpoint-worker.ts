/**
 * The thread that checkpoints ecoai's SQLite files (see checkpoint-thread.ts). Each checkpoint
 * opens its own connection on the file and closes it after, so it holds nothing between
 * checkpoints: a file deleted or replaced meanwhile is simply the one at the path next time, and
 * the connection the main thread closes last is the one that checkpoints and removes the WAL, as
 * without this thread. Failures are left to the next checkpoint, as on the main thread.
 *
 * @module
 */
import { existsSync, statSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { quietThread } from "./background-thread.ts";
import { CHECKPOINT_MESSAGE, CLOSE_MESSAGE, OPEN_MESSAGE, type CheckpointMessage } from "./checkpoint-protocol.ts";
import { CHECKPOINT_WAL_BYTES, PASSIVE_CHECKPOINT } from "./checkpoints.ts";
import { openDatabase, type Database } from "./database.ts";
import { createSharedMemoryGuard } from "./shared-memory.ts";
import { runUnlessStopped } from "./thread-state.ts";

/**
 * How long opening the file waits for another process's lock (reading its schema, rebuilding its
 * WAL index). Nothing waits on this thread, but a stuck open would delay the main thread's close.
 */
const BUSY_TIMEOUT_MS = 50;

/** Checkpoint passes per request at most (see `checkpoint`). */
const MAX_PASSES = 3;

quietThread();

const files = new Map<number, { path: string; state: Int32Array; seen: SharedArrayBuffer }>();

parentPort?.on("message", (message: CheckpointMessage) => {
  if (message.type === OPEN_MESSAGE) files.set(message.id, { path: message.path, state: new Int32Array(message.state), seen: message.sharedMemorySeen });
  else if (message.type === CLOSE_MESSAGE) files.delete(message.id);
  else if (message.type === CHECKPOINT_MESSAGE) {
    const file = files.get(message.id);
    // Not once the main thread closes the file: it waits for this to end before closing its own connection.
    if (file) runUnlessStopped(file.state, () => checkpoint(file.path, file.seen));
  }
});

function checkpoint(path: string, sharedMemorySeen: SharedArrayBuffer): void {
  if ((statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0) < CHECKPOINT_WAL_BYTES || !existsSync(path)) return;
  // This connection maps the same shared memory, which another process may have cut since the
  // main thread last looked: grown back to what the main thread saw before it is touched.
  const guard = createSharedMemoryGuard(path, sharedMemorySeen);
  let db: Database | undefined;
  try {
    guard.check();
    db = openDatabase(path, { busyTimeoutMs: BUSY_TIMEOUT_MS });
    guard.check();
    const pass = db.prepare(PASSIVE_CHECKPOINT);
    // A pass leaves out what is committed while it runs, and SQLite starts the WAL over (writes it
    // again from its start) only after a checkpoint that left nothing out: the main thread holds
    // its cache writes meanwhile (see `ReopeningFile.checkpointing`), but only so long. So passes
    // follow while the last one found new frames; each copies only those, and one that finds
    // none does nothing (no sync).
    let frames = -1;
    for (let passes = 0; passes < MAX_PASSES; passes++) {
      const result = pass.get();
      guard.check();
      const log = Number(result?.log ?? -1);
      if (log === frames || Number(result?.busy ?? 1) !== 0) break;
      frames = log;
    }
  } catch {
    // A lock or a damaged file: the next checkpoint tries again, and the next operation on the main thread finds the damage.
  } finally {
    try {
      db?.close();
    } catch {
      // A connection to a damaged file may fail to close; it is let go either way.
    }
    guard.close();
  }
}
