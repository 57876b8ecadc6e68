import type { Database, SqlValue, Statement } from "../sqlite/database.ts";
import { USAGE_COLUMNS, USAGE_INSERT, type UsageColumn } from "./schema.ts";

/**
 * Columns most rows leave at their defaults (a call without a semantic match or check, images,
 * embedding, cache writes or reasoning tokens), each with the value its default stores: `0`,
 * declared `DEFAULT 0`, or `null`, declared with no default on a nullable column.
 */
const USUALLY_DEFAULT: Readonly<Partial<Record<UsageColumn, 0 | null>>> = {
  semantic_hit: 0,
  embedding_tokens: 0,
  embedding_cost_usd: 0,
  semantic_score: null,
  matched_prompt: null,
  cache_write_input_tokens: 0,
  reasoning_tokens: 0,
  image_count: 0,
  image_size: null,
  image_quality: null,
  embedding_co2e_g: 0,
  semantic_check: null,
  check_agreed: null,
  check_key: null,
  check_score: null,
  check_prompt: null,
};

/** Where the usually-default columns sit in a row, and the value each must hold for the row to leave it out. */
const DEFAULT_AT = USAGE_COLUMNS.flatMap((column, index) => (column in USUALLY_DEFAULT ? [{ index, value: USUALLY_DEFAULT[column] as 0 | null }] : []));
/** Where every column sits in a row. */
const ALL_AT = USAGE_COLUMNS.map((_, index) => index);
/** Where the columns a plain insert binds sit in a row. */
const PLAIN_AT = USAGE_COLUMNS.flatMap((column, index) => (column in USUALLY_DEFAULT ? [] : [index]));

/** The insert of `rows` rows whose usually-default columns hold their defaults: it binds only the others. */
function plainInsert(rows: number): string {
  const values = `(${PLAIN_AT.map(() => "?").join(", ")})`;
  return `INSERT INTO usage_log (${PLAIN_AT.map((i) => USAGE_COLUMNS[i]).join(", ")}) VALUES ${Array.from({ length: rows }, () => values).join(", ")}`;
}

/**
 * Rows of a block insert: one statement's work (its start and end, the log's AUTOINCREMENT
 * counter read and written, the driver's call) shared by that many rows. Blocks of 64 measured
 * about a fifth less time a row than single-row inserts (bench/usage-write.ts), blocks of 16
 * half that, and blocks of 4 more than single-row inserts; a block of 64 binding every column of
 * every row still less than single-row inserts leaving the defaults out.
 */
export const BLOCK_ROWS = 64;

/** The insert of {@link BLOCK_ROWS} rows binding every column. */
const USAGE_INSERT_BLOCK = `${USAGE_INSERT}${`, (${USAGE_COLUMNS.map(() => "?").join(", ")})`.repeat(BLOCK_ROWS - 1)}`;

/** Writes rows (in `USAGE_COLUMNS` order) to the log's table. */
export interface RowInserts {
  /** Inserts the row; throws what SQLite throws. */
  insert(row: readonly SqlValue[]): void;
  /**
   * Inserts {@link BLOCK_ROWS} rows in one statement, all or none: a row SQLite refuses fails the
   * statement (the caller then inserts them one by one to find it). When each leaves its
   * usually-default columns at their defaults, the statement leaves them out; else it binds every
   * column of every row. False, having inserted none, where SQLite takes too few bound values a
   * statement.
   */
  insertBlock(rows: readonly (readonly SqlValue[])[]): boolean;
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
  /** Inserts a block binding every column. */
  const insertFullBlock = blockInsert(db, USAGE_INSERT_BLOCK, ALL_AT);
  const plain = declaresDefaults(db) ? db.prepare(plainInsert(1)) : undefined;
  if (!plain) return { insert: (row) => void full.runValues(row), insertBlock: insertFullBlock, leavesOutDefaults: false };
  const values = new Array<SqlValue>(PLAIN_AT.length);
  const insertPlainBlock = blockInsert(db, plainInsert(BLOCK_ROWS), PLAIN_AT);
  return {
    insert(row) {
      if (!leavesDefaults(row)) {
        full.runValues(row);
        return;
      }
      for (let i = 0; i < PLAIN_AT.length; i++) values[i] = row[PLAIN_AT[i]!]!;
      plain.runValues(values);
    },
    insertBlock(rows) {
      for (let r = 0; r < BLOCK_ROWS; r++) if (!leavesDefaults(rows[r]!)) return insertFullBlock(rows);
      return insertPlainBlock(rows);
    },
    leavesOutDefaults: true,
  };
}

/**
 * A block's insert, `sql`, binding the values at `columnsAt` of each of its {@link BLOCK_ROWS}
 * rows; it returns false, inserting nothing, where SQLite takes fewer bound values a statement
 * (999 before 3.32) and `sql` could not be prepared.
 */
function blockInsert(db: Database, sql: string, columnsAt: readonly number[]): (rows: readonly (readonly SqlValue[])[]) => boolean {
  let statement: Statement | undefined;
  try {
    statement = db.prepare(sql);
  } catch {
    return () => false;
  }
  const values = new Array<SqlValue>(columnsAt.length * BLOCK_ROWS);
  return (rows) => {
    let v = 0;
    for (let r = 0; r < BLOCK_ROWS; r++) {
      const row = rows[r]!;
      for (let i = 0; i < columnsAt.length; i++) values[v++] = row[columnsAt[i]!]!;
    }
    statement.runValues(values);
    return true;
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

/**
 * True when the log's table declares each usually-default column's default as expected
 * (`PRAGMA table_info`'s `dflt_value`: the literal `0`, or none on a nullable column).
 */
function declaresDefaults(db: Database): boolean {
  const declared = new Map(db.prepare("PRAGMA table_info(usage_log)").all().map((column) => [String(column.name), column]));
  return Object.entries(USUALLY_DEFAULT).every(([name, value]) => {
    const column = declared.get(name);
    if (!column) return false;
    const literal = column.dflt_value === null || column.dflt_value === undefined ? null : String(column.dflt_value);
    return value === null ? literal === null && Number(column.notnull) === 0 : literal === String(value);
  });
}
