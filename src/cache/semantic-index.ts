import type { Store } from "../stores/store.ts";
import { dotAt, hammingBound, hammingScan, SKETCH_WORDS, writeSketch } from "./vector-sketch.ts";

/** A stored prompt close enough to the query. */
export interface SemanticMatch {
  key: string;
  /** Cosine similarity to the query. */
  score: number;
}

/**
 * How far back, before the previous listing started, a refresh lists again. A process whose
 * clock runs slightly behind, or whose write committed a moment after it was stamped, is still
 * seen; vectors listed twice are recognised by key and write time, and not indexed again.
 */
const REFRESH_OVERLAP_MS = 1000;

/** The vectors of one scope: unit vectors in one flat array, their sketches in another. */
class ScopeVectors {
  dims = 0;
  count = 0;
  live = 0;
  keys: string[] = [];
  slots = new Map<string, number>();
  vectors = new Float32Array(0);
  sketches = new Uint32Array(0);
  alive = new Uint8Array(0);
  /** When each vector's entry was written (ms since the epoch), so stale entries are passed over in the scan. */
  written = new Float64Array(0);
  distances = new Uint8Array(0);
  /**
   * When the last listing of the store started (this process's clock); undefined until the scope
   * is first loaded. The next listing starts there, less the overlap, whatever the entries' own
   * times: a burst of writes is listed again for one overlap at most, not until the next write.
   */
  listedAt: number | undefined;
  refreshing: Promise<void> | undefined;

  add(key: string, vector: Float32Array, createdAt: number): void {
    if (vector.length === 0) return;
    if (this.dims === 0) this.dims = vector.length;
    // Another embedding model wrote this vector: it cannot be compared with this scope's.
    if (vector.length !== this.dims) return;
    let slot = this.slots.get(key);
    // Listed again within the overlap: the same vector, already indexed.
    if (slot !== undefined && this.alive[slot] === 1 && this.written[slot] === createdAt) return;
    if (slot === undefined) {
      if (this.count === this.alive.length) this.grow(this.alive.length * 2);
      slot = this.count++;
      this.keys[slot] = key;
      this.slots.set(key, slot);
    }
    if (this.alive[slot] === 0) this.live++;
    this.vectors.set(vector, slot * this.dims);
    writeSketch(vector, this.sketches, slot * SKETCH_WORDS);
    this.written[slot] = createdAt;
    this.alive[slot] = 1;
  }

  drop(key: string): void {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    this.slots.delete(key);
    if (this.alive[slot] === 1) this.live--;
    this.alive[slot] = 0;
    if (this.count > 1024 && this.live * 2 < this.count) this.compact();
  }

  /** Vectors written after `writtenAfter` at cosine ≥ `threshold` from the unit vector `query`, best first. */
  search(query: Float32Array, threshold: number, limit: number, writtenAfter: number): SemanticMatch[] {
    if (this.live === 0 || query.length !== this.dims) return [];
    const sketch = new Uint32Array(SKETCH_WORDS);
    writeSketch(query, sketch, 0);
    hammingScan(sketch, this.sketches, this.count, this.distances);
    // The sketch rules out what cannot reach the threshold; survivors are scored exactly.
    const bound = hammingBound(threshold);
    const matches: SemanticMatch[] = [];
    for (let slot = 0; slot < this.count; slot++) {
      if (this.distances[slot]! > bound || this.alive[slot] === 0 || !(this.written[slot]! > writtenAfter)) continue;
      const score = dotAt(query, this.vectors, slot * this.dims, this.dims);
      if (score >= threshold) matches.push({ key: this.keys[slot]!, score });
    }
    return matches.sort((a, b) => b.score - a.score).slice(0, limit);
  }

  /** Cosine similarity between the stored vectors of two keys; undefined when either is not held. */
  similarity(a: string, b: string): number | undefined {
    const [x, y] = [this.slots.get(a), this.slots.get(b)];
    if (x === undefined || y === undefined) return undefined;
    return dotAt(this.vectors.subarray(x * this.dims, (x + 1) * this.dims), this.vectors, y * this.dims, this.dims);
  }

  /** Room for `more` vectors of `dims` values, so a bulk load allocates once. */
  reserve(more: number, dims: number): void {
    if (this.dims === 0) this.dims = dims;
    // Exactly the listing on a first load; geometric growth after, so top-ups never copy often.
    if (this.count + more > this.alive.length) this.grow(Math.max(this.count + more, this.alive.length * 2));
  }

  /** Bytes held by the vectors and sketches. */
  get bytes(): number {
    return this.vectors.byteLength + this.sketches.byteLength + this.written.byteLength + this.alive.byteLength * 2;
  }

