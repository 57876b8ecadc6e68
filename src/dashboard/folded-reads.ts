/**
 * Reads of the aggregate tables kept in memory between requests while the tables stand as they
 * were read: a request then reads only the rows written since the last fold (the tail). The tables
 * change only when some dashboard folds rows into them, which moves their state (the watermark, the
 * fold count), or when `ecoai prune` or `ecoai recompute` empties them, which counts a reset; a
 * read taken under another state is never answered. The dashboard's own fold reads again, at
 * once, what requests read since the fold before, so the next request finds it kept.
 * @module
 */

/** Reads kept at most (an overview makes six): the ranges and filters asked for lately, the least recently asked dropped first. */
const KEPT_READS = 32;

/** A read kept: how to read it again, what it gave, and whether a request used it since the last fold. */
interface Kept {
  read: () => unknown;
  value: unknown;
  used: boolean;
}

export class FoldedReads {
  private state = "";
  private readonly kept = new Map<string, Kept>();

  /** Says which state the tables are in now (read in the request's snapshot); reads of another state are dropped. */
  at(state: string): void {
    if (state === this.state) return;
    this.kept.clear();
    this.state = state;
  }

  /** The result of `read` for `key` under the current state, read now if it was not kept. Never change what it returns. */
  get<T>(key: string, read: () => T): T {
    const kept = this.kept.get(key);
    if (kept) {
      // Most recently used last, so the oldest is the one dropped.
      this.kept.delete(key);
      this.kept.set(key, kept);
      kept.used = true;
      return kept.value as T;
    }
    const value = read();
    this.kept.set(key, { read, value, used: true });
    if (this.kept.size > KEPT_READS) this.kept.delete(this.kept.keys().next().value!);
    return value;
  }

  /**
   * After a fold, in a snapshot of the tables in `state`: reads again what requests used since the
   * fold before, and drops the rest.
   */
  renew(state: string): void {
    if (state === this.state) return;
    const used = [...this.kept].filter(([, kept]) => kept.used);
    this.kept.clear();
    this.state = state;
    for (const [key, { read }] of used) this.kept.set(key, { read, value: read(), used: false });
  }
}

/** Reads the tables every time: for callers outside a dashboard's snapshot. */
export const UNKEPT = { get: <T>(_key: string, read: () => T): T => read() };

/** What overview queries read the aggregate tables through. */
export type TableReads = Pick<FoldedReads, "get">;

/** Orders strings as SQLite's BINARY collation does: by their UTF-8 bytes, that is by code point. */
export function compareBinary(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}
