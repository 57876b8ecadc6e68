import type { Database, Row, Statement } from "../sqlite/database.ts";
import { createHeaderStamp } from "../sqlite/wal-header.ts";

/**
 * Keys read from the file at a time, a chunk a timer tick, so that a large table never holds up
 * a call: measured at 100,000 entries, a chunk's reads took 0.12 ms (p50) to 0.45 ms (p99), and
 * holding its keys about 0.08 ms more.
 */
export const KEY_FILTER_CHUNK_ROWS = 256;

/**
 * Keys held at most, about 45 bytes each (45 MB at the limit). A file with more keys is looked up
 * as without the filter.
 */
export const KEY_FILTER_MAX_KEYS = 1_000_000;

/** What the filter reads through a connection; prepared with it. */
export interface KeyFilterStatements {
  /** `key` of the rows whose key sorts after `?1`, in key order, `?2` at most. */
  keysFrom: Statement;
  /** `rowid` and `key` of the rows above rowid `?1`, in rowid order, `?2` at most. */
  keysAfter: Statement;
  /**
   * The file's count of changes that may have put a key below rows already read (`moved`; see
   * sqlite-schema.ts), its schema version (`schema`: VACUUM, which may give rows new rowids,
   * changes it, as does any change of a table) and whether the triggers that keep the count are
   * there (`counted`, 1 or 0), and the highest rowid (`newest`, null in an empty table).
   */
  state: Statement;
}

/** A connection as the filter sees it; `keys` is undefined when its table keeps no count of moved keys (no filter then). */
export interface KeyFilterConnection {
  db: Database;
  keys: KeyFilterStatements | undefined;
}

/** Runs `work` on the store's current connection, as the store runs its reads. */
export type KeyFilterReader = <T>(work: (connection: KeyFilterConnection) => T) => T;

/**
 * The keys of a SQLite cache file, held in memory so that a lookup of a key the file does not
 * hold (every miss) is answered without SQLite: SQLite's lookup of a new key cost a miss 20-35 µs
 * between HTTP calls, this costs one `pread` of the WAL-index header (about 4 µs there).
 *
 * A key is absent when it is not among those read and nothing has been committed to the file
 * since they were read, by any connection in any process: the header (see wal-header.ts) is what
 * it was then. A changed header has the rows added since read first: a new row takes a rowid above
 * every row there is, so they are the rows above the highest rowid read, unless a delete lowered
 * the highest rowid or an update moved a key meanwhile (a count the file keeps, see
 * sqlite-schema.ts), or the schema changed (VACUUM may renumber rows), and then every key is read
 * again. This process's own writes are added as they commit: a header one commit on from the one
 * the keys matched, read after a transaction that began under it, is that transaction's.
 *
 * What it may get wrong is only ever a key held that the file no longer has (a deleted entry, a
 * fingerprint shared by two keys): that lookup goes to SQLite, as without the filter. Until the
 * keys are read (a chunk a timer tick), and when it cannot tell, lookups go to SQLite.
 */
