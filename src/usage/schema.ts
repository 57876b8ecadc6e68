import { EcoAIError } from "../errors.ts";
import { openDatabase, type Database, type OpenDatabaseOptions } from "../sqlite/database.ts";

/**
 * The `usage_log` table as first released: one row per call, hit or miss. Later columns come
 * from {@link USAGE_MIGRATIONS}, for a new log as for an old one, so both end with the same
 * columns in the same order.
 */
const FIRST_TABLE = `
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
  co2_saved_g REAL NOT NULL DEFAULT 0
)`;

const FIRST_COLUMNS = [
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
] as const;

/**
 * One change to the usage log, applied in place to a log that lacks it: columns added with
 * `ALTER TABLE … ADD COLUMN` (every existing row kept, taking the column's default, so each
 * default must say what an old row means), then indexes. Nothing is rewritten, so migrating a log
 * of millions of rows takes milliseconds, and a process still running an older ecoai keeps
 * writing to it (its inserts leave the new columns at their defaults).
 */
export interface UsageMigration {
  /** What the change records, for people reading the schema. */
  description: string;
  /** Column name → SQL definition. Must be nullable or have a default. */
  columns: Readonly<Record<string, string>>;
  /** `CREATE INDEX IF NOT EXISTS` statements; each one costs every insert, so add one only when a query needs it. */
  indexes?: readonly string[];
}

/** Every change since the first release, oldest first. Append new ones; never edit a released one. */
export const USAGE_MIGRATIONS = [
  {
    description: "indexes that keep time-range, model and provider queries fast at millions of rows",
    columns: {},
    indexes: [
      "CREATE INDEX IF NOT EXISTS usage_log_timestamp ON usage_log (timestamp)",
      "CREATE INDEX IF NOT EXISTS usage_log_model ON usage_log (model, timestamp)",
      "CREATE INDEX IF NOT EXISTS usage_log_provider ON usage_log (provider, timestamp)",
    ],
  },
  {
    description: "what the embedding of a semantic lookup cost (savings are net of it)",
    columns: {
      embedding_tokens: "INTEGER NOT NULL DEFAULT 0",
      embedding_cost_usd: "REAL NOT NULL DEFAULT 0",
    },
  },
  {
    description: "what each call cost, whether its model has a price, its namespace, and what answered a semantic hit",
    columns: {
      // '' is also what a call without a namespace writes: older rows had none to record.
      namespace: "TEXT NOT NULL DEFAULT ''",
      cached_input_tokens: "INTEGER NOT NULL DEFAULT 0",
      // NULL: not known (a row written before costs were recorded, or a model without a price).
      cost_usd: "REAL",
      // 1 priced, 0 the model has no price (its cost and savings are unknown), NULL not recorded.
      priced: "INTEGER",
      semantic_score: "REAL",
      matched_prompt: "TEXT",
    },
  },
  {
    description: "energy and CO₂e as low / central / high ranges, the method version that computed each row, and the token counts and images they are computed from",
    columns: {
      // 1: the row was computed by methodology 1 (its co2_saved_g kept as written); later rows write the current version.
      methodology_version: "INTEGER NOT NULL DEFAULT 1",
      cache_write_input_tokens: "INTEGER NOT NULL DEFAULT 0",
      reasoning_tokens: "INTEGER NOT NULL DEFAULT 0",
      image_count: "INTEGER NOT NULL DEFAULT 0",
      image_size: "TEXT",
      image_quality: "TEXT",
      // The footprint of generating the response: what a miss took, what a hit avoided. NULL: not computed (methodology 1).
      energy_wh_low: "REAL",
      energy_wh_central: "REAL",
      energy_wh_high: "REAL",
      co2e_g_low: "REAL",
      co2e_g_central: "REAL",
      co2e_g_high: "REAL",
      // Grid carbon intensity (g CO₂e/kWh) the CO₂e was computed with.
      grid_g_per_kwh: "REAL",
      // The embedding the call needed, high estimate (savings are net of it).
      embedding_co2e_g: "REAL NOT NULL DEFAULT 0",
    },
  },
  {
    description: "semantic checks: a call that verified a semantic match (verified mode) or compared it in shadow mode, the entry compared, its score, and whether the answers agreed",
    columns: {
      // NULL: no check (every older row); 'verification' or 'shadow'.
      semantic_check: "TEXT",
      // 1 agreed, 0 disagreed, NULL no check.
      check_agreed: "INTEGER",
      check_key: "TEXT",
      check_score: "REAL",
      check_prompt: "TEXT",
    },
    // Only checked rows are indexed, so the index costs ordinary inserts nothing.
    indexes: ["CREATE INDEX IF NOT EXISTS usage_log_semantic_check ON usage_log (semantic_check, timestamp) WHERE semantic_check IS NOT NULL"],
  },
] as const satisfies readonly UsageMigration[];

