import type { Database } from "../sqlite/database.ts";
import { createHeaderStamp } from "../sqlite/wal-header.ts";
import { createEntryMemo, MEMO_ENTRIES } from "./entry-memo.ts";
import type { CacheEntry } from "./store.ts";

/**
 * Entries recently read from one SQLite connection, served again without SQLite for as long as
 * nothing has been committed to the file since: by any connection, in any process, this one's
 * included. That is known from the WAL-index header (see wal-header.ts), read once per lookup.
 *
 * Why it cannot serve what the file no longer holds: the header is read before the row is, so a
 * row remembered under a header was read at that state of the file or a later one; every commit
 * changes the header, and a changed header empties the memo. A state that cannot be read (no
 * header, a torn or cut one) neither serves nor remembers, and a new connection starts afresh.
 */
export function createSqliteMemo() {
  const entries = createEntryMemo();
  /** The header the entries were read under. */
  const header = createHeaderStamp();
  let connection: Database | undefined;

  function forget(): void {
    entries.clear();
    header.forget();
  }

  /**
   * Keys looked up once without the header read: their second lookup reads it, so that what it
   * reads can be remembered. A key looked up once (every miss of a new prompt) costs no read of
   * the header, only the lookup SQLite itself makes.
   */
  const seenOnce = new Set<string>();

  return {
    /**
     * Whether a lookup of `key` should read the header ({@link open}): when an entry is remembered
     * under it, or it was looked up before. Otherwise the key is noted for next time.
     */
    wants(key: string): boolean {
      if (entries.has(key) || seenOnce.delete(key)) return true;
      if (seenOnce.size >= MEMO_ENTRIES) seenOnce.clear();
      seenOnce.add(key);
      return false;
    },
    /**
     * Reads the header for a lookup on `db`: true when the memo may be used for it (looked in,
     * and filled with what the lookup reads from `db` right after, before anything else runs).
     * A header unlike the last one empties the memo.
     */
    open(db: Database | undefined): boolean {
      if (db !== connection) {
        forget();
        connection = db;
      }
      if (!db?.file || !header.read(db.file)) {
        forget();
        return false;
      }
      if (!header.unchanged()) {
        entries.clear();
        header.remember();
      }
      return true;
    },
    /** A copy of a remembered entry, after {@link open} returned true. */
    get: entries.get,
    /** What `db` just read for `key`, after {@link open} on `db` returned true. */
    remember(db: Database, key: string, entry: CacheEntry): void {
      if (db === connection && header.stamped) entries.set(key, entry);
    },
    /** A lookup failed, or the store closed: nothing remembered may be served. */
    forget,
  };
}
