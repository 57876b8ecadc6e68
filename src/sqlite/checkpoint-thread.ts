/**
 * WAL checkpoints on a thread of their own. A checkpoint copies the WAL's pages into the database
 * (4 MB and more at SQLite's threshold): milliseconds of synchronous work that, on the one
 * JavaScript thread, would stall every call in flight. One worker thread per process runs them,
 * each through a connection of its own (SQLite's locks work between connections of one process as
 * between processes). Where no worker can start, or once it failed, a checkpoint runs on the
 * calling thread, as before.
 *
 * @module
 */
import type { Worker } from "node:worker_threads";
import { startBackgroundThread } from "./background-thread.ts";
import { CHECKPOINT_MESSAGE, CLOSE_MESSAGE, OPEN_MESSAGE, type CheckpointMessage } from "./checkpoint-protocol.ts";
import { BUSY, createThreadState, releaseDead, STOPPED, stopWhenIdle } from "./thread-state.ts";

/** The longest `stop()` waits for a running checkpoint of its file, as long as a closing write waits for a lock. */
const STOP_WAIT_MS = 1000;

/** The checkpoint thread; `null` once it could not start or failed. */
let worker: Worker | null | undefined;
/** State words of the files the thread knows, so a thread that died leaves none busy. */
const states = new Set<Int32Array>();
let lastId = 0;

function checkpointThread(): Worker | null {
  if (worker !== undefined) return worker;
  const started = startBackgroundThread("checkpoint-worker", import.meta.url, () => {
    if (worker === started) worker = null;
    for (const state of states) releaseDead(state);
  });
  worker = started ?? null;
  return worker;
}

/** Checkpoints of one file, run on the checkpoint thread. */
export interface OffThreadCheckpoints {
  /** Checkpoints the file on the checkpoint thread (its WAL's length is looked at there), or with `inThread` where it cannot run. */
  request(): void;
  /** Whether a checkpoint of the file (or the look at its WAL's length that may start one) is running on the thread now. */
  running(): boolean;
  /**
   * The file is closing: waits for a checkpoint of it that is running, and none starts after.
   * Synchronous, so the connection closed next is the file's last and checkpoints it itself.
   */
  stop(): void;
}

/**
 * Checkpoints of `path`; `inThread` checkpoints it on the calling thread where no checkpoint
 * thread runs. `sharedMemorySeen`: the main thread's guard's (see shared-memory.ts).
 */
export function createOffThreadCheckpoints(path: string, sharedMemorySeen: SharedArrayBuffer, inThread: () => void): OffThreadCheckpoints {
  const id = ++lastId;
  const state = createThreadState();
  let told: Worker | undefined;
  const post = (to: Worker, message: CheckpointMessage) => to.postMessage(message);

  return {
    request() {
      if (Atomics.load(state, 0) === STOPPED) return;
      const thread = checkpointThread();
      if (!thread) return inThread();
      if (told !== thread) {
        states.add(state);
        post(thread, { type: OPEN_MESSAGE, id, path, state: state.buffer as SharedArrayBuffer, sharedMemorySeen });
        told = thread;
      }
      post(thread, { type: CHECKPOINT_MESSAGE, id });
    },
    running: () => Atomics.load(state, 0) === BUSY,
    stop() {
      stopWhenIdle(state, STOP_WAIT_MS);
      // Past the wait as well: a checkpoint still running ends on its own, and none starts after.
      Atomics.store(state, 0, STOPPED);
      states.delete(state);
      if (told && told === worker) post(told, { type: CLOSE_MESSAGE, id });
      told = undefined;
    },
  };
}
