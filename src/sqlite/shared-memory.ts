import { closeSync, fstatSync, openSync, statSync, truncateSync } from "node:fs";

/**
 * Linux's `O_PATH`: a descriptor that names the file without opening it for I/O. `fstat` works on
 * it, and closing it does not release the process's POSIX locks on the file (closing any other
 * descriptor would drop every lock SQLite holds on it, letting another process reset the shared
 * memory under this one). Absent from `fs.constants`; its value is fixed by the kernel ABI, the
 * same on every architecture Node and Bun are built for except a few old ones, which read by name.
 */
const O_PATH = 0o10000000;
const GENERIC_O_PATH = new Set(["x64", "arm64", "arm", "ia32", "riscv64", "ppc64", "s390x", "loong64"]);

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
 *
 * The size is read before every statement, so it is read the cheapest way: on Linux through an
 * `O_PATH` descriptor held while the connection is open (`fstat` on it skips the path lookup a
 * `stat` by name pays, about half the cost), which also follows the file SQLite has mapped if the
 * name is replaced; elsewhere by name.
 *
 * The size seen lives in shared memory (`seen`, an `Int32Array` of one element over it), so that
 * a worker thread's guard of the same file knows what the main thread saw: SQLite maps the
 * shared memory once per process, for every connection, and a thread that opens the file after
 * a cut must grow it back before touching it, though it never saw it whole itself.
 */
export function createSharedMemoryGuard(path: string, shared: SharedArrayBuffer = new SharedArrayBuffer(4)) {
  const shm = `${path}-shm`;
  const byDescriptor = process.platform === "linux" && GENERIC_O_PATH.has(process.arch);
  const seen = new Int32Array(shared);
  let descriptor: number | undefined;

  function size(): number | undefined {
    if (!byDescriptor) return statSync(shm, { throwIfNoEntry: false })?.size;
    if (descriptor === undefined) {
      try {
        descriptor = openSync(shm, O_PATH);
      } catch {
        // Not there yet (SQLite creates it at the first read in WAL mode), or not visible to us.
        return undefined;
      }
    }
    return fstatSync(descriptor).size;
  }

  function release(): void {
    if (descriptor === undefined) return;
    try {
      closeSync(descriptor);
    } catch {
      // Already closed: nothing held.
    }
    descriptor = undefined;
  }

  return {
    /** The size seen, shared with the guards of other threads given it. */
    seen: shared,
    /** Grows the file back if it is shorter than last seen (by any guard sharing `seen`); else notes its size. */
    check(): void {
      const current = size();
      if (current === undefined) return;
      let known = Atomics.load(seen, 0);
      while (current > known) {
        const was = Atomics.compareExchange(seen, 0, known, current);
        if (was === known) return;
        known = was;
      }
      if (current === known) return;
      try {
        truncateSync(shm, known);
      } catch {
        // Not ours to grow (permissions): SQLite reports what it finds.
      }
    },
    /** A new connection: the file may start afresh (a new file, smaller than the old one's). */
    reset(): void {
      Atomics.store(seen, 0, 0);
      release();
    },
    /** The connection is closed: the descriptor is let go. */
    close(): void {
      release();
    },
  };
}
