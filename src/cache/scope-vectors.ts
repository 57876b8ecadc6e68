/**
 * The vectors of one semantic scope as the index holds them: each vector's code (one byte a
 * dimension, a scale, an error bound, a 256-bit sketch) in fixed-size chunks of flat typed arrays,
 * about 1.6 KB a vector at 1,536 dimensions, and a scan that returns, with a bound on the error
 * of each approximate score, every vector that may lie at or above a cosine threshold.
 *
 * @module
 */
import { CODE_HEADER_BYTES, readCode } from "./vector-code.ts";
import { KeySlots } from "./key-slots.ts";
import { distance4, HALF_WORDS, hammingBound, SKETCH_BITS } from "./vector-sketch.ts";

/** Vectors a chunk holds once full: about 6 MB at 1,536 dimensions, so growth never copies much. */
const CHUNK_SHIFT = 12;
const CHUNK = 1 << CHUNK_SHIFT;
/** A scope's first chunk starts this small and doubles up to a full chunk: most scopes hold few vectors. */
const FIRST_CAPACITY = 16;

interface Chunk {
  capacity: number;
  values: Int8Array;
  /** First and second halves of the sketches, four words a vector each. */
  head: Uint32Array;
  tail: Uint32Array;
  scale: Float32Array;
  error: Float32Array;
  /** When each vector's entry was written (ms since the epoch), so stale entries are passed over in the scan. */
  written: Float64Array;
  live: Uint8Array;
}

/** A vector that may reach the threshold: its slot, approximate score, and how far the exact score may lie from it. */
export interface Candidate {
  slot: number;
  approx: number;
  error: number;
}

export class ScopeVectors {
  dims = 0;
  /** Slots in use, live or dead. */
  count = 0;
  live = 0;
  private chunks: Chunk[] = [];
  private keys = new KeySlots();

  /** Adds or replaces the vector of `key` from its code; false when its length differs from the scope's. */
  add(key: string, code: Uint8Array, createdAt: number): boolean {
    const dims = code.byteLength - CODE_HEADER_BYTES;
    if (dims <= 0) return false;
    if (this.dims === 0) this.dims = dims;
    // Another embedding model wrote this vector: it cannot be compared with this scope's.
    if (dims !== this.dims) return false;
    let slot = this.keys.get(key);
    if (slot === undefined) {
      slot = this.count;
      this.reserve(1, dims);
      this.count++;
      this.keys.set(key, slot);
    }
    const chunk = this.chunks[slot >>> CHUNK_SHIFT]!;
    const at = slot & (CHUNK - 1);
    if (chunk.live[at] === 0) this.live++;
    const { scale, error, sketch, values } = readCode(code);
    chunk.values.set(values, at * dims);
    for (let word = 0; word < HALF_WORDS; word++) {
      chunk.head[at * HALF_WORDS + word] = sketch(word);
      chunk.tail[at * HALF_WORDS + word] = sketch(HALF_WORDS + word);
    }
    chunk.scale[at] = scale;
    chunk.error[at] = error;
    chunk.written[at] = createdAt;
    chunk.live[at] = 1;
    return true;
  }

  /** Whether `key` is held, live, with exactly this write time (listed again: nothing to do). */
  holds(key: string, createdAt: number): boolean {
    const slot = this.keys.get(key);
    if (slot === undefined) return false;
    const chunk = this.chunks[slot >>> CHUNK_SHIFT]!;
    const at = slot & (CHUNK - 1);
    return chunk.live[at] === 1 && chunk.written[at] === createdAt;
  }

  drop(key: string): void {
    const slot = this.keys.get(key);
    if (slot === undefined) return;
    this.keys.delete(key);
    const chunk = this.chunks[slot >>> CHUNK_SHIFT]!;
    if (chunk.live[slot & (CHUNK - 1)] === 1) this.live--;
    chunk.live[slot & (CHUNK - 1)] = 0;
    if (this.count > 1024 && this.live * 2 < this.count) this.compact();
  }

  /** The key in `slot`. */
  keyAt(slot: number): string {
    return this.keys.keyAt(slot);
  }

  /** The slot of `key`, or undefined. */
  slotOf(key: string): number | undefined {
    return this.keys.get(key);
  }

  /**
   * Every live vector written after `writtenAfter` whose exact cosine with the unit vector `query`
   * (sketch `sketch`) may reach `threshold`: the sketch rules out, by five standard deviations,
   * what lies below it (its first half alone, then both); the bytes of the rest give a score
   * within the stored error of the exact one.
   */
  candidates(query: Float32Array, sketch: Uint32Array, threshold: number, writtenAfter: number): Candidate[] {
    const found: Candidate[] = [];
    if (this.live === 0 || query.length !== this.dims) return found;
    const dims = this.dims;
    const firstBound = hammingBound(threshold, SKETCH_BITS / 2);
    const bound = hammingBound(threshold, SKETCH_BITS);
    const [h0, h1, h2, h3, t0, t1, t2, t3] = sketch as unknown as number[];
    let norm = 0;
    for (let i = 0; i < dims; i++) norm += query[i]! * query[i]!;
    norm = Math.sqrt(norm);
    for (let c = 0; c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      const { head, tail, values } = chunk;
      const end = Math.min(chunk.capacity, this.count - c * CHUNK);
      for (let at = 0, o = 0; at < end; at++, o += HALF_WORDS) {
        const first = distance4(head[o]! ^ h0!, head[o + 1]! ^ h1!, head[o + 2]! ^ h2!, head[o + 3]! ^ h3!);
        if (first > firstBound) continue;
        if (first + distance4(tail[o]! ^ t0!, tail[o + 1]! ^ t1!, tail[o + 2]! ^ t2!, tail[o + 3]! ^ t3!) > bound) continue;
        if (chunk.live[at] === 0 || !(chunk.written[at]! > writtenAfter)) continue;
        const approx = chunk.scale[at]! * dotBytes(query, values, at * dims, dims);
        const error = chunk.error[at]! * norm + 1e-6;
        if (approx + error >= threshold) found.push({ slot: c * CHUNK + at, approx, error });
      }
    }
    return found;
  }

