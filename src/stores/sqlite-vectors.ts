/**
 * How the SQLite store keeps semantic vectors: the exact vector as a float32 BLOB in its entry's
 * row, and its compact code (`src/cache/vector-code.ts`) in a table of its own, `cache_vectors`,
 * so that loading a scope reads about 1.6 KB a vector from small rows in one query instead of
 * 6 KB a vector from the end of each entry's row (past its body). Triggers keep the codes in
 * step with the entries whatever removes or replaces them. An index holds each code's header (scale,
 * error bound, sketch) beside its scope, write time and key: a scope's headers, all a search needs
 * to rule vectors out, are read from the index's pages alone, a thirtieth of the table's bytes.
 *
 * @module
 */
import { CODE_HEADER_BYTES, encodeVector } from "../cache/vector-code.ts";
import type { Database, Row, SqlValue } from "../sqlite/database.ts";
import { letEventLoopTurn } from "../sqlite/event-loop.ts";
import type { VectorBatch } from "./store.ts";

export const VECTOR_TABLE = `
CREATE TABLE IF NOT EXISTS cache_vectors (
  key TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  code BLOB NOT NULL
);
DROP INDEX IF EXISTS cache_vectors_scope;
CREATE INDEX IF NOT EXISTS cache_vectors_heads ON cache_vectors (scope, created_at, key, length(code), substr(code, 1, ${CODE_HEADER_BYTES}));
CREATE TRIGGER IF NOT EXISTS cache_vectors_follow_delete AFTER DELETE ON cache_entries
BEGIN DELETE FROM cache_vectors WHERE key = old.key; END;
CREATE TRIGGER IF NOT EXISTS cache_vectors_follow_plain_write AFTER INSERT ON cache_entries WHEN new.vector IS NULL
BEGIN DELETE FROM cache_vectors WHERE key = new.key; END;
`;

export const UPSERT_CODE = "INSERT OR REPLACE INTO cache_vectors (key, scope, created_at, code) VALUES (?, ?, ?, ?)";
export const LIST_CODES = "SELECT key, created_at, code FROM cache_vectors WHERE scope = ? AND created_at >= ? ORDER BY created_at";

/**
 * Codes read per statement while a scope is listed in batches: headers (from the index's pages) by
 * the thousand; whole codes, read in while calls go on, by a few hundred (400 KB at 1,536
 * dimensions), so the event loop is never held long between turns.
 */
const HEADS_BATCH = 1024;
const LIST_BATCH = 256;

/**
 * The first `LIST_BATCH` codes (or `HEADS_BATCH` headers) of a scope written at or after a time, and the
 * next ones after the cursor (write time, key), in write order: one statement a batch, so the event
 * loop turns between batches. Headers come from `cache_vectors_heads` alone.
 */
function listPage(headsOnly: boolean, next: boolean): string {
  const code = headsOnly ? `substr(code, 1, ${CODE_HEADER_BYTES})` : "code";
  return `SELECT key, created_at, ${code} AS code, length(code) AS bytes FROM cache_vectors
    WHERE scope = ? AND ${next ? "(created_at, key) > (?, ?)" : "created_at >= ?"} ORDER BY created_at, key LIMIT ${headsOnly ? HEADS_BATCH : LIST_BATCH}`;
}
const PAGES = { codes: [listPage(false, false), listPage(false, true)], heads: [listPage(true, false), listPage(true, true)] } as const;

/** The codes of the keys in a JSON array (those still stored). */
export const CODES_OF_KEYS = `SELECT key, created_at, code, length(code) AS bytes FROM cache_vectors WHERE key IN (SELECT value FROM json_each(?))`;

/** Runs `sql` with `params` on the store's connection (prepared once) and returns its rows. */
export type ReadRows = (sql: string, params: SqlValue[]) => Row[];

/**
 * Lists the codes of `scope` written at or after `since` in batches of codes of one length, a
 * statement a batch, with a turn of the event loop between them.
 */
export async function listCodeBatches(read: ReadRows, scope: string, since: number, each: (batch: VectorBatch) => void, headsOnly = false): Promise<void> {
  const [first, next] = headsOnly ? PAGES.heads : PAGES.codes;
  const buffer = { codes: new Uint8Array(0) };
  let rows = read(first, [scope, since]);
  for (;;) {
    handRows(rows, headsOnly, each, buffer);
    if (rows.length < (headsOnly ? HEADS_BATCH : LIST_BATCH)) return;
    const last = rows[rows.length - 1]!;
    await letEventLoopTurn();
    rows = read(next, [scope, last.created_at!, last.key!]);
  }
}

/** The whole codes of `keys` (those still stored), in batches of codes of one length. */
export function codesOfKeys(read: ReadRows, keys: readonly string[], each: (batch: VectorBatch) => void): void {
  for (let start = 0; start < keys.length; start += LIST_BATCH) {
    handRows(read(CODES_OF_KEYS, [JSON.stringify(keys.slice(start, start + LIST_BATCH))]), false, each, { codes: new Uint8Array(0) });
  }
}

/**
 * Hands over `rows` (key, created_at, code, and bytes: the whole code's length) as batches of
 * codes of one length, each code (or header) copied into `buffer.codes` as its row is read; the
 * buffer is reused once `each` has returned.
 */
function handRows(rows: Row[], headsOnly: boolean, each: (batch: VectorBatch) => void, buffer: { codes: Uint8Array }): void {
  let codeBytes = 0;
  let stride = 0;
  let keys: string[] = [];
  let createdAt: number[] = [];
  const handOver = () => {
    if (keys.length > 0) each({ count: keys.length, keys, createdAt, codeBytes, headsOnly, codes: buffer.codes.subarray(0, keys.length * stride) });
    keys = [];
    createdAt = [];
  };
  for (const row of rows) {
    const bytes = Number(row.bytes);
    // Codes of another length (vectors of another embedding model) start a batch of their own.
    if (bytes !== codeBytes) {
      handOver();
      codeBytes = bytes;
      stride = headsOnly ? CODE_HEADER_BYTES : codeBytes;
      if (buffer.codes.byteLength < stride * rows.length) buffer.codes = new Uint8Array(stride * Math.max(rows.length, LIST_BATCH));
    }
    buffer.codes.set(row.code as Uint8Array, keys.length * stride);
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
