import type { CacheEntry, Store, StoreFlushFilter, StoredVector } from "./store.ts";
import { matchesFlushFilter } from "./flush-filter.ts";

export interface MemoryStoreOptions {
  /**
   * Entries kept; the least recently used is dropped beyond it.
   * @default 1000
   */
  maxEntries?: number;
}

/**
 * The entries of one semantic scope in write-time order, so a listing since a time reads only
 * what is newer. An entry replaced or removed stays in the list until the next compaction; a
 * listing skips it by checking that the map still holds that very entry.
 */
interface ScopeLog {
  entries: CacheEntry[];
  dead: number;
}

/**
 * A bounded LRU in process memory, for tests and one-shot scripts. Nothing survives the process.
 *
 * @example
 * const eco = new EcoAI({ client, storage: "memory" });
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const maxEntries = options.maxEntries ?? 1000;
  // A Map iterates in insertion order: re-inserting on read makes the first key the least recent.
  const entries = new Map<string, CacheEntry>();
  const scopes = new Map<string, ScopeLog>();

  const live = (entry: CacheEntry) => entries.get(entry.key) === entry;

  function remove(key: string): boolean {
    const entry = entries.get(key);
    if (!entry) return false;
    entries.delete(key);
    const scope = entry.semantic && scopes.get(entry.semantic.scope);
    if (scope) {
      scope.dead++;
      // Dead entries are dropped once they are most of the list, so a listing's cost tracks live entries.
      if (scope.dead * 2 > scope.entries.length) {
        scope.entries = scope.entries.filter(live);
        scope.dead = 0;
      }
    }
    return true;
  }

  function indexScope(entry: CacheEntry): void {
    if (!entry.semantic) return;
    let scope = scopes.get(entry.semantic.scope);
    if (!scope) scopes.set(entry.semantic.scope, (scope = { entries: [], dead: 0 }));
    // Writes come in time order almost always; an older stamp (another clock, a test) is placed by search.
    const list = scope.entries;
    let at = list.length;
    if (at > 0 && list[at - 1]!.createdAt > entry.createdAt) at = firstWritten(list, (createdAt) => createdAt > entry.createdAt);
    list.splice(at, 0, entry);
  }

  /** Keeps a copy of `entry` (the caller's objects stay theirs), dropping the least recently used beyond the bound. */
  function put(entry: CacheEntry): void {
    remove(entry.key);
    const semantic = entry.semantic && { scope: entry.semantic.scope, vector: entry.semantic.vector.slice() };
    const stored: CacheEntry = { ...entry, usage: { ...entry.usage }, ...(semantic ? { semantic } : {}) };
    entries.set(entry.key, stored);
    indexScope(stored);
    while (entries.size > maxEntries) remove(entries.keys().next().value as string);
  }

  function getNow(key: string): CacheEntry | undefined {
    const entry = entries.get(key);
    if (entry) {
      entries.delete(key);
      entries.set(key, entry);
    }
    return entry;
  }

  return {
    name: "memory",
    async get(key) {
      return getNow(key);
    },
    getNow,
    async set(entry) {
      put(entry);
    },
    async setMany(writes) {
      for (const { entry } of writes) put(entry);
    },
    async delete(key) {
      return remove(key);
    },
    async flush(filter: StoreFlushFilter = {}) {
      let removed = 0;
      for (const [key, entry] of entries) {
        if (matchesFlushFilter(entry, filter)) {
          remove(key);
          removed++;
        }
      }
      return removed;
    },
    async vectorsSince(scope, since) {
      const list = scopes.get(scope)?.entries;
      if (!list) return [];
      const listed: StoredVector[] = [];
      for (let i = firstWritten(list, (createdAt) => createdAt >= since); i < list.length; i++) {
        const entry = list[i]!;
        if (live(entry)) listed.push({ key: entry.key, vector: entry.semantic!.vector, createdAt: entry.createdAt });
      }
      return listed;
    },
    async close() {
      entries.clear();
      scopes.clear();
    },
  };
}

/** Index of the first entry of `list` (sorted by `createdAt`) whose write time satisfies `reached` (monotone). */
function firstWritten(list: readonly CacheEntry[], reached: (createdAt: number) => boolean): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (reached(list[middle]!.createdAt)) high = middle;
    else low = middle + 1;
  }
  return low;
}