export function createSqliteKeyFilter(read: KeyFilterReader, { chunkRows = KEY_FILTER_CHUNK_ROWS, maxKeys = KEY_FILTER_MAX_KEYS } = {}) {
  const fingerprints = new Set<number | string>();
  /** The header under which the keys held are every key of the file, once remembered. */
  const header = createHeaderStamp();
  /** The connection the keys are read through; a new one starts them over. */
  let source: KeyFilterConnection | undefined;
  /**
   * The first pass over every key is in key order, through the key's own index (a few pages a
   * chunk, where the table's rows, answers included, run to about ninety): `afterKey` is where it
   * is. After it, and at every catch-up, the rows above `newestRowid` are read.
   */
  let firstPass = true;
  let afterKey = "";
  /** The highest rowid read; during the first pass, the highest there was when it began. */
  let newestRowid = 0;
  /** The file's count of moved keys and its schema version since the reading began; undefined before it. */
  let moved: number | undefined;
  let schema: number | undefined;
  /** Every key of the file was read (the last chunk came back short). */
  let complete = false;
  /** No filter on this connection: no count of moved keys, or more keys than {@link maxKeys}. */
  let off = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** Every key is to be read again, from the first. */
  function startOver(): void {
    fingerprints.clear();
    firstPass = true;
    afterKey = "";
    newestRowid = 0;
    moved = schema = undefined;
    complete = false;
    header.forget();
  }

  function reset(connection: KeyFilterConnection | undefined): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    source = connection;
    startOver();
    off = connection?.keys === undefined;
    if (!off) readLater();
  }

  /** The keys are let go, and this connection's lookups all go to SQLite. */
  function turnOff(): void {
    startOver();
    off = true;
  }

  /** Past {@link maxKeys}: turned off. */
  function tooMany(): boolean {
    if (fingerprints.size <= maxKeys) return false;
    turnOff();
    return true;
  }

  function readLater(): void {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (source && !complete && !off) readChunk();
    }, 0);
    // Reading the keys never keeps a process alive.
    (timer as { unref?: () => void }).unref?.();
  }

  /** Whether the file's state row says the count of moved keys is kept. */
  const counted = (state: Row | undefined) => Number(state?.counted) === 1;

  /**
   * Reads one chunk of keys; true when that read the last of them and neither a key moved (see
   * sqlite-schema.ts) nor the schema changed since the reading began (the keys held are then every
   * key the file had when the chunk was read). Otherwise the reading goes on, from the start after
   * such a change, a chunk a timer tick.
   */
  function readChunk(): boolean {
    let chunk: { start: Row | undefined; rows: Row[]; state: Row | undefined } | undefined;
    try {
      chunk = read((connection) => {
        if (connection !== source) return undefined;
        const { keysFrom, keysAfter, state } = connection.keys!;
        // The count where the reading begins, then after every chunk's rows: a change before
        // the rows were read shows in the count read after them.
        const start = moved === undefined ? state.get() : undefined;
        const rows = firstPass ? keysFrom.all(afterKey, chunkRows) : keysAfter.all(newestRowid, chunkRows);
        return { start, rows, state: state.get() };
      });
    } catch {
      // The store reports its faults; the keys are read again once it works.
      chunk = undefined;
    }
    if (!chunk) {
      reset(undefined);
      return false;
    }
    const { start, rows, state } = chunk;
    if ((start && !counted(start)) || !counted(state)) {
      // The count is no longer kept (a trigger or its table was dropped): no filter on this connection.
      turnOff();
      return false;
    }
    if (start) {
      moved = Number(start.moved);
      schema = Number(start.schema);
      // Rows added during the first pass have rowids above this, and are read after it.
      newestRowid = Number(start.newest ?? 0);
    }
    if (Number(state!.moved) !== moved || Number(state!.schema) !== schema) {
      // A key may sit where the reading has passed: every key is read anew.
      startOver();
      readLater();
      return false;
    }
    for (const row of rows) fingerprints.add(fingerprint(String(row.key)));
    if (tooMany()) return false;
    const last = rows[rows.length - 1];
    if (firstPass) {
      if (last) afterKey = String(last.key);
      firstPass = rows.length === chunkRows;
    } else {
      if (last) newestRowid = Number(last.rowid);
      complete = rows.length < chunkRows;
      if (complete) return true;
    }
    header.forget();
    readLater();
    return false;
  }

  return {
    /**
     * True only when the file does not hold `key` (looked at through `connection`, the store's
     * current one): no entry is then read. False when it may, or when the filter cannot tell.
     */
    absent(connection: KeyFilterConnection | undefined, key: string): boolean {
      if (connection !== source) {
        reset(connection);
        return false;
      }
      if (!complete || off || fingerprints.has(fingerprint(key))) return false;
      const file = connection?.db.file;
      if (!file || !header.read(file)) return false;
      if (!header.unchanged()) {
        // Remembered as read before the rows: any commit after it changes the header again.
        if (!readChunk()) return false;
        header.remember();
        if (fingerprints.has(fingerprint(key))) return false;
      }
      return true;
    },
    /**
     * Inside a write transaction on `connection` (its write lock held, so no other connection
     * commits until it does), before its statements: whether the keys held are every key of the
     * file as it is. Hand the answer to {@link wrote}.
     */
    writing(connection: KeyFilterConnection): boolean {
      const file = connection.db.file;
      return connection === source && complete && header.stamped && file !== undefined && header.read(file) && header.unchanged();
    },
    /**
     * After a transaction on `connection` that wrote `keys` committed. `current`: what
     * {@link writing} said inside it; then a header one commit on is the transaction's own (a
     * checkpoint since changes no entry), and the keys held are every key under it.
     */
    wrote(connection: KeyFilterConnection, keys: readonly string[], current: boolean): void {
      if (connection !== source || off) return;
      for (const key of keys) fingerprints.add(fingerprint(key));
      if (tooMany() || !current) return;
      if (header.read(connection.db.file!) && header.oneCommitOn()) header.remember();
    },
    /** The store closed, or its connection failed: the keys are read again through the next one. */
    forget(): void {
      reset(undefined);
    },
  };
}

/**
 * What the filter holds of a key: a cache key (64 hex digits) is held as the number its first 13
 * digits make (52 bits, exact in a double), any other key as itself. Two keys that share one only
 * send a lookup to SQLite.
 */
function fingerprint(key: string): number | string {
  return key.length === 64 ? parseInt(key.slice(0, 13), 16) : key;
}
