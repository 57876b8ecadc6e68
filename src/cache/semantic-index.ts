import type { CacheEntry, Store, StoredVector } from "../stores/store.ts";
import { CODE_HEADER_BYTES, encodeVector, isCurrentCode } from "./vector-code.ts";
import { ScopeVectors, type Candidate } from "./scope-vectors.ts";
import { dotAt, SKETCH_WORDS, writeSketch } from "./vector-sketch.ts";

/** A stored prompt close enough to the query. */
export interface SemanticMatch {
  key: string;
  /** Cosine similarity to the query, computed with the exact stored vector. */
  score: number;
  /** The exact stored unit vector. */
  vector: Float32Array;
  /** The stored entry, when the vector was read from the store to score it. */
  entry?: CacheEntry;
}

/**
 * How far back, before the previous listing started, a refresh lists again. A process whose
 * clock runs slightly behind, or whose write committed a moment after it was stamped, is still
 * seen; vectors listed twice are recognised by key and write time, and not indexed again.
 */
const REFRESH_OVERLAP_MS = 1000;

/** One scope: its compact vectors, and when it was last listed from the store. */
interface Scope {
  vectors: ScopeVectors;
  /**
   * When the last listing of the store started (this process's clock); undefined until the scope
   * is first loaded. The next listing starts there, less the overlap, whatever the entries' own
   * times: a burst of writes is listed again for one overlap at most, not until the next write.
   */
  listedAt: number | undefined;
  refreshing: Promise<void> | undefined;
  /** Reading in the bytes of vectors loaded by their headers only. */
  filling: Promise<void> | undefined;
  /** Set by a first load of headers only: the rest is read in once the search that loaded it is answered. */
  fillDue: boolean;
  /** The exact vectors, kept in memory only when there is no store to read them back from. */
  kept: Map<string, Float32Array> | undefined;
}

/** A candidate with its key (read before any await: slots move when the scope is compacted). */
interface Pending extends Candidate {
  key: string;
}

type Exact = { vector: Float32Array; entry?: CacheEntry } | undefined;

/**
 * The in-memory search structure over stored prompt vectors, one partition per scope. A scope is
 * loaded from the store the first time it is searched and topped up with what any process wrote
 * since before every search, so vectors persist with their entries and are shared.
 *
 * Memory holds each vector's compact code only (about 1.6 KB at 1,536 dimensions, against 6 KB
 * as float32). A search scans the codes' 256-bit sign sketches, which discard everything that
 * lies (by five standard deviations) below the threshold; the survivors get an approximate score
 * from their bytes with a bound on its error, and only those whose bound leaves them a chance of
 * ranking among the best are read back from the store (`get`) and scored with the exact vector.
 * So the matches returned, and their scores, are those of an exact scan. Without a store to read
 * from, the index keeps the exact vectors itself. `onFirstLoad` is told when a scope's first load
 * is done, with the keys of its newest vectors to ask for (oldest first; made only when asked).
 *
 * A store that can list the codes' headers alone (`headsOnly`, and `vectorCodes`) makes a scope
 * searchable once its headers are read (a thirtieth of the bytes); the rest of each code is read
 * in the background, and a candidate whose bytes are not read yet has its code read on demand.
 */
