import type { CacheEntry, Store } from "../stores/store.ts";

/**
 * How long the lock of a miss lasts unless its holder renews it. A live holder renews it every
 * {@link RENEW_EVERY_MS} for as long as its upstream call runs, so this only bounds how long a
 * holder that crashed (or hung) delays the others: short, yet several renewals long, so that a
 * busy event loop or one slow round trip to the store does not lose it.
 */
export const MISS_LOCK_TTL_MS = 2_000;
const RENEW_EVERY_MS = MISS_LOCK_TTL_MS / 4;
/** Waiters poll the store this often at first, backing off to {@link MAX_POLL_MS}. */
const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 50;

/** The outcome of a miss among processes sharing a store. */
export interface PeerClaim {
  /** Written by another process while this one waited: serve it. */
  entry?: CacheEntry;
  /** Ends this process's claim once its own upstream call is settled (a no-op without a lock); never rejects. */
  release(): Promise<void>;
}

const NO_CLAIM: PeerClaim = { release: async () => {} };

type Guarded = <T>(operation: () => Promise<T>) => Promise<T | undefined>;

type LockingStore = Store & Required<Pick<Store, "acquireLock" | "releaseLock" | "renewLock">>;

/**
 * Coalesces identical misses across processes through the store's lock: the first caller takes
 * the lock, keeps it alive while it goes upstream, and writes the entry; the others poll the store
 * until the entry appears (and serve it) or the lock is free again (the holder failed, or crashed
 * and its lock expired), then go upstream themselves, holding the lock in turn. A waiter waits as
 * long as a live holder works, as a waiter in the holder's own process would, until its caller
 * gives up (`stop`). Stores without locks, and any store fault, mean going upstream at once.
 * `guarded` runs a store operation and returns undefined when it faults.
 */
export function createPeerCoalescing(store: Store, guarded: Guarded, lockTtlMs = MISS_LOCK_TTL_MS) {
  /** Releases still in flight: they do not delay callers, but the store must not close under them. */
  const releasing = new Set<Promise<void>>();
  const locking = hasLocks(store) ? store : undefined;

  /** Holds the lock until the returned release: renews it in the background while it is ours. */
  function hold(locks: LockingStore, key: string): () => Promise<void> {
    const renewing = setInterval(() => {
      locks.renewLock(key, lockTtlMs).then(
        (ours) => {
          // Lost (expired while this process stalled, then taken): others may now go upstream too.
          if (!ours) clearInterval(renewing);
        },
        // A missed renewal is no fault of the call's: the lock outlasts several, and a store that
        // is down is reported by the calls that need it.
        () => {},
      );
    }, Math.min(RENEW_EVERY_MS, lockTtlMs / 4));
    // Renewing never keeps a process alive by itself.
    (renewing as { unref?: () => void }).unref?.();
    let released: Promise<void> | undefined;
    return () => {
      clearInterval(renewing);
      if (released) return released;
      const done = guarded(() => locks.releaseLock(key)).then(() => void releasing.delete(done));
      releasing.add(done);
      return (released = done);
    };
  }

  async function claim(key: string, isFresh: (entry: CacheEntry) => boolean, stop?: AbortSignal): Promise<PeerClaim> {
    if (!locking) return NO_CLAIM;
    const lookup = async () => {
      const entry = await guarded(() => store.get(key));
      return entry && isFresh(entry) ? entry : undefined;
    };
    let delay = FIRST_POLL_MS;
    while (!stop?.aborted) {
      const taken = await guarded(() => locking.acquireLock(key, lockTtlMs));
      if (taken === undefined) return NO_CLAIM;
      if (taken) {
        const release = hold(locking, key);
        // A caller that gave up meanwhile must not keep others waiting on a lock it will not use.
        if (stop?.aborted) {
          await release();
          return NO_CLAIM;
        }
        // A previous holder may have written the entry and let go since this caller last looked
        // (on the first attempt too: the caller's own lookup came before the lock).
        const entry = await lookup();
        if (!entry) return { release };
        await release();
        return { entry, release: NO_CLAIM.release };
      }
      await pause(delay, stop);
      delay = Math.min(delay * 2, MAX_POLL_MS);
      const entry = await lookup();
      if (entry) return { entry, release: NO_CLAIM.release };
    }
    return NO_CLAIM;
  }

  return {
    claim,
    /** Resolves once every lock release has been sent; call before closing the store. */
    async idle(): Promise<void> {
      await Promise.all(releasing);
    },
  };
}

/** Locks are one capability: a store offers all three methods or none. Without them, misses are not coalesced across processes. */
export function hasLocks(store: Store): store is LockingStore {
  return store.acquireLock !== undefined && store.releaseLock !== undefined && store.renewLock !== undefined;
}

/** Sleeps `ms`, or less when `stop` aborts. */
function pause(ms: number, stop: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stop?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop?.addEventListener("abort", done, { once: true });
  });
}
