import type { CacheEntry, Store, StoreFlushFilter } from "./store.ts";
import { matchesFlushFilter } from "./flush-filter.ts";

export interface MemoryStoreOptions {
  /**
   * Entries kept; the least recently used is dropped beyond it.
   * @default 1000
   */
  maxEntries?: number;
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

  return {
    name: "memory",
    async get(key) {
      const entry = entries.get(key);
      if (entry) {
        entries.delete(key);
        entries.set(key, entry);
      }
      return entry;
    },
    async set(entry) {
      entries.delete(entry.key);
      entries.set(entry.key, { ...entry, usage: { ...entry.usage } });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    async delete(key) {
      return entries.delete(key);
    },
    async flush(filter: StoreFlushFilter = {}) {
      let removed = 0;
      for (const [key, entry] of entries) {
        if (matchesFlushFilter(entry, filter)) {
          entries.delete(key);
          removed++;
        }
      }
      return removed;
    },
    async close() {
      entries.clear();
    },
  };
}
