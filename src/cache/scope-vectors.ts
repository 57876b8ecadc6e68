/**
 * The vectors of one semantic scope as the index holds them: each vector's code (one byte a
 * dimension, a scale, an error bound, a 256-bit sketch) in fixed-size chunks of flat typed arrays,
 * about 1.6 KB a vector at 1,536 dimensions (laid out as vector-chunks.ts says), and the scan
 * (scope-scan.ts) that returns, with a bound on the error of each approximate score, every
 * vector that may lie at or above a cosine threshold.
 *
 * @module
 */
import type { VectorBatch } from "../stores/store.ts";
import { CODE_FLAGS, CODE_FORMAT, CODE_HEADER_BYTES } from "./vector-code.ts";
import { CodeHeaders, ERROR_WORD, SCALE_WORD, SKETCH_WORD } from "./code-headers.ts";
import { DIGEST_BYTES, KeySlots } from "./key-slots.ts";
import { candidatesIn, type Candidate } from "./scope-scan.ts";
import { CHUNK, CHUNK_SHIFT, FIRST_CAPACITY, LIVE, LIVE_UNIT, NO_VALUES, PENDING, type Chunk } from "./vector-chunks.ts";
import { HALF_WORDS } from "./vector-sketch.ts";

export type { Candidate } from "./scope-scan.ts";

export class ScopeVectors {
  dims = 0;
  /** Slots in use, live or dead. */
  count = 0;
  live = 0;
  /** Live vectors whose bytes are not read yet (a scope loaded from the codes' headers first). */
  pending = 0;
  private chunks: Chunk[] = [];
  private keys = new KeySlots();
  private scratch: { bytes: Uint8Array; values: Int8Array; headers: CodeHeaders } | undefined;

  /** A buffer a code of `length` bytes is copied into, with views of its values and its header. */
  private scratchFor(length: number): { bytes: Uint8Array; values: Int8Array; headers: CodeHeaders } {
    if (this.scratch?.bytes.byteLength !== length) {
      const bytes = new Uint8Array(length);
      this.scratch = { bytes, values: new Int8Array(bytes.buffer), headers: new CodeHeaders(bytes, length) };
    }
    return this.scratch;
  }

  /** Adds or replaces the vector of `key` from its code; false when its length differs from the scope's. */
  add(key: string, code: Uint8Array, createdAt: number): boolean {
    if (!this.fits(code.byteLength)) return false;
    // A view of the code's own memory (`code.buffer`) would make the runtime give each code an
    // ArrayBuffer of its own: the code is copied into a scratch buffer whose views are made once.
    const scratch = this.scratchFor(code.byteLength);
    scratch.bytes.set(code);
    this.place(this.slotFor(key), scratch.values, scratch.headers, 0, createdAt);
    return true;
  }

  /**
   * Adds the `batch.count` codes of a bulk listing, read in place from the batch's buffer (no
   * copy a vector but its bytes into the chunk). With `topUp`, a vector held with the same write
   * time is passed over. Returns the positions in the batch of the codes of another format, for
   * the caller to encode afresh; codes of another length than the scope's are passed over.
   */
  addBatch(batch: VectorBatch, topUp: boolean): number[] {
    const stale: number[] = [];
    const { count, codes, codeBytes, createdAt, headsOnly = false, digests } = batch;
    if (count === 0 || !this.fits(codeBytes)) return stale;
    this.reserve(count, this.dims);
    // A listing's keys are new to the scope (a top-up's are mostly held already): the table grows once for them.
    if (!topUp) this.keys.reserve(this.count + count);
    const stride = headsOnly ? CODE_HEADER_BYTES : codeBytes;
    const values = new Int8Array(codes.buffer, codes.byteOffset, count * stride);
    const headers = new CodeHeaders(codes, stride);
    // Keys given as digests are claimed from their bytes: `batch.keys` is not read (a cold load makes no strings).
    const keys = digests ? undefined : batch.keys;
    for (let i = 0, offset = 0; i < count; i++, offset += stride) {
      if (topUp && this.holds(batch.keys[i]!, createdAt[i]!)) continue;
      if (codes[offset] !== CODE_FORMAT) stale.push(i);
      else this.place(keys ? this.slotFor(keys[i]!) : this.slotForDigest(digests!, i * DIGEST_BYTES), values, headers, offset, createdAt[i]!, !headsOnly);
    }
    return stale;
  }