  /** Approximate cosine between the vectors in two slots (both decoded from their bytes), with its error bound. */
  approxSimilarity(a: number, b: number): { approx: number; error: number } {
    const [x, y] = [this.chunks[a >>> CHUNK_SHIFT]!, this.chunks[b >>> CHUNK_SHIFT]!];
    const [i, j] = [a & (CHUNK - 1), b & (CHUNK - 1)];
    let sum = 0;
    for (let d = 0, p = i * this.dims, q = j * this.dims; d < this.dims; d++) sum += x.values[p + d]! * y.values[q + d]!;
    const [ex, ey] = [x.error[i]!, y.error[j]!];
    // |x·y − x̂·ŷ| ≤ |x̂·(y − ŷ)| + |(x − x̂)·y| ≤ ‖x̂‖·ey + ex, and ‖x̂‖ ≤ 1 + ex.
    return { approx: sum * x.scale[i]! * y.scale[j]!, error: (1 + ex) * ey + ex + 1e-6 };
  }

  /** Room for `more` vectors of `dims` dimensions beyond `count` (none when the scope holds vectors of another length). */
  reserve(more: number, dims: number): void {
    if (this.dims === 0) this.dims = dims;
    if (dims !== this.dims) return;
    const wanted = this.count + more;
    while (this.capacity < wanted) {
      const last = this.chunks[this.chunks.length - 1];
      if (last && last.capacity < CHUNK) this.chunks[this.chunks.length - 1] = this.grown(last, Math.min(CHUNK, Math.max(last.capacity * 2, wanted)));
      else this.chunks.push(this.grown(undefined, this.chunks.length === 0 ? Math.min(CHUNK, Math.max(FIRST_CAPACITY, wanted)) : CHUNK));
    }
  }

  /** Bytes held by the codes, keys and bookkeeping. */
  get bytes(): number {
    let total = this.keys.bytes;
    for (const chunk of this.chunks) {
      total += chunk.values.byteLength + chunk.head.byteLength + chunk.tail.byteLength + chunk.scale.byteLength;
      total += chunk.error.byteLength + chunk.written.byteLength + chunk.live.byteLength;
    }
    return total;
  }

  private get capacity(): number {
    const chunks = this.chunks.length;
    return chunks === 0 ? 0 : (chunks - 1) * CHUNK + this.chunks[chunks - 1]!.capacity;
  }

  private grown(from: Chunk | undefined, capacity: number): Chunk {
    const chunk: Chunk = {
      capacity,
      values: new Int8Array(capacity * this.dims),
      head: new Uint32Array(capacity * HALF_WORDS),
      tail: new Uint32Array(capacity * HALF_WORDS),
      scale: new Float32Array(capacity),
      error: new Float32Array(capacity),
      written: new Float64Array(capacity),
      live: new Uint8Array(capacity),
    };
    if (from) for (const part of ["values", "head", "tail", "scale", "error", "written", "live"] as const) (chunk[part] as Uint8Array).set(from[part] as Uint8Array);
    return chunk;
  }

  /** Moves live vectors to the front once most slots are dead, and frees the chunks left empty. */
  private compact(): void {
    const dims = this.dims;
    let next = 0;
    for (let slot = 0; slot < this.count; slot++) {
      const from = this.chunks[slot >>> CHUNK_SHIFT]!;
      const i = slot & (CHUNK - 1);
      if (from.live[i] === 0) continue;
      if (slot !== next) {
        const to = this.chunks[next >>> CHUNK_SHIFT]!;
        const j = next & (CHUNK - 1);
        to.values.set(from.values.subarray(i * dims, (i + 1) * dims), j * dims);
        to.head.set(from.head.subarray(i * HALF_WORDS, (i + 1) * HALF_WORDS), j * HALF_WORDS);
        to.tail.set(from.tail.subarray(i * HALF_WORDS, (i + 1) * HALF_WORDS), j * HALF_WORDS);
        to.scale[j] = from.scale[i]!;
        to.error[j] = from.error[i]!;
        to.written[j] = from.written[i]!;
        to.live[j] = 1;
        from.live[i] = 0;
        this.keys.move(slot, next);
      }
      next++;
    }
    this.count = next;
    this.chunks.length = Math.ceil(next / CHUNK);
    this.keys.shrink(next);
  }
}

/** Dot product of the float `query` with `dims` signed bytes of `values` from `offset`. */
function dotBytes(query: Float32Array, values: Int8Array, offset: number, dims: number): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 3 < dims; i += 4) {
    a += query[i]! * values[offset + i]!;
    b += query[i + 1]! * values[offset + i + 1]!;
    c += query[i + 2]! * values[offset + i + 2]!;
    d += query[i + 3]! * values[offset + i + 3]!;
  }
  for (; i < dims; i++) a += query[i]! * values[offset + i]!;
  return a + b + c + d;
}

