/**
 * The cache the logged calls were answered from, for the request detail (the stored response) and
 * "invalidate this entry". It is found the way `ecoai flush` finds it (flags, then `ECOAI_STORAGE`
 * and `ECOAI_REDIS_URL`), except that the SQLite cache defaults to `cache.db` beside the usage log,
 * as EcoAI's own defaults put them (`.ecoai/usage.db`, `.ecoai/cache.db`). It is opened on first
 * use, and a SQLite file that does not exist is never created.
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { sqliteContents } from "../cli/options.ts";
import { resolveConfig, type ResolvedConfig } from "../config.ts";
import { errorMessage } from "../errors.ts";
import { createStore, type CacheEntry, type Store } from "../stores/index.ts";
import { redactRedisUrl } from "../stores/redis-client.ts";
import type { StorageType } from "../types.ts";

/** Where the cache is, as the dashboard's options say. */
export interface CacheLocation {
  /** @default process.env.ECOAI_STORAGE ?? "sqlite" */
  storage?: StorageType;
  /** @default "cache.db" beside the usage log */
  sqlitePath?: string;
  /** @default process.env.ECOAI_REDIS_URL */
  redisUrl?: string;
}

/** What the pages say about the cache: which one, and whether entries can be read and removed. */
export interface CacheDescription {
  storage: StorageType;
  /** A file path, or a Redis URL with its password masked. */
  location: string;
  available: boolean;
  /** Why entries cannot be read, when they cannot. */
  reason?: string;
}

/** The SQLite cache beside a usage log, as EcoAI's defaults place them. */
export function cachePathBeside(dbPath: string): string {
  return join(dirname(dbPath), "cache.db");
}

export interface CacheAccess {
  describe(): CacheDescription;
  /** The entry, `undefined` when it is not (or no longer) there; throws when the cache cannot be read. */
  get(key: string): Promise<CacheEntry | undefined>;
  /** Removes the entry; false when it was not there. */
  remove(key: string): Promise<boolean>;
  close(): Promise<void>;
}

export function createCacheAccess(dbPath: string, location: CacheLocation = {}, env: NodeJS.ProcessEnv = process.env): CacheAccess {
  let config: ResolvedConfig | undefined;
  let problem: string | undefined;
  try {
    config = resolveConfig({ sqlitePath: location.sqlitePath ?? cachePathBeside(dbPath), ...(location.storage ? { storage: location.storage } : {}), ...(location.redisUrl ? { redisUrl: location.redisUrl } : {}) }, env, {});
  } catch (error) {
    problem = errorMessage(error);
  }
  let store: Store | undefined;

  function unavailable(): string | undefined {
    if (problem) return problem;
    if (config!.storage === "memory") return "the memory cache lives inside the application's process; the dashboard cannot see it";
    if (config!.storage !== "sqlite" || store) return undefined;
    const path = config!.sqlitePath;
    if (!existsSync(path)) return `no cache file at ${path}; start the dashboard with --cache and EcoAI's sqlitePath`;
    try {
      if (!sqliteContents(path).cache) return `${path} is not an ecoai cache; start the dashboard with --cache and EcoAI's sqlitePath`;
    } catch (error) {
      return `cannot open the cache ${path}: ${errorMessage(error)}`;
    }
    return undefined;
  }

  function open(): Store {
    const reason = unavailable();
    if (reason) throw new Error(reason);
    store ??= createStore(config!);
    return store;
  }

  return {
    describe() {
      const reason = unavailable();
      const storage = config?.storage ?? location.storage ?? "sqlite";
      const where = storage === "sqlite" ? (config?.sqlitePath ?? "") : storage === "redis" ? redactRedisUrl(config?.redisUrl ?? "") : "in the application";
      return { storage, location: where, available: reason === undefined, ...(reason ? { reason } : {}) };
    },
    get: (key) => open().get(key),
    remove: (key) => open().delete(key),
    async close() {
      await store?.close();
    },
  };
}