  private grow(wanted: number): void {
    const capacity = Math.max(64, wanted);
    const vectors = new Float32Array(capacity * this.dims);
    vectors.set(this.vectors);
    const sketches = new Uint32Array(capacity * SKETCH_WORDS);
    sketches.set(this.sketches);
    const alive = new Uint8Array(capacity);
    alive.set(this.alive);
    const written = new Float64Array(capacity);
    written.set(this.written);
    this.written = written;
    this.vectors = vectors;
    this.sketches = sketches;
    this.alive = alive;
    this.distances = new Uint8Array(capacity);
  }

  /** Moves live vectors to the front once most slots are dead. */
  private compact(): void {
    let next = 0;
    for (let slot = 0; slot < this.count; slot++) {
      if (this.alive[slot] === 0) continue;
      if (slot !== next) {
        const key = this.keys[slot]!;
        this.keys[next] = key;
        this.slots.set(key, next);
        this.vectors.copyWithin(next * this.dims, slot * this.dims, (slot + 1) * this.dims);
        this.sketches.copyWithin(next * SKETCH_WORDS, slot * SKETCH_WORDS, (slot + 1) * SKETCH_WORDS);
        this.written[next] = this.written[slot]!;
        this.alive[next] = 1;
      }
      next++;
    }
    this.alive.fill(0, next, this.count);
    this.keys.length = next;
    this.count = next;
  }
}

/**
 * The in-memory search structure over stored prompt vectors, one partition per scope. A scope is
 * loaded from the store the first time it is searched and topped up with what any process wrote
 * since before every search, so vectors persist with their entries and are shared.
 *
 * Search is exact above the threshold in practice: a 128-bit sign sketch per vector discards, in
 * one pass of a few instructions per vector, everything that lies (by five standard deviations)
 * below the threshold; the few survivors are scored with full dot products.
 */
export function createSemanticIndex(store: Pick<Store, "vectorsSince">) {
  const scopes = new Map<string, ScopeVectors>();

  function scopeOf(scope: string): ScopeVectors {
    let vectors = scopes.get(scope);
    if (!vectors) scopes.set(scope, (vectors = new ScopeVectors()));
    return vectors;
  }

  async function refresh(scope: string, vectors: ScopeVectors): Promise<void> {
    if (!store.vectorsSince) return;
    const since = vectors.listedAt === undefined ? 0 : vectors.listedAt - REFRESH_OVERLAP_MS;
    const startedAt = Date.now();
    const listed = await store.vectorsSince(scope, since);
    // A flush while the listing was in flight cleared this scope: drop a listing that predates it.
    if (scopes.get(scope) !== vectors) return;
    if (listed[0] && vectors.listedAt === undefined) vectors.reserve(listed.length, listed[0].vector.length);
    for (const stored of listed) vectors.add(stored.key, stored.vector, stored.createdAt);
    vectors.listedAt = startedAt;
  }

  return {
    /**
     * Stored prompts of `scope` written after `writtenAfter` (ms since the epoch; entries older are
     * stale for the caller) at cosine ≥ `threshold` from the unit vector `query`, best first.
     */
    async search(scope: string, query: Float32Array, threshold: number, limit = 8, writtenAfter = Number.NEGATIVE_INFINITY): Promise<SemanticMatch[]> {
      const vectors = scopeOf(scope);
      // Concurrent searches of one scope share one listing.
      vectors.refreshing ??= refresh(scope, vectors).finally(() => (vectors.refreshing = undefined));
      await vectors.refreshing;
      return vectors.search(query, threshold, limit, writtenAfter);
    },
    /**
     * The highest similarity between the stored vector of `key` and that of any other of
     * `among` (matches of one search): how close the nearest different stored prompt lies.
     */
    nearestAmong(scope: string, key: string, among: readonly SemanticMatch[]): number | undefined {
      const vectors = scopes.get(scope);
      let nearest: number | undefined;
      for (const other of among) {
        if (other.key === key) continue;
        const score = vectors?.similarity(key, other.key);
        if (score !== undefined && (nearest === undefined || score > nearest)) nearest = score;
      }
      return nearest;
    },
    /** Indexes a vector this process just stored (a unit vector) with its entry's write time. */
    add(scope: string, key: string, vector: Float32Array, createdAt = Date.now()): void {
      scopeOf(scope).add(key, vector, createdAt);
    },
    /** Forgets a vector whose entry is gone. */
    drop(scope: string, key: string): void {
      scopes.get(scope)?.drop(key);
    },
    /** Forgets everything; scopes reload from the store when next searched. */
    clear(): void {
      scopes.clear();
    },
    /** Vectors held, for measurement. */
    get size(): number {
      let total = 0;
      for (const vectors of scopes.values()) total += vectors.live;
      return total;
    },
    /** Bytes of memory the vectors and sketches take, for measurement. */
    get bytes(): number {
      let total = 0;
      for (const vectors of scopes.values()) total += vectors.bytes;
      return total;
    },
  };
}

export type SemanticIndex = ReturnType<typeof createSemanticIndex>;
