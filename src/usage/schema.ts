import { EcoAIError } from "../errors.ts";
import { openDatabase, type Database, type OpenDatabaseOptions } from "../sqlite/database.ts";

/**
 * The `usage_log` table: one row per call, hit or miss. Indexes serve time-range, model and
 * provider queries at millions of rows; each index costs every insert, so there are no more.
 */
export const USAGE_SCHEMA = `
CREATE TABLE IF NOT EXISTS usage_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  timestamp TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  cache_hit INTEGER NOT NULL,
  semantic_hit INTEGER NOT NULL DEFAULT 0,
  cache_key TEXT,
  prompt TEXT NOT NULL DEFAULT '',
  prompt_type TEXT NOT NULL DEFAULT 'text',
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  tokens_saved INTEGER NOT NULL DEFAULT 0,
  latency_ms REAL NOT NULL DEFAULT 0,
  cost_saved_usd REAL NOT NULL DEFAULT 0,
  co2_saved_g REAL NOT NULL DEFAULT 0,
  embedding_tokens INTEGER NOT NULL DEFAULT 0,
  embedding_cost_usd REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS usage_log_timestamp ON usage_log (timestamp);
CREATE INDEX IF NOT EXISTS usage_log_model ON usage_log (model, timestamp);
CREATE INDEX IF NOT EXISTS usage_log_provider ON usage_log (provider, timestamp);
`;

/** Column order of an insert; the log writes rows in this order. */
export const USAGE_COLUMNS = [
  "timestamp",
  "provider",
  "model",
  "cache_hit",
  "semantic_hit",
  "cache_key",
  "prompt",
  "prompt_type",
  "input_tokens",
  "output_tokens",
  "tokens_saved",
  "latency_ms",
  "cost_saved_usd",
  "co2_saved_g",
  "embedding_tokens",
  "embedding_cost_usd",
] as const;

/** Columns added after the first release, with their definitions; logs that lack them gain them. */
const ADDED_COLUMNS: Record<string, string> = {
  embedding_tokens: "INTEGER NOT NULL DEFAULT 0",
  embedding_cost_usd: "REAL NOT NULL DEFAULT 0",
};

/** Indexes of USAGE_SCHEMA, so a log that has them all needs no schema write. */
const USAGE_INDEXES = [...USAGE_SCHEMA.matchAll(/CREATE INDEX IF NOT EXISTS (\w+)/g)].map((match) => match[1]!);

/**
 * Creates the usage log's table and indexes, or brings an older log up to date, in one
 * transaction. A log already up to date is only read: opening it never waits for another
 * process's write lock.
 */
export function ensureUsageSchema(db: Database): void {
  if (usageSchemaCurrent(db)) return;
  db.transaction(() => {
    db.exec(USAGE_SCHEMA);
    migrateUsageSchema(db);
  });
}

function usageSchemaCurrent(db: Database): boolean {
  const columns = new Set(db.prepare("PRAGMA table_info(usage_log)").all().map((row) => String(row.name)));
  const indexes = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage_log'").all().map((row) => String(row.name)));
  return USAGE_COLUMNS.every((column) => columns.has(column)) && USAGE_INDEXES.every((index) => indexes.has(index));
}

/** Adds the columns an older usage log lacks; existing rows take the defaults. */
function migrateUsageSchema(db: Database): void {
  const present = new Set(db.prepare("PRAGMA table_info(usage_log)").all().map((row) => String(row.name)));
  for (const [column, definition] of Object.entries(ADDED_COLUMNS)) {
    if (!present.has(column)) db.exec(`ALTER TABLE usage_log ADD COLUMN ${column} ${definition}`);
  }
}

/** The log's database with its schema, or the error opening it as SQLite or the file system reported it. */
export function openUsageSchema(path: string, options: OpenDatabaseOptions = {}): Database {
  const db = openDatabase(path, options);
  try {
    ensureUsageSchema(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** The log's database with its schema; a file that cannot be opened is reported with its path. */
export function openUsageDatabase(path: string, options: OpenDatabaseOptions = {}): Database {
  try {
    return openUsageSchema(path, options);
  } catch (error) {
    // A missing SQLite driver already says what to install.
    if (error instanceof EcoAIError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new EcoAIError(
      "ECOAI_USAGE_LOG_UNAVAILABLE",
      `could not open the usage log ${path} (${reason}): pass a writable logPath (or ECOAI_DB_PATH), or logUsage: false.`,
      { cause: error },
    );
  }
}
