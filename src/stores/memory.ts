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
      const semantic = entry.semantic && { scope: entry.semantic.scope, vector: entry.semantic.vector.slice() };
      entries.set(entry.key, { ...entry, usage: { ...entry.usage }, ...(semantic ? { semantic } : {}) });
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
    async vectorsSince(scope, since) {
      const listed: StoredVector[] = [];
      for (const entry of entries.values()) {
        if (entry.semantic?.scope === scope && entry.createdAt >= since) listed.push({ key: entry.key, vector: entry.semantic.vector, createdAt: entry.createdAt });
      }
      return listed.sort((a, b) => a.createdAt - b.createdAt);
    },
    async close() {
      entries.clear();
    },
  };
}
