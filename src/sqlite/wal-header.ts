import { closeSync, openSync, readSync } from "node:fs";
import { resolve } from "node:path";

/**
 * SQLite's WAL index (`<file>-shm`) starts with a 48-byte header, written twice (SQLite's own
 * readers compare the two copies to tell a torn write). Every commit of any connection, in any
 * process, changes it (its change counter, last frame and checksums), and so does every reset of
 * the WAL (its salts): while the bytes are the same, no connection has committed anything. One
 * `pread` tells that, through a descriptor kept open for the purpose, without touching the mapped
 * memory (a read of a file another process truncated returns fewer bytes, where a mapped page
 * kills the process with SIGBUS).
 *
 * That descriptor is not an `O_PATH` one (those cannot be read), so closing it would release
 * every POSIX lock this process holds on the file, SQLite's included, and let another process
 * reset the shared memory under this one's connections. It is therefore opened once per file and
 * closed only when no connection this process opened through `openDatabase` is left on it.
 *
 * @module
 */

/** Both copies of the header. */
export const WAL_HEADER_BYTES = 96;
const COPY_BYTES = 48;
/** Words of one copy: headers are compared a word at a time. */
const COPY_WORDS = COPY_BYTES / 4;
/** `isInit`: zero while the index is being (re)built, as after it was cut and grown back with zeros. */
const IS_INIT_OFFSET = 12;

interface OpenFile {
  /** Connections open on the file. */
  connections: number;
  /** The `-shm` descriptor, once read; -1 when it could not be opened (tried again at the next read). */
  descriptor: number;
}

const files = new Map<string, OpenFile>();

/** Called by `openDatabase` for each connection it opens on `path`. */
export function connectionOpened(path: string): string {
  const name = resolve(path);
  const known = files.get(name);
  if (known) known.connections++;
  else files.set(name, { connections: 1, descriptor: -1 });
  return name;
}

/** Called when a connection opened on `name` (as returned by {@link connectionOpened}) is closed. */
export function connectionClosed(name: string): void {
  const known = files.get(name);
  if (!known || --known.connections > 0) return;
  files.delete(name);
  if (known.descriptor < 0) return;
  try {
    closeSync(known.descriptor);
  } catch {
    // Already closed: nothing held.
  }
}

/**
 * Reads the WAL-index header of `path` into `into` (at least {@link WAL_HEADER_BYTES} long).
 * True only when the header was read whole, its two copies agree and the index is built; false
 * otherwise (no connection of this process open on the file, no `-shm` yet, cut short, caught
 * mid-write): then nothing may be concluded from it.
 */
export function readWalHeader(name: string, into: Uint8Array, words = new Uint32Array(into.buffer, into.byteOffset, WAL_HEADER_BYTES / 4)): boolean {
  const file = files.get(name);
  if (!file) return false;
  if (file.descriptor < 0) {
    try {
      file.descriptor = openSync(`${name}-shm`, "r");
    } catch {
      return false;
    }
  }
  let read: number;
  try {
    read = readSync(file.descriptor, into, 0, WAL_HEADER_BYTES, 0);
  } catch {
    return false;
  }
  if (read < WAL_HEADER_BYTES || into[IS_INIT_OFFSET] !== 1) return false;
  for (let i = 0; i < COPY_WORDS; i++) if (words[i] !== words[i + COPY_WORDS]) return false;
  return true;
}

/** The third word of a header counts commits (`iChange`). */
const COMMITS_WORD = 2;

/**
 * A file's WAL-index header, read when asked, and one remembered: while the two are the same, no
 * connection has committed anything to the file since the remembered one was read. Only the first
 * copies are compared: a header is read only when its two copies agree.
 */
export function createHeaderStamp() {
  const header = new Uint8Array(WAL_HEADER_BYTES);
  const bothCopies = new Uint32Array(header.buffer, 0, 2 * COPY_WORDS);
  const stamp = new Uint8Array(WAL_HEADER_BYTES);
  const headerWords = new Uint32Array(header.buffer, 0, COPY_WORDS);
  const stampWords = new Uint32Array(stamp.buffer, 0, COPY_WORDS);
  let stamped = false;
  return {
    /** Reads the header of `name` (see {@link readWalHeader}); false when nothing may be concluded from it. */
    read: (name: string) => readWalHeader(name, header, bothCopies),
    /** Whether a header is remembered. */
    get stamped() {
      return stamped;
    },
    /** Whether the header last read is the one remembered. */
    unchanged(): boolean {
      if (!stamped) return false;
      for (let i = 0; i < COPY_WORDS; i++) if (headerWords[i] !== stampWords[i]) return false;
      return true;
    },
    /** Whether the header last read is one commit on from the one remembered. */
    oneCommitOn(): boolean {
      return stamped && headerWords[COMMITS_WORD] === ((stampWords[COMMITS_WORD]! + 1) >>> 0);
    },
    /** Remembers the header last read. */
    remember(): void {
      stamp.set(header);
      stamped = true;
    },
    forget(): void {
      stamped = false;
    },
  };
}
