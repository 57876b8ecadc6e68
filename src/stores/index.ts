import { EcoAIError } from "../errors.ts";
import type { ResolvedConfig } from "../config.ts";
import { createMemoryStore } from "./memory.ts";
import { createSqliteStore } from "./sqlite.ts";
import type { Store } from "./store.ts";

export type { CacheEntry, Store, StoreFlushFilter, StoreSetOptions } from "./store.ts";
export { createMemoryStore } from "./memory.ts";
export { createSqliteStore } from "./sqlite.ts";

/** The store a resolved configuration asks for. */
export function createStore(config: ResolvedConfig): Store {
  switch (config.storage) {
    case "memory":
      return createMemoryStore({ maxEntries: config.memoryMaxEntries });
    case "sqlite":
      return createSqliteStore({ path: config.sqlitePath });
    case "redis":
      throw new EcoAIError("ECOAI_STORAGE_UNAVAILABLE", 'storage "redis" is not available in this version of ecoai; use "sqlite" or "memory".');
  }
}
