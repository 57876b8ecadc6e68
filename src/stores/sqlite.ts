import { openDatabase, type Database, type Row, type SqlValue } from "../sqlite/database.ts";
import type { PromptType, Provider } from "../types.ts";
import type { CacheEntry, Store, StoreFlushFilter } from "./store.ts";
import { fromBlob, migrateToVectors, toBlob } from "./sqlite-vectors.ts";

export interface SqliteStoreOptions {
  /**
   * The cache file; created with its folder when missing. Several processes may share it.
   * @default ".ecoai/cache.db"
   */
  path?: string;
  /**
   * How long a write waits for another process's lock.
   * @default 5000
   */
  busyTimeoutMs?: number;
}

const SCHEMA_VERSION = 2;

const TABLE = `
CREATE TABLE IF NOT EXISTS cache_entries (
  key TEXT PRIMARY KEY,
  namespace TEXT NOT NULL DEFAULT '',
  provider TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  model TEXT NOT NULL,
  prompt TEXT NOT NULL,
  prompt_type TEXT NOT NULL,
  body TEXT NOT NULL,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  cached_input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  scope TEXT,
  vector BLOB
) WITHOUT ROWID;
`;

const INDEXES = `
CREATE INDEX IF NOT EXISTS cache_entries_model ON cache_entries (model);
CREATE INDEX IF NOT EXISTS cache_entries_namespace ON cache_entries (namespace, created_at);
CREATE INDEX IF NOT EXISTS cache_entries_scope ON cache_entries (scope, created_at) WHERE scope IS NOT NULL;
PRAGMA user_version = ${SCHEMA_VERSION};
`;

/**
 * The default store: one SQLite file (WAL, busy timeout) that survives restarts and is shared by
 * every process that opens it.
 *
 * @example
 * const eco = new EcoAI({ client, storage: "sqlite", sqlitePath: ".ecoai/cache.db" });
 */
export function createSqliteStore(options: SqliteStoreOptions = {}): Store {
  const db: Database = openDatabase(options.path ?? ".ecoai/cache.db", { busyTimeoutMs: options.busyTimeoutMs });
  // Loading a scope's vectors reads many large rows by index; memory-mapped reads make that
  // several times faster than a read call per page.
  db.exec("PRAGMA mmap_size = 1073741824");
  db.transaction(() => {
    db.exec(TABLE);
    // Files written before semantic caching get the vector columns; their rows stay as they are.
    migrateToVectors(db);
    db.exec(INDEXES);
  });

  const select = db.prepare("SELECT * FROM cache_entries WHERE key = ?");
  const upsert = db.prepare(
    `INSERT OR REPLACE INTO cache_entries
       (key, namespace, provider, endpoint, model, prompt, prompt_type, body, input_tokens, cached_input_tokens, output_tokens, created_at, scope, vector)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const vectors = db.prepare("SELECT key, vector, created_at FROM cache_entries WHERE scope = ? AND created_at >= ? ORDER BY created_at");
  const remove = db.prepare("DELETE FROM cache_entries WHERE key = ?");

  return {
    name: "sqlite",
    async get(key) {
      const row = select.get(key);
      return row ? toEntry(row) : undefined;
    },
    async set(entry) {
      upsert.run(
        entry.key,
        entry.namespace,
        entry.provider,
        entry.endpoint,
        entry.model,
        entry.prompt,
        entry.promptType,
        entry.body,
        entry.usage.inputTokens,
        entry.usage.cachedInputTokens,
        entry.usage.outputTokens,
        entry.createdAt,
        entry.semantic?.scope ?? null,
        entry.semantic ? toBlob(entry.semantic.vector) : null,
      );
    },
    async vectorsSince(scope, since) {
      return vectors.all(scope, since).map((row) => ({ key: String(row.key), vector: fromBlob(row.vector ?? null), createdAt: Number(row.created_at) }));
    },
    async delete(key) {
      return remove.run(key) > 0;
    },
    async flush(filter: StoreFlushFilter = {}) {
      return db.transaction(() => {
        const where: string[] = [];
        const params: SqlValue[] = [];
        for (const column of ["model", "namespace"] as const) {
          const value = filter[column];
          if (value === undefined) continue;
          where.push(`${column} = ?`);
          params.push(value);
        }
        const clause = where.length ? ` WHERE ${where.join(" AND ")}` : "";
        if (!filter.matchPrompt) return db.prepare(`DELETE FROM cache_entries${clause}`).run(...params);
        const candidates = db.prepare(`SELECT key, prompt FROM cache_entries${clause}`).all(...params);
        let removed = 0;
        for (const row of candidates) {
          if (filter.matchPrompt(String(row.prompt))) removed += remove.run(row.key as string);
        }
        return removed;
      });
    },
    async close() {
      db.close();
    },
  };
}

function toEntry(row: Row): CacheEntry {
  return {
    key: String(row.key),
    body: String(row.body),
    createdAt: Number(row.created_at),
    provider: String(row.provider) as Provider,
    endpoint: String(row.endpoint),
    model: String(row.model),
    namespace: String(row.namespace),
    prompt: String(row.prompt),
    promptType: String(row.prompt_type) as PromptType,
    usage: {
      inputTokens: Number(row.input_tokens),
      cachedInputTokens: Number(row.cached_input_tokens),
      outputTokens: Number(row.output_tokens),
    },
    ...(row.scope !== null && row.vector instanceof Uint8Array ? { semantic: { scope: String(row.scope), vector: fromBlob(row.vector) } } : {}),
  };
}
