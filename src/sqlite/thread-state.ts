/**
 * The state word a background thread and the main thread share for one file, in shared memory.
 * The thread moves it from idle to busy only while the main thread has not stopped it, and the
 * main thread stops it only while it is idle: once `stopWhenIdle` returns true, no work of the
 * thread on the file runs or starts, so the main thread may close its own connection to the file.
 *
 * @module
 */

/** No work of the thread on the file runs. */
export const IDLE = 0;
/** The thread is working on the file. */
export const BUSY = 1;
/** The main thread holds the file: the thread's work may not start. */
export const STOPPED = 2;

/** A new state word, idle. */
export function createThreadState(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

/** On the thread: runs `work` unless the main thread holds the file; false when it did not run. */
export function runUnlessStopped(state: Int32Array, work: () => void): boolean {
  if (Atomics.compareExchange(state, 0, IDLE, BUSY) !== IDLE) return false;
  try {
    work();
  } finally {
    Atomics.store(state, 0, IDLE);
    Atomics.notify(state, 0);
  }
  return true;
}

/**
 * On the main thread: waits (blocking, at most `waitMs`) for the thread's running work to end and
 * stops it from starting more. False when the work still ran at the end of the wait.
 */
export function stopWhenIdle(state: Int32Array, waitMs: number): boolean {
  const until = Date.now() + waitMs;
  for (;;) {
    const was = Atomics.compareExchange(state, 0, IDLE, STOPPED);
    if (was !== BUSY) return true;
    const left = until - Date.now();
    if (left <= 0) return false;
    Atomics.wait(state, 0, BUSY, left);
  }
}

/** On the main thread, when the thread died: its work no longer runs. */
export function releaseDead(state: Int32Array): void {
  Atomics.compareExchange(state, 0, BUSY, IDLE);
  Atomics.notify(state, 0);
}
