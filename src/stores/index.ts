export type { CacheEntry, Store, StoreFlushFilter, StoreSetOptions } from "./store.ts";
export { createStore } from "./create-store.ts";
export { createMemoryStore } from "./memory.ts";
export { createSqliteStore } from "./sqlite.ts";
export { createRedisStore } from "./redis.ts";
