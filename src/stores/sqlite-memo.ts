import type { Database } from "../sqlite/database.ts";
import { readWalHeader, WAL_HEADER_BYTES } from "../sqlite/wal-header.ts";
import type { CacheEntry } from "./store.ts";

/** Entries a SQLite store keeps in memory in front of its file. */
export const SQLITE_MEMO_ENTRIES = 1024;

/**
 * Entries recently read from one SQLite connection, served again without SQLite for as long as
 * nothing has been committed to the file since: by any connection, in any process, this one's
 * included. That is known from the WAL-index header (see wal-header.ts), read once per lookup.
 *
 * Why it cannot serve what the file no longer holds: the header is read before the row is, so
 * a row remembered under a header was read at that state of the file or a later one; every
 * commit changes the header, and a changed header empties the memo. A state that cannot be read
 * (no header, a torn or cut one) neither serves nor remembers. The store empties it itself on
 * each of its own writes, and when its connection changes.
 */
export function createSqliteMemo(capacity = SQLITE_MEMO_ENTRIES) {
  /** Least recently used first. */
  const entries = new Map<string, CacheEntry>();
  const stamp = new Uint8Array(WAL_HEADER_BYTES);
  const header = new Uint8Array(WAL_HEADER_BYTES);
  let stamped = false;
  let connection: Database | undefined;

  function forget(): void {
    entries.clear();
    stamped = false;
  }

  /** Whether the header equals the stamp; if not, the memo starts afresh from the header just read. */
  function unchanged(): boolean {
    if (stamped) {
      let same = true;
      for (let i = 0; i < WAL_HEADER_BYTES; i += 4) {
        if (header[i] !== stamp[i] || header[i + 1] !== stamp[i + 1] || header[i + 2] !== stamp[i + 2] || header[i + 3] !== stamp[i + 3]) {
          same = false;
          break;
        }
      }
      if (same) return true;
    }
    entries.clear();
    stamp.set(header);
    stamped = true;
    return false;
  }

  return {
    /**
     * Reads the header for a lookup on `db`: true when the memo may be used for it (looked in,
     * and filled with what the lookup reads from `db` right after, before anything else runs).
     */
    open(db: Database | undefined): boolean {
      if (db !== connection) {
        forget();
        connection = db;
      }
      if (!db?.file || !readWalHeader(db.file, header)) {
        forget();
        return false;
      }
      unchanged();
      return true;
    },
    /** A copy of a remembered entry (the caller may change it), after {@link open} returned true. */
    get(key: string): CacheEntry | undefined {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      entries.delete(key);
      entries.set(key, entry);
      return copy(entry);
    },
    /** What `db` just read for `key` (kept as a copy: the caller may change `entry`), after {@link open} on `db` returned true. */
    remember(db: Database, key: string, entry: CacheEntry): void {
      if (db !== connection || !stamped) return;
      entries.set(key, copy(entry));
      if (entries.size > capacity) entries.delete(entries.keys().next().value as string);
    },
    /** The store wrote, or a lookup failed: nothing remembered may be served. */
    forget,
  };
}

/** Each lookup hands out its own objects, as one read from the file would. */
function copy(entry: CacheEntry): CacheEntry {
  const { usage, semantic } = entry;
  return {
    ...entry,
    usage: { ...usage },
    ...(semantic ? { semantic: { scope: semantic.scope, vector: semantic.vector.slice() } } : {}),
  };
}
