/**
 * Cache entries written after their caller is answered. A miss hands its entry over and returns:
 * the entries handed over in one turn of the event loop are written together, in one
 * transaction (SQLite) or one round trip (Redis), once the callers of that turn have their
 * answers. Until its write lands an entry is served from here, so an identical call never goes
 * upstream for an answer the process already has; `close()`, `flush()` and the process's exit
 * and stop signals write what is still pending.
 *
 * @module
 */
import type { CacheEntry, Store, StoreWrite } from "../stores/store.ts";
import { holdUntilExit } from "../usage/exit-hooks.ts";
import { hasLocks } from "./peer-coalescing.ts";

/**
 * Entries written by one batch at most: a burst of answers becomes several short transactions,
 * each in its own turn of the event loop, not one long stall. SQLite writes synchronously: an
 * entry of a few hundred bytes costs about 30 µs in a batch and 75 µs alone (commit included),
 * so a batch holds the event loop a quarter of a millisecond or so.
 */
export const MAX_BATCH_ENTRIES = 8;

/** Bytes of answers (and prompts) one batch writes at most, beyond its first entry: large answers go a few at a time. */
export const MAX_BATCH_BYTES = 64 * 1024;

/**
 * How long the first entry of a batch waits for others. A transaction's commit costs as much as
 * several rows, and each one rewrites the pages it touched into the WAL (which a checkpoint then
 * copies back): entries of a few milliseconds share both. Short enough that a process waiting on
 * the entry's lock, the only caller that waits for the write, hardly notices.
 */
export const WRITE_DELAY_MS = 5;

/**
 * How long a batch waits, at most, while its store asks writes to wait (`Store.writesWait`: a
 * checkpoint of the SQLite file running on its thread, a few milliseconds), and how often it
 * looks again meanwhile. Its entries are served from the queue while they wait.
 */
export const MAX_WRITE_WAIT_MS = 50;
const WRITE_WAIT_STEP_MS = 2;

/** Runs a store write; resolves true once it is done, false on a fault (which the engine reports once per outage). */
export type GuardedWrite = (write: () => Promise<void>) => Promise<boolean>;

interface Pending extends StoreWrite {
  /** Settles the promise `enqueue` returned: whether the entry was written. */
  settle(written: boolean): void;
}

/** The queue of one store's pending writes. */
export interface WriteBehind {
  /** Queues an entry; resolves true once it is written, false when the store could not take it. */
  enqueue(write: StoreWrite): Promise<boolean>;
  /** The entry for `key` handed over and not yet written (see {@link sharing} for other instances'); undefined when none is. */
  pending(key: string): CacheEntry | undefined;
  /** Writes every pending entry now (of every queue sharing the store's data) and resolves once all are written (or failed). */
  flush(): Promise<void>;
  /** Writes what is pending and stops watching the process's exit. */
  close(): Promise<void>;
}

/** What a queue shares with the other queues of this process that write to the same place. */
interface Sibling {
  /** Its own entry for `key`, handed over and not yet written. */
  own(key: string): CacheEntry | undefined;
  /** Writes its own pending entries now. */
  flushOwn(): Promise<void>;
}

/**
 * The open queues of this process by the backend and location their stores write to. One
 * instance's `flush()` writes the others' pending entries first, as it would find them written a
 * moment later. On a store without locks (a SQLite file) an instance also serves the others'
 * pending entries, as it would serve them once written; on a store with locks (Redis, whose
 * location does not name its key prefix) another instance waits on the lock, as another process does.
 */
const sharing = new Map<string, Set<Sibling>>();

/**
 * The write-behind queue of `store`; `guarded` runs its writes. Uses the store's `setMany` when it
 * has one, else its `set` for each entry.
 */