/** Column order of an insert; the log writes rows in this order. */
export const USAGE_COLUMNS = [...FIRST_COLUMNS, ...USAGE_MIGRATIONS.flatMap((migration) => Object.keys(migration.columns))] as readonly UsageColumn[];

type ColumnsOf<M> = M extends { columns: infer C } ? keyof C & string : never;

/** A usage column's name. */
export type UsageColumn = (typeof FIRST_COLUMNS)[number] | ColumnsOf<(typeof USAGE_MIGRATIONS)[number]>;

/** The insert statement of a row in {@link USAGE_COLUMNS} order. */
export const USAGE_INSERT = `INSERT INTO usage_log (${USAGE_COLUMNS.join(", ")}) VALUES (${USAGE_COLUMNS.map(() => "?").join(", ")})`;

const INDEX_NAMES = USAGE_MIGRATIONS.flatMap((migration: UsageMigration) => (migration.indexes ?? []).map((sql) => /IF NOT EXISTS (\w+)/.exec(sql)![1]!));

/**
 * Creates the usage log's table and indexes, or brings an older log up to date, in one
 * transaction. A log already up to date is only read: opening it never waits for another
 * process's write lock.
 */
export function ensureUsageSchema(db: Database): void {
  if (missingParts(db) === 0) return;
  db.transaction(() => {
    // Another process may have created or migrated the log since the check: look again inside the lock.
    const present = columnsOf(db);
    if (present.size === 0) {
      // A new log is created in one statement, holding the write lock as briefly as possible.
      db.exec(`${CURRENT_TABLE};\n${INDEXES.join(";\n")};`);
      return;
    }
    for (const migration of USAGE_MIGRATIONS as readonly UsageMigration[]) {
      for (const [column, definition] of Object.entries(migration.columns)) {
        if (!present.has(column)) db.exec(`ALTER TABLE usage_log ADD COLUMN ${column} ${definition}`);
      }
      for (const index of migration.indexes ?? []) db.exec(index);
    }
  });
}

const MIGRATED_COLUMNS = (USAGE_MIGRATIONS as readonly UsageMigration[]).flatMap((migration) => Object.entries(migration.columns));
/** The table as the migrations leave it: the first release's columns, then every added one, in order. */
const CURRENT_TABLE = FIRST_TABLE.replace(/\n\)$/, `,\n${MIGRATED_COLUMNS.map(([column, definition]) => `  ${column} ${definition}`).join(",\n")}\n)`);
const INDEXES = (USAGE_MIGRATIONS as readonly UsageMigration[]).flatMap((migration) => migration.indexes ?? []);

function columnsOf(db: Database): Set<string> {
  return new Set(db.prepare("PRAGMA table_info(usage_log)").all().map((row) => String(row.name)));
}

/** How many columns and indexes of the current schema the log lacks (all of them when it has no table). */
function missingParts(db: Database): number {
  const columns = columnsOf(db);
  const indexes = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage_log'").all().map((row) => String(row.name)));
  return USAGE_COLUMNS.filter((column) => !columns.has(column)).length + INDEX_NAMES.filter((index) => !indexes.has(index)).length;
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
