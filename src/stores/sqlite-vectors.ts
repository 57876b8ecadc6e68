/**
 * How the SQLite store keeps semantic vectors: the exact vector as a float32 BLOB in its entry's
 * row, and its compact code (`src/cache/vector-code.ts`) in a table of its own, `cache_vectors`,
 * so that loading a scope reads about 1.6 KB a vector from small rows in one query instead of
 * 6 KB a vector from the end of each entry's row (past its body). Triggers keep the codes in
 * step with the entries whatever removes or replaces them.
 *
 * @module
 */
import { encodeVector } from "../cache/vector-code.ts";
import type { Database, SqlValue, Statement } from "../sqlite/database.ts";
import type { VectorBatch } from "./store.ts";

export const VECTOR_TABLE = `
CREATE TABLE IF NOT EXISTS cache_vectors (
  key TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  code BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS cache_vectors_scope ON cache_vectors (scope, created_at);
CREATE TRIGGER IF NOT EXISTS cache_vectors_follow_delete AFTER DELETE ON cache_entries
BEGIN DELETE FROM cache_vectors WHERE key = old.key; END;
CREATE TRIGGER IF NOT EXISTS cache_vectors_follow_plain_write AFTER INSERT ON cache_entries WHEN new.vector IS NULL
BEGIN DELETE FROM cache_vectors WHERE key = new.key; END;
`;

export const UPSERT_CODE = "INSERT OR REPLACE INTO cache_vectors (key, scope, created_at, code) VALUES (?, ?, ?, ?)";
export const LIST_CODES = "SELECT key, created_at, code FROM cache_vectors WHERE scope = ? AND created_at >= ? ORDER BY created_at";

/** Codes read per statement while a scope is listed in batches: one value of about 1.6 MB at 1,536 dimensions. */
const LIST_BATCH = 1024;

/**
 * The next `LIST_BATCH` codes of scope ?1 after the cursor (write time ?2, rowid ?3), in write
 * order, as one row: SQLite concatenates the keys, write times and codes itself (group_concat
 * copies a BLOB's bytes as they are), so the driver hands over a few values a batch instead of
 * three a vector, and the cost of a load is that of reading its bytes.
 */
export const LIST_CODE_BATCH = `
SELECT count(*) AS count, group_concat(created_at) AS times,
  group_concat(key, '') AS keys, min(length(key)) AS key_shortest, max(length(key)) AS key_longest, group_concat(length(key)) AS key_lengths,
  CAST(group_concat(code, '') AS BLOB) AS codes, min(length(code)) AS code_shortest, max(length(code)) AS code_longest, group_concat(length(code)) AS code_lengths,
  max(printf('%020d %020d', created_at, rowid)) AS last
FROM (SELECT rowid, key, created_at, code FROM cache_vectors
      WHERE scope = ?1 AND (created_at, rowid) > (?2, ?3) ORDER BY created_at, rowid LIMIT ${LIST_BATCH})`;

/** Lists the codes of `scope` written at or after `since` in batches, with {@link LIST_CODE_BATCH} (prepared as `statement`). */
export function listCodeBatches(statement: Statement, scope: string, since: number, each: (batch: VectorBatch) => void): void {
  // Below every rowid: the first batch starts at the first code written at `since`.
  let cursor: [number, number] = [since, Number.MIN_SAFE_INTEGER];
  for (;;) {
    const row = statement.get(scope, ...cursor);
    const count = Number(row?.count ?? 0);
    if (!row || count === 0) return;
    const createdAt = String(row.times).split(",").map(Number);
    const keys = splitText(String(row.keys), row.key_shortest === row.key_longest ? Number(row.key_shortest) : lengths(row.key_lengths), count);
    const codes = row.codes as Uint8Array;
    if (row.code_shortest === row.code_longest) each({ count, keys, createdAt, codeBytes: Number(row.code_shortest), codes });
    else {
      // Codes of several lengths (vectors of more than one embedding model): one batch a code.
      const codeLengths = lengths(row.code_lengths);
      for (let i = 0, offset = 0; i < count; offset += codeLengths[i]!, i++) {
        each({ count: 1, keys: [keys[i]!], createdAt: [createdAt[i]!], codeBytes: codeLengths[i]!, codes: codes.subarray(offset, offset + codeLengths[i]!) });
      }
    }
    if (count < LIST_BATCH) return;
    const [at, rowid] = String(row.last).split(" ").map(Number);
    cursor = [at!, rowid!];
  }
}

function lengths(list: SqlValue | undefined): number[] {
  return String(list).split(",").map(Number);
}

/**
 * `count` strings concatenated in `text`, each `width` characters long or of the given lengths.
 * SQLite counts characters, JavaScript UTF-16 units: text with a character outside the BMP is
 * split by characters.
 */
export function splitText(text: string, width: number | number[], count: number): string[] {
  const widths = typeof width === "number" ? undefined : width;
  const parts = new Array<string>(count);
  if (typeof width === "number" ? text.length === width * count : text.length === width.reduce((sum, n) => sum + n, 0)) {
    for (let i = 0, at = 0; i < count; i++) {
      const end = at + (widths ? widths[i]! : (width as number));
      parts[i] = text.slice(at, end);
      at = end;
    }
    return parts;
  }
  const characters = Array.from(text);
  for (let i = 0, at = 0; i < count; i++) {
    const end = at + (widths ? widths[i]! : (width as number));
    parts[i] = characters.slice(at, end).join("");
    at = end;
  }
  return parts;
}

/** Rows read per step while computing the codes of vectors stored before codes were. */
const BACKFILL_BATCH = 1000;

/**
 * Writes the code of every stored vector that has none: the entries of a file written before
 * codes were kept (or by such a version since). Runs inside the schema upgrade's transaction.
 */
export function backfillCodes(db: Database): void {
  const missing = db.prepare(
    `SELECT key, scope, created_at, vector FROM cache_entries e
     WHERE vector IS NOT NULL AND scope IS NOT NULL AND key > ?
       AND NOT EXISTS (SELECT 1 FROM cache_vectors v WHERE v.key = e.key)
     ORDER BY key LIMIT ${BACKFILL_BATCH}`,
  );
  const upsert = db.prepare(UPSERT_CODE);
  let after = "";
  for (;;) {
    const rows = missing.all(after);
    for (const row of rows) {
      const vector = fromBlob(row.vector ?? null);
      if (vector.length > 0) upsert.run(row.key as string, row.scope as string, row.created_at as number, encodeVector(vector));
    }
    if (rows.length < BACKFILL_BATCH) return;
    after = String(rows[rows.length - 1]!.key);
  }
}

/** A vector as a BLOB of little-endian float32 values (a view, no copy). */
export function toBlob(vector: Float32Array): Uint8Array {
  return new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** A BLOB read back as a vector: a view when the driver's bytes are 4-byte aligned, else a copy. */
export function fromBlob(blob: SqlValue): Float32Array {
  if (!(blob instanceof Uint8Array) || blob.byteLength % 4 !== 0) return new Float32Array(0);
  if (blob.byteOffset % 4 === 0) return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4);
  return new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength) as ArrayBuffer);
}