export function createSemanticIndex(
  store: Partial<Pick<Store, "vectorsSince" | "vectorBatchesSince" | "vectorCodes" | "get">>,
  onFirstLoad?: (name: string, newestKeys: (count: number) => string[]) => void,
) {
  const scopes = new Map<string, Scope>();
  const readsBack = typeof store.get === "function";

  function scopeOf(name: string): Scope {
    let scope = scopes.get(name);
    if (!scope) scopes.set(name, (scope = { vectors: new ScopeVectors(), listedAt: undefined, refreshing: undefined, filling: undefined, fillDue: false, kept: readsBack ? undefined : new Map() }));
    return scope;
  }

  /** Exact vectors of `keys` in `name`, from memory or the store; undefined for a key whose entry is gone. */
  async function exactVectors(name: string, scope: Scope, keys: string[]): Promise<Exact[]> {
    if (scope.kept) return keys.map((key) => (scope.kept!.has(key) ? { vector: scope.kept!.get(key)! } : undefined));
    // Issued together: one round trip to Redis, a few point reads of SQLite.
    const entries = await Promise.all(keys.map((key) => store.get!(key)));
    return entries.map((entry) => (entry?.semantic && entry.semantic.scope === name ? { vector: entry.semantic.vector, entry } : undefined));
  }

  /**
   * Reads in the bytes of the vectors a first load held by their headers only (until then they
   * are scored exactly) with a whole listing of the scope, which also adds what the headers
   * lacked; what it does not list is gone (a store's headers may outlive their entries).
   */
  async function fill(name: string, scope: Scope): Promise<void> {
    // After a turn of the event loop: the search that loaded the scope goes on first.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      await store.vectorBatchesSince!(name, 0, (batch) => scopes.get(name) === scope && scope.vectors.fillBatch(batch, true));
      if (scopes.get(name) === scope) scope.vectors.dropPending();
    } catch {
      // The store failed: the vectors left pending are still found, with their exact vectors.
    } finally {
      scope.filling = undefined;
    }
  }

  async function refresh(name: string, scope: Scope): Promise<void> {
    if (!store.vectorsSince && !store.vectorBatchesSince) return;
    const since = scope.listedAt === undefined ? 0 : scope.listedAt - REFRESH_OVERLAP_MS;
    const startedAt = Date.now();
    const recode: StoredVector[] = [];
    // A first load has nothing to recognise: the vectors this process added since are listed as they are.
    const topUp = scope.listedAt !== undefined;
    const headsOnly = !topUp && typeof store.vectorCodes === "function";
    if (store.vectorBatchesSince) {
      // Batch by batch as the store reads them: a large scope is never held twice over. A first
      // load reads the codes' headers only, enough to search; the rest follows in the background.
      await store.vectorBatchesSince(
        name,
        since,
        (batch) => {
          for (const i of scope.vectors.addBatch(batch, topUp)) recode.push({ key: batch.keys[i]!, createdAt: batch.createdAt[i]! });
        },
        { headsOnly },
      );
      // A flush while the listing was in flight cleared this scope: what was added went with it.
      if (scopes.get(name) !== scope) return;
      if (headsOnly) scope.fillDue = true;
    } else {
      const listed = await store.vectorsSince!(name, since);
      // A flush while the listing was in flight cleared this scope: drop a listing that predates it.
      if (scopes.get(name) !== scope) return;
      const first = listed[0];
      const dims = first?.code ? first.code.byteLength - CODE_HEADER_BYTES : (first?.vector?.length ?? 0);
      if (scope.listedAt === undefined && dims > 0) scope.vectors.reserve(listed.length, dims);
      for (const stored of listed) {
        if (topUp && scope.vectors.holds(stored.key, stored.createdAt)) continue;
        if (stored.code && isCurrentCode(stored.code)) scope.vectors.add(stored.key, stored.code, stored.createdAt);
        else if (stored.vector) scope.vectors.add(stored.key, encodeVector(stored.vector), stored.createdAt);
        else recode.push(stored);
      }
    }
    // Codes written by a version with another format: encoded afresh from the exact vectors.
    if (recode.length > 0) {
      const exact = await exactVectors(name, scope, recode.map((stored) => stored.key));
      recode.forEach((stored, i) => exact[i] && scope.vectors.add(stored.key, encodeVector(exact[i]!.vector), stored.createdAt));
    }
    scope.listedAt = startedAt;
    if (!topUp && onFirstLoad) onFirstLoad(name, (count) => scope.vectors.newestKeys(count));
  }

  /**
   * The best `limit` candidates by exact score at or above `threshold`. Candidates are read back in
   * rounds: each round reads every candidate whose upper bound reaches the `limit`-th best score
   * that is already certain (an exact score, or a lower bound), so what is never read cannot
   * outrank what is returned.
   */
  async function rescore(name: string, scope: Scope, query: Float32Array, candidates: Pending[], threshold: number, limit: number): Promise<SemanticMatch[]> {
    const matches: SemanticMatch[] = [];
    let remaining = candidates;
    while (remaining.length > 0) {
      const certain = [...matches.map((match) => match.score), ...remaining.map((c) => c.approx - c.error)].sort((a, b) => b - a);
      const cutoff = Math.max(threshold, certain.length >= limit ? certain[limit - 1]! : Number.NEGATIVE_INFINITY);
      const round = remaining.filter((c) => c.approx + c.error >= cutoff);
      if (round.length === 0) break;
      remaining = remaining.filter((c) => c.approx + c.error < cutoff);
      const exact = await exactVectors(name, scope, round.map((c) => c.key));
      round.forEach((candidate, i) => {
        const found = exact[i];
        if (!found || found.vector.length !== query.length) {
          // The entry is gone (flushed, expired, evicted) or replaced: forget its vector.
          if (scopes.get(name) === scope) forget(scope, candidate.key);
          return;
        }
        const score = dotAt(query, found.vector, 0, query.length);
        if (score >= threshold) matches.push({ key: candidate.key, score, vector: found.vector, ...(found.entry ? { entry: found.entry } : {}) });
      });
    }
    return matches.sort((a, b) => b.score - a.score).slice(0, limit);
  }

  /** The search of a scope once listed: candidates from the codes, their pending codes read, the survivors scored exactly. */
  async function searchLoaded(name: string, scope: Scope, query: Float32Array, threshold: number, limit: number, writtenAfter: number): Promise<SemanticMatch[]> {
    const sketch = new Uint32Array(SKETCH_WORDS);
    writeSketch(query, sketch, 0);
    let found = scope.vectors.candidates(query, sketch, threshold, writtenAfter);
    const unread = found.filter((candidate) => scope.vectors.pendingAt(candidate.slot)).map((candidate) => scope.vectors.keyAt(candidate.slot));
    if (unread.length > 0 && store.vectorCodes) {
      // Candidates whose bytes are not read yet (the scope is still loading): their codes read
      // now, so they are scored as the rest are, and only the survivors read back whole.
      try {
        await store.vectorCodes(unread, (batch) => scopes.get(name) === scope && scope.vectors.fillBatch(batch));
        found = scope.vectors.candidates(query, sketch, threshold, writtenAfter);
      } catch {
        // Left pending: they are scored with their exact vectors instead.
      }
    }
    const pending = found.map((candidate) => ({ ...candidate, key: scope.vectors.keyAt(candidate.slot) }));
    return rescore(name, scope, query, pending, threshold, limit);
  }

  function forget(scope: Scope, key: string): void {
    scope.vectors.drop(key);
    scope.kept?.delete(key);
  }

  return {
    /**
     * Stored prompts of `scope` written after `writtenAfter` (ms since the epoch; entries older are
     * stale for the caller) at cosine ≥ `threshold` from the unit vector `query`, best first: the
     * same as an exact scan of the stored vectors would find.
     */
    async search(name: string, query: Float32Array, threshold: number, limit = 8, writtenAfter = Number.NEGATIVE_INFINITY): Promise<SemanticMatch[]> {
      const scope = scopeOf(name);
      // Concurrent searches of one scope share one listing.
      scope.refreshing ??= refresh(name, scope).finally(() => (scope.refreshing = undefined));
      await scope.refreshing;
      try {
        return await searchLoaded(name, scope, query, threshold, limit, writtenAfter);
      } finally {
        // The whole listing starts once this search is answered: its replies would hold up the search's reads.
        if (scope.fillDue && scopes.get(name) === scope) {
          scope.fillDue = false;
          scope.filling ??= fill(name, scope);
        }
      }
    },

    /**
     * The highest similarity between the stored vector of `key` and that of any other of
     * `among` (matches of one search): how close the nearest different stored prompt lies.
     */
    nearestAmong(name: string, key: string, among: readonly SemanticMatch[]): number | undefined {
      const own = among.find((match) => match.key === key)?.vector;
      const vectors = scopes.get(name)?.vectors;
      let nearest: number | undefined;
      for (const other of among) {
        if (other.key === key) continue;
        const score = own && own.length === other.vector.length ? dotAt(own, other.vector, 0, own.length) : approxSimilarity(vectors, key, other.key);
        if (score !== undefined && (nearest === undefined || score > nearest)) nearest = score;
      }
      return nearest;
    },
    /** Indexes a vector this process just stored (a unit vector) with its entry's write time. */
    add(name: string, key: string, vector: Float32Array, createdAt = Date.now()): void {
      if (vector.length === 0) return;
      const scope = scopeOf(name);
      if (scope.vectors.add(key, encodeVector(vector), createdAt)) scope.kept?.set(key, vector.slice());
    },
    /** Forgets a vector whose entry is gone. */
    drop(name: string, key: string): void {
      const scope = scopes.get(name);
      if (scope) forget(scope, key);
    },
    /** Forgets everything; scopes reload from the store when next searched. */
    clear(): void {
      scopes.clear();
    },
    /** Vectors held in one scope (as of its last listing). */
    held(name: string): number {
      return scopes.get(name)?.vectors.live ?? 0;
    },
    /** Resolves once every loaded scope holds its vectors' bytes (for tests and measurement). */
    async filled(): Promise<void> {
      await Promise.all([...scopes.values()].map((scope) => scope.filling));
    },
    /** Vectors held, for measurement. */
    get size(): number {
      let total = 0;
      for (const scope of scopes.values()) total += scope.vectors.live;
      return total;
    },
    /** Bytes of memory the vectors take (codes, keys, bookkeeping, and exact vectors when kept), for measurement. */
    get bytes(): number {
      let total = 0;
      for (const scope of scopes.values()) {
        total += scope.vectors.bytes;
        for (const vector of scope.kept?.values() ?? []) total += vector.byteLength;
      }
      return total;
    },
  };
}

/** Cosine between two held vectors, from their codes; undefined when either is not held. */
function approxSimilarity(vectors: ScopeVectors | undefined, a: string, b: string): number | undefined {
  const [x, y] = [vectors?.slotOf(a), vectors?.slotOf(b)];
  if (x === undefined || y === undefined) return undefined;
  return vectors!.approxSimilarity(x, y)?.approx;
}

export type SemanticIndex = ReturnType<typeof createSemanticIndex>;
