import type { CacheEntry, Store } from "../stores/store.ts";

/**
 * How long the lock of a miss lasts. Long enough for most provider calls; a holder that crashes
 * blocks the others no longer than this, and a slower call only means the waiters go upstream too.
 */
export const MISS_LOCK_TTL_MS = 10_000;
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

/**
 * Coalesces identical misses across processes through the store's lock: the first caller takes
 * the lock and goes upstream; the others poll the store until the entry appears (and serve it) or
 * the lock is free again (the holder failed or crashed and its lock expired), then go upstream
 * themselves, holding the lock in turn. Stores without locks, and any store fault, mean going
 * upstream at once. `guarded` runs a store operation and returns undefined when it faults.
 */
export function createPeerCoalescing(store: Store, guarded: Guarded, lockTtlMs = MISS_LOCK_TTL_MS) {
  const { acquireLock, releaseLock } = store;
  /** Releases still in flight: they do not delay callers, but the store must not close under them. */
  const releasing = new Set<Promise<void>>();

  function release(key: string): Promise<void> {
    const done = guarded(() => releaseLock!.call(store, key)).then(() => void releasing.delete(done));
    releasing.add(done);
    return done;
  }

  async function claim(key: string, isFresh: (entry: CacheEntry) => boolean): Promise<PeerClaim> {
    if (!acquireLock || !releaseLock) return NO_CLAIM;
    const lookup = async () => {
      const entry = await guarded(() => store.get(key));
      return entry && isFresh(entry) ? entry : undefined;
    };
    // A waiter that outlives two lock lifetimes (a holder that keeps failing and retrying) stops waiting.
    const deadline = Date.now() + 2 * lockTtlMs;
    let delay = FIRST_POLL_MS;
    for (let attempt = 0; ; attempt++) {
      const taken = await guarded(() => acquireLock.call(store, key, lockTtlMs));
      if (taken === undefined) return NO_CLAIM;
      if (taken) {
        // The previous holder may have written the entry just before letting go.
        const entry = attempt === 0 ? undefined : await lookup();
        if (!entry) return { release: () => release(key) };
        await release(key);
        return { entry, release: NO_CLAIM.release };
      }
      if (Date.now() >= deadline) return NO_CLAIM;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, MAX_POLL_MS);
      const entry = await lookup();
      if (entry) return { entry, release: NO_CLAIM.release };
    }
  }

  return {
    claim,
    /** Resolves once every lock release has been sent; call before closing the store. */
    async idle(): Promise<void> {
      await Promise.all(releasing);
    },
  };
}
