/**
 * What the main thread and the checkpoint thread say to each other (see checkpoint-thread.ts).
 * Each file has a state word (see thread-state.ts): once the main thread stopped it, no
 * checkpoint of the file runs or starts.
 *
 * @module
 */

export const OPEN_MESSAGE = "open";
export const CHECKPOINT_MESSAGE = "checkpoint";
export const CLOSE_MESSAGE = "close";

export type CheckpointMessage =
  /** A file to checkpoint from now on, with its state word (an `Int32Array` of one element over `state`) and the size of its shared memory the main thread saw. */
  | { type: typeof OPEN_MESSAGE; id: number; path: string; state: SharedArrayBuffer; sharedMemorySeen: SharedArrayBuffer }
  /** Checkpoint the file if its WAL has reached the threshold. */
  | { type: typeof CHECKPOINT_MESSAGE; id: number }
  /** The file is closed: forget it. */
  | { type: typeof CLOSE_MESSAGE; id: number };
