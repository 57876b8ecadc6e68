import type { CacheEntry } from "./store.ts";

/** Entries a store keeps in memory in front of its backend. */
export const MEMO_ENTRIES = 1024;

/**
 * A bounded, least-recently-used map of entries read from a store's backend, for a store that
 * serves them again while it knows the backend has not changed them (sqlite-memo.ts): deciding
 * that is the store's; this only keeps them. Every lookup hands out its
 * own copy, as a read from the backend would, so a caller changing it changes no later answer.
 */
export function createEntryMemo(capacity = MEMO_ENTRIES) {
  /**
   * Least recently used first; `until`: ms since the epoch past which the entry is not served;
   * `movedAt`: the {@link moves} count when it was last placed last.
   */
  const entries = new Map<string, { entry: CacheEntry; until: number; movedAt: number }>();
  /**
   * Entries placed last so far. A read moves its entry last only once half the capacity has moved
   * since it was: until then at least half the memo is older, so it is not the next to go, and a
   * loop of hits on a few entries costs no map writes.
   */
  let moves = 0;
  return {
    /** A copy of the entry remembered under `key`, unless none is or it is past its time. */
    get(key: string): CacheEntry | undefined {
      const known = entries.get(key);
      if (known === undefined) return undefined;
      if (known.until !== Number.POSITIVE_INFINITY && known.until <= Date.now()) {
        entries.delete(key);
        return undefined;
      }
      if (moves - known.movedAt > capacity >> 1) {
        entries.delete(key);
        entries.set(key, known);
        known.movedAt = moves++;
      }
      return copyEntry(known.entry);
    },
    /** Whether an entry is remembered under `key` (not whether it may be served). */
    has(key: string): boolean {
      return entries.has(key);
    },
    /** Keeps a copy of `entry` (its reader may change it), served until `until` (ms since the epoch). */
    set(key: string, entry: CacheEntry, until = Number.POSITIVE_INFINITY): void {
      entries.delete(key);
      entries.set(key, { entry: copyEntry(entry), until, movedAt: moves++ });
      if (entries.size > capacity) entries.delete(entries.keys().next().value as string);
    },
    delete(key: string): void {
      entries.delete(key);
    },
    clear(): void {
      entries.clear();
    },
  };
}

function copyEntry(entry: CacheEntry): CacheEntry {
  const copy: CacheEntry = { ...entry, usage: { ...entry.usage } };
  const semantic = entry.semantic;
  if (semantic) copy.semantic = { scope: semantic.scope, vector: semantic.vector.slice() };
  return copy;
}
