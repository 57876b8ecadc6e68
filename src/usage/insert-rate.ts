/**
 * How fast the usage log inserts rows, for sizing a background write of `writeSliceMs`: rows and
 * milliseconds of recent writes, on either thread, each write counting half as much at the next.
 * The first writes of a process (or of a thread just started) run unoptimised code, ten times
 * slower; they are soon outweighed.
 *
 * @module
 */

/** Rows a millisecond of inserts is taken to write until writes were measured: about 5 µs a row. */
const FIRST_ROWS_PER_MS = 200;

export function createInsertRate() {
  let rows = FIRST_ROWS_PER_MS;
  let ms = 1;
  return {
    /** A write inserted `inserted` rows in `insertMs` (its begin and commit left out). */
    measured(inserted: number, insertMs: number): void {
      if (inserted === 0) return;
      rows = rows / 2 + inserted;
      ms = ms / 2 + insertMs;
    },
    /** The rows inserted in about `budgetMs` at that rate, at least one. */
    rowsIn(budgetMs: number): number {
      return Math.max(1, Math.floor((budgetMs * rows) / ms));
    },
  };
}
