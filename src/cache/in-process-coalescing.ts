/**
 * Coalesces identical misses inside one process: the first call for a key leads (goes upstream),
 * identical calls that arrive meanwhile wait for it and share its outcome: its result (when the
 * waiter accepts it), or the provider's error response. Any other failure of the leader (an abort by its own signal, its
 * own timeout, a dropped connection) belongs to the leader's request alone: the waiters then make
 * their own call, or join the next leader.
 */
export function createInProcessCoalescing<T>() {
  const inFlight = new Map<string, Promise<T>>();

  /** Leaders whose failure was their own; never joined again. */
  const ownFailures = new WeakSet<Promise<T>>();

  return {
    /**
     * The outcome of an identical call in flight; undefined, at once, when there is none. The
     * promise resolves to undefined when the leader's failure was its own or `accept` refuses its
     * result: join again then (a settled leader is gone by the time its waiters resume). The check
     * is synchronous so that a caller finding no leader becomes one before anyone else looks.
     */
    join(key: string, accept: (outcome: T) => boolean): Promise<T | undefined> | undefined {
      const leader = inFlight.get(key);
      if (!leader || ownFailures.has(leader)) return undefined;
      return leader.then(
        (outcome) => (accept(outcome) ? outcome : undefined),
        (error: unknown) => {
          if (isProviderAnswer(error)) throw error;
          ownFailures.add(leader);
          return undefined;
        },
      );
    },

    /** Makes `upstream` the call that identical calls join until it settles; resolves as it does. */
    async lead(key: string, upstream: Promise<T>): Promise<T> {
      inFlight.set(key, upstream);
      try {
        return await upstream;
      } finally {
        if (inFlight.get(key) === upstream) inFlight.delete(key);
      }
    },
  };
}

/** An SDK error carrying the provider's HTTP status (every supported SDK sets `status` on those, and only on those). */
function isProviderAnswer(error: unknown): boolean {
  return typeof error === "object" && error !== null && typeof (error as { status?: unknown }).status === "number";
}