export function createWriteBehind(store: Store, guarded: GuardedWrite): WriteBehind {
  // A store without a location (memory) is its instance's own.
  const shared = store.location === undefined ? undefined : `${store.name} ${store.location}`;
  const siblings = (shared !== undefined && sharing.get(shared)) || new Set<Sibling>();
  const readsShared = !hasLocks(store);
  /** Handed over and not yet in a batch, in the order they came. */
  let queued = new Map<string, Pending>();
  /** In the batch being written. */
  let writing = new Map<string, Pending>();
  /** The batch being written; one at a time, so two writes of one key land in order. */
  let inFlight: Promise<void> | undefined;
  /** Cancels the next batch's timer (or immediate); undefined while none is set. */
  let cancelScheduled: (() => void) | undefined;
  /** Whether the next batch is set for the next turn (a full batch waits for nothing else), or waits on the store. */
  let soon = false;
  /** When the next batch began to wait on the store (see {@link MAX_WRITE_WAIT_MS}). */
  let waitingSince: number | undefined;

  const writeAll = store.setMany
    ? (writes: StoreWrite[]) => store.setMany!(writes)
    : async (writes: StoreWrite[]) => void (await Promise.all(writes.map(({ entry, ttlSeconds }) => store.set(entry, { ttlSeconds }))));

  /** Takes up to a batch of queued entries; they stay readable (in `writing`) until written. */
  function take(): Pending[] {
    const batch: Pending[] = [];
    let bytes = 0;
    for (const [key, item] of queued) {
      bytes += item.entry.body.length + item.entry.prompt.length;
      if (batch.length === MAX_BATCH_ENTRIES || (batch.length > 0 && bytes > MAX_BATCH_BYTES)) break;
      queued.delete(key);
      writing.set(key, item);
      batch.push(item);
    }
    return batch;
  }

  /** A batch's write is over: its entries are read from the store from now on (or, failed, not at all). */
  function landed(batch: Pending[], written: boolean): void {
    for (const item of batch) {
      if (writing.get(item.entry.key) === item) writing.delete(item.entry.key);
      item.settle(written);
    }
  }

  function writeBatch(): Promise<void> {
    waitingSince = undefined;
    const batch = take();
    const done = guarded(() => writeAll(batch)).then((written) => {
      landed(batch, written);
      inFlight = undefined;
      if (queued.size > 0) schedule();
    });
    inFlight = done;
    return done;
  }

  /**
   * The next batch goes after the delay, or, when a full batch waits, at the next turn (once this
   * turn's callers have their answers): an immediate, not a timer of 0 ms, which waits at least a
   * millisecond and would hold a burst to a batch a millisecond.
   */
  function schedule(): void {
    if (inFlight) return;
    const full = queued.size >= MAX_BATCH_ENTRIES;
    if (cancelScheduled && (soon || !full)) return;
    unschedule();
    if (full) {
      const immediate = setImmediate(writeScheduled);
      cancelScheduled = () => clearImmediate(immediate);
      soon = true;
    } else {
      const timer = setTimeout(writeScheduled, WRITE_DELAY_MS);
      cancelScheduled = () => clearTimeout(timer);
    }
  }

  /** The scheduled batch's turn: written now, or, while the store asks writes to wait, a little later. */
  function writeScheduled(): void {
    cancelScheduled = undefined;
    soon = false;
    if (inFlight || queued.size === 0) return;
    if (store.writesWait?.()) {
      const now = performance.now();
      waitingSince ??= now;
      if (now - waitingSince < MAX_WRITE_WAIT_MS) {
        const timer = setTimeout(writeScheduled, WRITE_WAIT_STEP_MS);
        cancelScheduled = () => clearTimeout(timer);
        // Set to go as soon as it may: entries handed over meanwhile join it.
        soon = true;
        return;
      }
    }
    void writeBatch();
  }

  function unschedule(): void {
    cancelScheduled?.();
    cancelScheduled = undefined;
    soon = false;
  }

  /**
   * At exit and on a stop signal: what is queued, written before the process ends (SQLite and
   * memory write synchronously; a Redis batch is sent, its reply never awaited).
   */
  function writeNow(): void {
    unschedule();
    while (queued.size > 0) {
      const batch = [...queued.values()];
      queued = new Map();
      for (const item of batch) writing.set(item.entry.key, item);
      writeAll(batch).then(() => landed(batch, true), () => landed(batch, false));
    }
  }

  const release = holdUntilExit({ drain: writeNow, close: writeNow });

  /** Writes this queue's pending entries now. */
  async function flushOwn(): Promise<void> {
    unschedule();
    for (;;) {
      if (inFlight) await inFlight;
      else if (queued.size > 0) await writeBatch();
      else return;
    }
  }

  const own = (key: string) => (queued.get(key) ?? writing.get(key))?.entry;
  const self: Sibling = { own, flushOwn };
  siblings.add(self);
  if (shared !== undefined) sharing.set(shared, siblings);

  return {
    enqueue({ entry, ttlSeconds }) {
      let settle!: (written: boolean) => void;
      const written = new Promise<boolean>((resolve) => (settle = resolve));
      // A newer answer for a key not yet written replaces the older one, whose write is the newer's.
      const replaced = queued.get(entry.key);
      if (replaced) written.then(replaced.settle);
      queued.set(entry.key, { entry, ttlSeconds, settle });
      schedule();
      return written;
    },
    pending(key) {
      const mine = own(key);
      if (mine || !readsShared || siblings.size === 1) return mine;
      for (const sibling of siblings) {
        const theirs = sibling === self ? undefined : sibling.own(key);
        if (theirs) return theirs;
      }
      return undefined;
    },
    async flush() {
      await Promise.all([...siblings].map((sibling) => sibling.flushOwn()));
    },
    async close() {
      await flushOwn();
      siblings.delete(self);
      if (siblings.size === 0 && shared !== undefined) sharing.delete(shared);
      release();
    },
  };
}
