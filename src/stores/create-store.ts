import type { ResolvedConfig } from "../config.ts";
import { createMemoryStore } from "./memory.ts";
import { createRedisStore } from "./redis.ts";
import { createSqliteStore } from "./sqlite.ts";
import type { Store } from "./store.ts";

/** The store a resolved configuration asks for. */
export function createStore(config: ResolvedConfig): Store {
  switch (config.storage) {
    case "memory":
      return createMemoryStore({ maxEntries: config.memoryMaxEntries });
    case "sqlite":
      return createSqliteStore({ path: config.sqlitePath });
    case "redis":
      // resolveConfig guarantees the URL; ioredis itself is only loaded when the store connects.
      return createRedisStore({ url: config.redisUrl!, prefix: config.redisKeyPrefix });
  }
}
