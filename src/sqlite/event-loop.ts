/**
 * SQLite work is synchronous, so a loop of cache hits on it is a chain of promises that settle at
 * once: left alone it never lets the event loop turn, and timers (the usage log's writes), I/O and
 * signal handlers (SIGTERM, Ctrl-C) wait until the loop ends. A call served from the network
 * always yields; a call served from SQLite yields once the event loop has not turned for a few
 * milliseconds, which costs a busy loop one short pause per interval and everything else nothing.
 *
 * Turns are seen by an immediate callback, scheduled only once the last turn seen is a while
 * ago: a call that follows a recent turn costs a clock read, not a callback of its own.
 *
 * @module
 */

/** The longest a chain of synchronous SQLite work may hold the event loop. */
const MAX_GAP_MS = 5;
/** How long after the last turn seen the next check starts watching for a turn. */
const WATCH_AFTER_MS = 1;

let lastTurn = performance.now();
let watching = false;

function turned(): void {
  watching = false;
  lastTurn = performance.now();
}

/**
 * True when the event loop has not turned for {@link MAX_GAP_MS} while it was watched: the
 * caller should then let it turn ({@link nextTurn}) before more synchronous work. A turn it did
 * not watch for is never taken for none, since the last turn seen is at most as recent as the
 * last real one: the loop is never held longer than the bound.
 */
export function eventLoopHeld(): boolean {
  const since = performance.now() - lastTurn;
  if (watching) return since >= MAX_GAP_MS;
  if (since >= WATCH_AFTER_MS) {
    watching = true;
    setImmediate(turned);
  }
  return false;
}

/** Resolves after one turn of the event loop. */
export function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/** Resolves at once, or after one turn of the event loop when it has not turned for a while. */
export async function letEventLoopTurn(): Promise<void> {
  if (eventLoopHeld()) await nextTurn();
}
