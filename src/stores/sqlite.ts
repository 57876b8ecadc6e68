import { openDatabase, type Database, type Row, type SqlValue } from "../sqlite/database.ts";
import type { PromptType, Provider } from "../types.ts";
import type { CacheEntry, Store, StoreFlushFilter } from "./store.ts";
import { fromBlob, toBlob } from "./sqlite-vectors.ts";

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

const SCHEMA_VERSION = 3;

/** Expired entries are deleted once every this many writes (and when the file is opened). */
const PURGE_EVERY_WRITES = 256;

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
  vector BLOB,
  expires_at INTEGER
) WITHOUT ROWID;
`;

/**
 * Columns added after the first schema, for files written before them: the semantic scope and
 * vector (version 2), the expiry of an entry written in prod mode (version 3).
 */
const ADDED_COLUMNS: Record<string, string> = { scope: "TEXT", vector: "BLOB", expires_at: "INTEGER" };

const INDEXES = `
CREATE INDEX IF NOT EXISTS cache_entries_model ON cache_entries (model);
CREATE INDEX IF NOT EXISTS cache_entries_namespace ON cache_entries (namespace, created_at);
CREATE INDEX IF NOT EXISTS cache_entries_scope ON cache_entries (scope, created_at) WHERE scope IS NOT NULL;
CREATE INDEX IF NOT EXISTS cache_entries_expiry ON cache_entries (expires_at) WHERE expires_at IS NOT NULL;
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
    // Files written by an earlier version gain the newer columns; their rows stay as they are.
    // Inside the schema transaction, so two processes opening one old file do not both alter it.
    const present = new Set(db.prepare("PRAGMA table_info(cache_entries)").all().map((row) => String(row.name)));
    for (const [column, type] of Object.entries(ADDED_COLUMNS)) {
      if (!present.has(column)) db.exec(`ALTER TABLE cache_entries ADD COLUMN ${column} ${type}`);
    }
    db.exec(INDEXES);
  });

  const select = db.prepare("SELECT * FROM cache_entries WHERE key = ?");
  const upsert = db.prepare(
    `INSERT OR REPLACE INTO cache_entries
       (key, namespace, provider, endpoint, model, prompt, prompt_type, body, input_tokens, cached_input_tokens, output_tokens, created_at, scope, vector, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // Prod-mode entries past their TTL would otherwise stay in the file for good when their
  // request never comes again (a request that does come again replaces its entry).
  const purgeExpired = db.prepare("DELETE FROM cache_entries WHERE expires_at IS NOT NULL AND expires_at <= ?");
  purgeExpired.run(Date.now());
  let writesSincePurge = 0;
  const vectors = db.prepare("SELECT key, vector, created_at FROM cache_entries WHERE scope = ? AND created_at >= ? ORDER BY created_at");
  const remove = db.prepare("DELETE FROM cache_entries WHERE key = ?");

  return {
    name: "sqlite",
    async get(key) {
      const row = select.get(key);
      return row ? toEntry(row) : undefined;
    },
    async set(entry, { ttlSeconds } = {}) {
      const expiresAt = ttlSeconds !== undefined && Number.isFinite(ttlSeconds) ? entry.createdAt + ttlSeconds * 1000 : null;
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
        expiresAt,
      );
      if (++writesSincePurge >= PURGE_EVERY_WRITES) {
        writesSincePurge = 0;
        purgeExpired.run(Date.now());
      }
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
