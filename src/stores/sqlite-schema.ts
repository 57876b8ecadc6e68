/**
 * The SQLite cache file's table: its columns, indexes and version, and the upgrade of files written
 * by earlier versions.
 *
 * @module
 */
import type { Database } from "../sqlite/database.ts";
import type { KeyFilterStatements } from "./sqlite-key-filter.ts";
import { backfillCodes, VECTOR_TABLE } from "./sqlite-vectors.ts";

const SCHEMA_VERSION = 8;

/**
 * The entries' table. A rowid table with its key in a unique index (since version 7): a new
 * entry's row, body included, is appended at the end of the table, and only the small index entry
 * lands at a random place. The table of earlier versions was keyed by the key itself (WITHOUT
 * ROWID), so each write rewrote a random page holding whole bodies: measured at 20,000 entries of
 * 700 bytes, a batch of 8 cost 270 µs that way and 110 µs this way, and a read of a 2.4 KB
 * entry by key 23 µs against 8.5 µs.
 */
const entriesTable = (name: string) => `
CREATE TABLE IF NOT EXISTS ${name} (
  key TEXT NOT NULL UNIQUE,
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
);
`;

const COLUMNS = "key, namespace, provider, endpoint, model, prompt, prompt_type, body, input_tokens, cached_input_tokens, output_tokens, created_at, scope, vector, expires_at, evidence";

/**
 * Columns added after the first schema, for files written before them: the semantic scope and
 * vector (version 2), the expiry of an entry written in prod mode (version 3). Version 4 adds the
 * table of vector codes (`sqlite-vectors.ts`), filled from the vectors already stored. Version 5
 * adds what verified semantic caching learns of an entry. Version 6 indexes the codes' headers.
 * Version 7 keeps the entries in a rowid table (see {@link entriesTable}). Version 8 counts the
 * changes that may put a key below rows already read (see {@link KEYS_MOVED}).
 */
const ADDED_COLUMNS: Record<string, string> = { scope: "TEXT", vector: "BLOB", expires_at: "INTEGER", evidence: "TEXT" };

/**
 * A count of the changes after which a key may sit at a rowid a reader has already read past:
 * a delete that left the entries table's highest rowid lower than the deleted row's (only after
 * one can SQLite give a new row a rowid an earlier row had: it takes the highest plus one), and an
 * update of a row's key or rowid. While the count stands, every key added since a reader last
 * looked is in a row above the highest rowid it saw (sqlite-key-filter.ts reads the keys added
 * that way). Kept by triggers, so that every writer of the file keeps it: another process, an
 * earlier version of ecoai, the `sqlite3` shell. A replacement by `INSERT OR REPLACE` fires no
 * delete trigger and needs none: its new row takes a rowid above the old one's. (A row inserted
 * with a rowid given by hand, below the highest, is not counted.) Only for a rowid table (a large
 * table kept WITHOUT ROWID by {@link moveToRowidTable} has none).
 */
const KEYS_MOVED = `
CREATE TABLE IF NOT EXISTS cache_state (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO cache_state (name, value) VALUES ('keys_moved', 0);
CREATE TRIGGER IF NOT EXISTS cache_entries_newest_deleted AFTER DELETE ON cache_entries
  WHEN old.rowid > coalesce((SELECT max(rowid) FROM cache_entries), 0)
  BEGIN UPDATE cache_state SET value = value + 1 WHERE name = 'keys_moved'; END;
CREATE TRIGGER IF NOT EXISTS cache_entries_key_moved AFTER UPDATE ON cache_entries
  WHEN new.rowid <> old.rowid OR new.key IS NOT old.key
  BEGIN UPDATE cache_state SET value = value + 1 WHERE name = 'keys_moved'; END;
`;

/** Whether both triggers of {@link KEYS_MOVED} are in the file, as a SQL expression (1 or 0). */
const KEYS_MOVED_COUNTED = "(SELECT count(*) = 2 FROM sqlite_master WHERE type = 'trigger' AND name IN ('cache_entries_newest_deleted', 'cache_entries_key_moved'))";

/**
 * The key filter's statements (sqlite-key-filter.ts) on `db`; undefined when its table keeps no
 * {@link KEYS_MOVED} count (a large table of an earlier layout).
 */
export function prepareKeyFilter(db: Database): KeyFilterStatements | undefined {
  if (db.prepare(`SELECT ${KEYS_MOVED_COUNTED} AS counted`).get()?.counted !== 1) return undefined;
  return {
    keysFrom: db.prepare("SELECT key FROM cache_entries WHERE key > ? ORDER BY key LIMIT ?"),
    keysAfter: db.prepare("SELECT rowid, key FROM cache_entries WHERE rowid > ? ORDER BY rowid LIMIT ?"),
    state: db.prepare(
      `SELECT value AS moved, (SELECT schema_version FROM pragma_schema_version) AS schema, ${KEYS_MOVED_COUNTED} AS counted,
         (SELECT max(rowid) FROM cache_entries) AS newest
       FROM cache_state WHERE name = 'keys_moved'`,
    ),
  };
}

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
    db.exec(entriesTable("cache_entries"));
    // Files written by an earlier version gain the newer columns; their rows stay as they are.
    // Inside the schema transaction, so two processes opening one old file do not both alter it.
    const present = new Set(db.prepare("PRAGMA table_info(cache_entries)").all().map((row) => String(row.name)));
    for (const [column, type] of Object.entries(ADDED_COLUMNS)) {
      if (!present.has(column)) db.exec(`ALTER TABLE cache_entries ADD COLUMN ${column} ${type}`);
    }
    if (moveToRowidTable(db)) db.exec(KEYS_MOVED);
    db.exec(VECTOR_TABLE);
    backfillCodes(db);
    db.exec(INDEXES);
  });
}

/**
 * Entries an earlier version's table may hold and still be copied into the rowid table when the
 * file is opened: the copy runs while the store opens, which is in the constructor, and takes
 * about a second per 100,000 entries. A larger table keeps its layout and works as before, its
 * writes costing what they did.
 */
export const MAX_ENTRIES_COPIED = 100_000;

/**
 * Copies the entries of a table keyed by the key itself (WITHOUT ROWID, before version 7) into a
 * rowid table that takes its name, unless it holds more than {@link MAX_ENTRIES_COPIED}. Decided
 * by the table's layout, not the version number, so a file an older version opened since (and
 * marked with its own version) is not copied twice. The table's indexes and triggers go with it;
 * the caller creates them again. Returns whether the table is a rowid table now.
 */
function moveToRowidTable(db: Database): boolean {
  const sql = String(db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'cache_entries'").get()?.sql ?? "");
  if (!/WITHOUT\s+ROWID/i.test(sql)) return true;
  // Counted no further than the limit: a large table is not read whole to learn it is large.
  const counted = Number(db.prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM cache_entries LIMIT ${MAX_ENTRIES_COPIED + 1})`).get()?.n);
  if (counted > MAX_ENTRIES_COPIED) return false;
  db.exec(`
    DROP TABLE IF EXISTS cache_entries_rowid;
    ${entriesTable("cache_entries_rowid")}
    INSERT INTO cache_entries_rowid (${COLUMNS}) SELECT ${COLUMNS} FROM cache_entries;
    DROP TABLE cache_entries;
    ALTER TABLE cache_entries_rowid RENAME TO cache_entries;
  `);
  return true;
}