  /**
   * Reads in the bytes of the vectors held by their header only, from a batch of whole codes read
   * after the headers were: a vector still held, pending, takes its code and write time from the
   * batch (its entry may have been rewritten since its header was read). With `addMissing` (a
   * whole listing of the scope), a vector not held at all is added. Others are left.
   */
  fillBatch(batch: VectorBatch, addMissing = false): void {
    const { count, codes, codeBytes, keys, createdAt } = batch;
    if (batch.headsOnly || (this.pending === 0 && !addMissing) || !this.fits(codeBytes)) return;
    const values = new Int8Array(codes.buffer, codes.byteOffset, count * codeBytes);
    const headers = new CodeHeaders(codes, codeBytes);
    for (let i = 0, offset = 0; i < count; i++, offset += codeBytes) {
      if (codes[offset] !== CODE_FORMAT) continue;
      const slot = this.keys.get(keys[i]!);
      if (slot === undefined ? addMissing : this.pendingAt(slot)) this.place(slot ?? this.slotFor(keys[i]!), values, headers, offset, createdAt[i]!, true);
    }
  }

  /** Drops every vector still held by its header only (after a whole listing: its entry is gone). */
  dropPending(): void {
    if (this.pending === 0) return;
    const gone: string[] = [];
    for (let slot = 0; slot < this.count; slot++) if (this.pendingAt(slot)) gone.push(this.keys.keyAt(slot));
    for (const key of gone) this.drop(key);
  }

  /** Whether codes of `codeBytes` bytes belong in this scope (fixing its length when it holds none yet). */
  private fits(codeBytes: number): boolean {
    const dims = codeBytes - CODE_HEADER_BYTES;
    if (dims <= 0) return false;
    if (this.dims === 0) this.dims = dims;
    // Another embedding model wrote this vector: it cannot be compared with this scope's.
    return dims === this.dims;
  }

  /** The slot of `key`, a new one (the next free) when it is not held. */
  private slotFor(key: string): number {
    return this.taken(this.keys.claim(key, this.count));
  }

  /** {@link ScopeVectors.slotFor} for the key whose digest lies at `offset` of `digests`. */
  private slotForDigest(digests: Uint8Array, offset: number): number {
    return this.taken(this.keys.claimDigest(digests, offset, this.count));
  }

  /** `slot`, claimed: room made for it when it is the next free one. */
  private taken(slot: number): number {
    if (slot === this.count) {
      this.reserve(1, this.dims);
      this.count++;
    }
    return slot;
  }

  /**
   * Writes the code at `offset` of `values` (its header read through `headers`) into `slot`;
   * without `withValues`, its header only (the bytes are read in later, see {@link ScopeVectors.fillBatch}).
   */
  private place(slot: number, values: Int8Array, headers: CodeHeaders, offset: number, createdAt: number, withValues = true): void {
    const dims = this.dims;
    const chunk = this.chunks[slot >>> CHUNK_SHIFT]!;
    const at = slot & (CHUNK - 1);
    const was = chunk.live[at]!;
    if (was === 0) this.live++;
    if ((was & PENDING) !== 0) this.pending--;
    if (withValues) {
      const start = offset + CODE_HEADER_BYTES;
      this.valuesOf(chunk).set(values.subarray(start, start + dims), at * dims);
    } else this.pending++;
    const word = headers.wordAt(offset);
    const { words, floats } = headers;
    for (let w = 0, sketch = word + SKETCH_WORD; w < HALF_WORDS; w++) {
      chunk.head[at * HALF_WORDS + w] = words[sketch + w]!;
      chunk.tail[at * HALF_WORDS + w] = words[sketch + HALF_WORDS + w]!;
    }
    chunk.scale[at] = floats[word + SCALE_WORD]!;
    chunk.error[at] = floats[word + ERROR_WORD]!;
    chunk.written[at] = createdAt;
    chunk.live[at] = (values[offset + CODE_FLAGS] === 1 ? LIVE_UNIT : LIVE) | (withValues ? 0 : PENDING);
  }

