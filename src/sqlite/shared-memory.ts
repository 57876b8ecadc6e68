import { statSync, truncateSync } from "node:fs";

/**
 * SQLite's WAL index (`<file>-shm`) is memory shared between the processes using a file: it is
 * always memory-mapped, and a process touching its pages after another truncated it dies of
 * SIGBUS. SQLite itself never shrinks it while a connection has it open, so a shorter file means
 * someone else cut it: it is grown back to the size this process has seen (with zeros, which
 * SQLite reads as an index to rebuild from the WAL) before the next statement touches it.
 * A cut that lands while a statement runs cannot be caught this way. (Under Node, growing it back
 * opens the file, since `truncateSync` has no path-only form there, and closing that descriptor
 * drops the process's POSIX locks on it: a cost paid only once the index was destroyed anyway,
 * and smaller than the SIGBUS it prevents. Bun truncates by path.)
 */
export function createSharedMemoryGuard(path: string) {
  const shm = `${path}-shm`;
  let seen = 0;
  return {
    /** Grows the file back if it is shorter than last seen; else notes its size. */
    check(): void {
      const size = statSync(shm, { throwIfNoEntry: false })?.size;
      if (size === undefined) return;
      if (size >= seen) {
        seen = size;
        return;
      }
      try {
        truncateSync(shm, seen);
      } catch {
        // Not ours to grow (permissions): SQLite reports what it finds.
      }
    },
    /** A new connection: the file may start afresh, smaller than the old one's. */
    reset(): void {
      seen = 0;
    },
  };
}
