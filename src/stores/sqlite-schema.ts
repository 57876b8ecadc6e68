/**
 * The SQLite cache file's table: its columns, indexes and version, and the upgrade of files written
 * by earlier versions.
 *
 * @module
 */
import type { Database } from "../sqlite/database.ts";
import { backfillCodes, VECTOR_TABLE } from "./sqlite-vectors.ts";

const SCHEMA_VERSION = 6;

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
  expires_at INTEGER,
  evidence TEXT
) WITHOUT ROWID;
`;

/**
 * Columns added after the first schema, for files written before them: the semantic scope and
 * vector (version 2), the expiry of an entry written in prod mode (version 3). Version 4 adds the
 * table of vector codes (`sqlite-vectors.ts`), filled from the vectors already stored. Version 5
 * adds what verified semantic caching learns of an entry. Version 6 indexes the codes' headers.
 */
const ADDED_COLUMNS: Record<string, string> = { scope: "TEXT", vector: "BLOB", expires_at: "INTEGER", evidence: "TEXT" };

const INDEXES = `
CREATE INDEX IF NOT EXISTS cache_entries_model ON cache_entries (model);
CREATE INDEX IF NOT EXISTS cache_entries_namespace ON cache_entries (namespace, created_at);
CREATE INDEX IF NOT EXISTS cache_entries_scope ON cache_entries (scope, created_at) WHERE scope IS NOT NULL;
CREATE INDEX IF NOT EXISTS cache_entries_expiry ON cache_entries (expires_at) WHERE expires_at IS NOT NULL;
PRAGMA user_version = ${SCHEMA_VERSION};
`;

/**
 * Creates the cache table and indexes, or brings a file written by an earlier version up to date.
 * A file already at this version is only read: opening it never waits for a peer's write lock.
 */
export function ensureCacheSchema(db: Database): void {
  if (Number(db.prepare("PRAGMA user_version").get()?.user_version) === SCHEMA_VERSION && hasTable(db)) return;
  createSchema(db);
}

function hasTable(db: Database): boolean {
  return db.prepare("SELECT count(*) AS found FROM sqlite_master WHERE type = 'table' AND name IN ('cache_entries', 'cache_vectors')").get()?.found === 2;
}

function createSchema(db: Database): void {
  db.transaction(() => {
    db.exec(TABLE);
    // Files written by an earlier version gain the newer columns; their rows stay as they are.
    // Inside the schema transaction, so two processes opening one old file do not both alter it.
    const present = new Set(db.prepare("PRAGMA table_info(cache_entries)").all().map((row) => String(row.name)));
    for (const [column, type] of Object.entries(ADDED_COLUMNS)) {
      if (!present.has(column)) db.exec(`ALTER TABLE cache_entries ADD COLUMN ${column} ${type}`);
    }
    db.exec(VECTOR_TABLE);
    backfillCodes(db);
    db.exec(INDEXES);
  });
}
