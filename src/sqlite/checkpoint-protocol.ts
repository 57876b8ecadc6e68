/**
 * What the main thread and the checkpoint thread say to each other (see checkpoint-thread.ts).
 * Each file has a state word in shared memory: the checkpoint thread moves it from idle to busy
 * only while it is not stopped, and the main thread stops it only while it is idle, so once a
 * file is stopped no checkpoint of it runs or starts.
 *
 * @module
 */

/** No checkpoint of the file runs. */
export const IDLE = 0;
/** The checkpoint thread is checkpointing the file. */
export const BUSY = 1;
/** The main thread is closing the file: no checkpoint may start. */
export const STOPPED = 2;

export const OPEN_MESSAGE = "open";
export const CHECKPOINT_MESSAGE = "checkpoint";
export const CLOSE_MESSAGE = "close";

export type CheckpointMessage =
  /** A file to checkpoint from now on, with its state word (an `Int32Array` of one element over `state`). */
  | { type: typeof OPEN_MESSAGE; id: number; path: string; state: SharedArrayBuffer }
  /** Checkpoint the file if its WAL has reached the threshold. */
  | { type: typeof CHECKPOINT_MESSAGE; id: number }
  /** The file is closed: forget it. */
  | { type: typeof CLOSE_MESSAGE; id: number };
