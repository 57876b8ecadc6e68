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

/** Codes handed over per batch while a scope is listed: about 1.6 MB at 1,536 dimensions. */
const LIST_BATCH = 1024;

/**
 * Lists the codes of `scope` written at or after `since`, with {@link LIST_CODES} (prepared as
 * `statement`) stepped through, in batches of up to `LIST_BATCH` codes of one length. Each code
 * is copied into one buffer as its row is read: the index takes a batch from one buffer, and no
 * row is held once copied. The buffer is reused for the next batch once `each` has returned.
 */
export function listCodeBatches(statement: Statement, scope: string, since: number, each: (batch: VectorBatch) => void): void {
  let codes = new Uint8Array(0);
  let codeBytes = 0;
  let keys: string[] = [];
  let createdAt: number[] = [];
  const handOver = () => {
    if (keys.length > 0) each({ count: keys.length, keys, createdAt, codeBytes, codes: codes.subarray(0, keys.length * codeBytes) });
    keys = [];
    createdAt = [];
  };
  for (const row of statement.iterate(scope, since)) {
    const code = row.code as Uint8Array;
    // Codes of another length (vectors of another embedding model) start a batch of their own.
    if (code.byteLength !== codeBytes || keys.length === LIST_BATCH) {
      handOver();
      if (code.byteLength !== codeBytes) {
        codeBytes = code.byteLength;
        codes = new Uint8Array(codeBytes * LIST_BATCH);
      }
    }
    codes.set(code, keys.length * codeBytes);
    keys.push(row.key as string);
    createdAt.push(Number(row.created_at));
  }
  handOver();
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
