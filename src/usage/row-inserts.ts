import type { Database, SqlValue } from "../sqlite/database.ts";
import { USAGE_COLUMNS, USAGE_INSERT, type UsageColumn } from "./schema.ts";

/**
 * Columns most rows leave at their defaults: a call without a semantic match or check, images,
 * embedding, cache writes or reasoning tokens. Each with the literal SQLite reports as its default
 * (`PRAGMA table_info`'s `dflt_value`, `null` for none: the column must then be nullable) and the
 * value that default stores.
 */
const USUALLY_DEFAULT: Readonly<Partial<Record<UsageColumn, { declared: string | null; value: SqlValue }>>> = {
  semantic_hit: { declared: "0", value: 0 },
  embedding_tokens: { declared: "0", value: 0 },
  embedding_cost_usd: { declared: "0", value: 0 },
  semantic_score: { declared: null, value: null },
  matched_prompt: { declared: null, value: null },
  cache_write_input_tokens: { declared: "0", value: 0 },
  reasoning_tokens: { declared: "0", value: 0 },
  image_count: { declared: "0", value: 0 },
  image_size: { declared: null, value: null },
  image_quality: { declared: null, value: null },
  embedding_co2e_g: { declared: "0", value: 0 },
  semantic_check: { declared: null, value: null },
  check_agreed: { declared: null, value: null },
  check_key: { declared: null, value: null },
  check_score: { declared: null, value: null },
  check_prompt: { declared: null, value: null },
};

/** Where the usually-default columns sit in a row, and the value each must hold for the row to leave it out. */
const DEFAULT_AT = USAGE_COLUMNS.flatMap((column, index) => (USUALLY_DEFAULT[column] ? [{ index, value: USUALLY_DEFAULT[column]!.value }] : []));
/** Where the columns a plain insert binds sit in a row. */
const PLAIN_AT = USAGE_COLUMNS.flatMap((column, index) => (USUALLY_DEFAULT[column] ? [] : [index]));

/** The insert of a row whose usually-default columns hold their defaults: it binds only the others. */
const USAGE_INSERT_PLAIN = `INSERT INTO usage_log (${PLAIN_AT.map((i) => USAGE_COLUMNS[i]).join(", ")}) VALUES (${PLAIN_AT.map(() => "?").join(", ")})`;

/** Writes rows (in `USAGE_COLUMNS` order) to the log's table. */
export interface RowInserts {
  /** Inserts the row; throws what SQLite throws. */
  insert(row: readonly SqlValue[]): void;
  /** False when the log's table declares other defaults, so every row binds every column. */
  readonly leavesOutDefaults: boolean;
}

/**
 * The inserts of the log open on `db`. Every call writes a row, and a typical row leaves 16 of its
 * 41 columns at their defaults: such a row is written by an insert that leaves them out, so SQLite
 * fills in the same defaults (the same stored values) without their being bound, which measured
 * about a tenth less time a row than binding all 41 (bench/usage-write.ts). Any other row binds
 * every column. A log whose declared defaults differ from these (a file this release did not
 * create or migrate) binds every column of every row.
 *
 * @example
 * const inserts = prepareRowInserts(db);
 * inserts.insert(toRow(record)); // → one row, through the shorter insert when it can
 */
export function prepareRowInserts(db: Database): RowInserts {
  const full = db.prepare(USAGE_INSERT);
  const plain = declaresDefaults(db) ? db.prepare(USAGE_INSERT_PLAIN) : undefined;
  if (!plain) return { insert: (row) => void full.run(...row), leavesOutDefaults: false };
  const values = new Array<SqlValue>(PLAIN_AT.length);
  return {
    insert(row) {
      if (!leavesDefaults(row)) {
        full.run(...row);
        return;
      }
      for (let i = 0; i < PLAIN_AT.length; i++) values[i] = row[PLAIN_AT[i]!]!;
      plain.run(...values);
    },
    leavesOutDefaults: true,
  };
}

/** True when every usually-default column of `row` holds exactly its default (`-0` is not `0`). */
export function leavesDefaults(row: readonly SqlValue[]): boolean {
  for (let i = 0; i < DEFAULT_AT.length; i++) {
    const { index, value } = DEFAULT_AT[i]!;
    if (!Object.is(row[index], value)) return false;
  }
  return true;
}

/** True when the log's table declares each usually-default column's default as expected. */
function declaresDefaults(db: Database): boolean {
  const declared = new Map(db.prepare("PRAGMA table_info(usage_log)").all().map((column) => [String(column.name), column]));
  return Object.entries(USUALLY_DEFAULT).every(([name, expected]) => {
    const column = declared.get(name);
    if (!column) return false;
    const value = column.dflt_value === null || column.dflt_value === undefined ? null : String(column.dflt_value);
    return value === expected!.declared && (value !== null || Number(column.notnull) === 0);
  });
}
