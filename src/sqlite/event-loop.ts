/**
 * SQLite work is synchronous, so a loop of cache hits on it is a chain of promises that settle at
 * once: left alone it never lets the event loop turn, and timers (the usage log's writes), I/O and
 * signal handlers (SIGTERM, Ctrl-C) wait until the loop ends. A call served from the network
 * always yields; a call served from SQLite yields once the event loop has not turned for a few
 * milliseconds, which costs a busy loop one short pause per interval and everything else nothing.
 *
 * @module
 */

/** The longest a chain of synchronous SQLite work may hold the event loop. */
const MAX_GAP_MS = 5;

let lastTurn = performance.now();
let watching = false;

function turned(): void {
  watching = false;
  lastTurn = performance.now();
}

/** Resolves at once, or after one turn of the event loop when it has not turned for a while. */
export async function letEventLoopTurn(): Promise<void> {
  if (!watching) {
    watching = true;
    setImmediate(turned);
  }
  if (performance.now() - lastTurn < MAX_GAP_MS) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
}