  /** Whether `key` is held, live, with exactly this write time (listed again: nothing to do). */
  holds(key: string, createdAt: number): boolean {
    const slot = this.keys.get(key);
    if (slot === undefined) return false;
    const chunk = this.chunks[slot >>> CHUNK_SHIFT]!;
    const at = slot & (CHUNK - 1);
    return chunk.live[at] !== 0 && chunk.written[at] === createdAt;
  }

  drop(key: string): void {
    const slot = this.keys.get(key);
    if (slot === undefined) return;
    this.keys.delete(key);
    const chunk = this.chunks[slot >>> CHUNK_SHIFT]!;
    const was = chunk.live[slot & (CHUNK - 1)]!;
    if (was !== 0) this.live--;
    if ((was & PENDING) !== 0) this.pending--;
    chunk.live[slot & (CHUNK - 1)] = 0;
    if (this.count > 1024 && this.live * 2 < this.count) this.compact();
  }

  /** Whether the vector in `slot` is held by its header only, its bytes not read yet. */
  pendingAt(slot: number): boolean {
    return this.chunks[slot >>> CHUNK_SHIFT]!.live[slot & (CHUNK - 1)]! >= PENDING;
  }

  /**
   * The keys of the `count` live vectors whose entries were written last, oldest first (every
   * live one when fewer are held). Made when asked: a scope loaded from digests holds no key
   * strings until then.
   */
  newestKeys(count: number): string[] {
    const slots: number[] = [];
    for (let slot = 0; slot < this.count; slot++) if (this.chunks[slot >>> CHUNK_SHIFT]!.live[slot & (CHUNK - 1)] !== 0) slots.push(slot);
    const writtenAt = (slot: number) => this.chunks[slot >>> CHUNK_SHIFT]!.written[slot & (CHUNK - 1)]!;
    let kept = slots;
    if (slots.length > count) {
      // The write time of the count-th newest, from a native sort of the times alone; ties at it are cut by slot below.
      const times = Float64Array.from(slots, writtenAt).sort();
      const cutoff = times[times.length - count]!;
      kept = slots.filter((slot) => writtenAt(slot) >= cutoff);
    }
    kept.sort((a, b) => writtenAt(a) - writtenAt(b) || a - b);
    return kept.slice(kept.length - Math.min(count, kept.length)).map((slot) => this.keys.keyAt(slot));
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
   * (sketch `sketch`) may reach `threshold` (see scope-scan.ts).
   */
  candidates(query: Float32Array, sketch: Uint32Array, threshold: number, writtenAfter: number): Candidate[] {
    if (this.live === 0 || query.length !== this.dims) return [];
    return candidatesIn(this.chunks, this.count, this.dims, query, sketch, threshold, writtenAfter);
  }

  /** Approximate cosine between the vectors in two slots (both decoded from their bytes), with its error bound; undefined while either's bytes are not read yet. */
  approxSimilarity(a: number, b: number): { approx: number; error: number } | undefined {
    const [x, y] = [this.chunks[a >>> CHUNK_SHIFT]!, this.chunks[b >>> CHUNK_SHIFT]!];
    const [i, j] = [a & (CHUNK - 1), b & (CHUNK - 1)];
    if (x.live[i]! >= PENDING || y.live[j]! >= PENDING) return undefined;
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
      values: from && from.values.length > 0 ? new Int8Array(capacity * this.dims) : NO_VALUES,
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

  /** The chunk's bytes, allocated when first needed (see {@link Chunk.values}). */
  private valuesOf(chunk: Chunk): Int8Array {
    if (chunk.values.length === 0) chunk.values = new Int8Array(chunk.capacity * this.dims);
    return chunk.values;
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
        // A chunk without bytes holds pending vectors only: nothing to move but their headers.
        if (from.values.length > 0) {
          this.valuesOf(to).set(from.values.subarray(i * dims, (i + 1) * dims), j * dims);
        }
        to.head.set(from.head.subarray(i * HALF_WORDS, (i + 1) * HALF_WORDS), j * HALF_WORDS);
        to.tail.set(from.tail.subarray(i * HALF_WORDS, (i + 1) * HALF_WORDS), j * HALF_WORDS);
        to.scale[j] = from.scale[i]!;
        to.error[j] = from.error[i]!;
        to.written[j] = from.written[i]!;
        to.live[j] = from.live[i]!;
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
