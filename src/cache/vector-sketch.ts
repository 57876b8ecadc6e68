/**
 * Vector arithmetic behind the semantic index: unit vectors, dot products, and 256-bit sign
 * sketches whose Hamming distance tracks the angle between two vectors.
 * @module
 */

/** Bits in a sketch: two halves of 128 bits, each a sketch on its own, so a scan can stop after the first. */
export const SKETCH_BITS = 256;
export const SKETCH_WORDS = SKETCH_BITS / 32;
/** Words in one half of a sketch. */
export const HALF_WORDS = SKETCH_WORDS / 2;

/** `vector` scaled to length 1, as a new array; undefined for a zero or non-finite vector. */
export function unitVector(vector: ArrayLike<number>): Float32Array | undefined {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += (vector[i] ?? 0) * (vector[i] ?? 0);
  if (!(norm > 0) || !Number.isFinite(norm)) return undefined;
  const scale = 1 / Math.sqrt(norm);
  const unit = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) unit[i] = (vector[i] ?? 0) * scale;
  return unit;
}

/** Dot product of `query` with the `dims` values of `data` starting at `offset`. */
export function dotAt(query: Float32Array, data: Float32Array, offset: number, dims: number): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 3 < dims; i += 4) {
    a += query[i]! * data[offset + i]!;
    b += query[i + 1]! * data[offset + i + 1]!;
    c += query[i + 2]! * data[offset + i + 2]!;
    d += query[i + 3]! * data[offset + i + 3]!;
  }
  for (; i < dims; i++) a += query[i]! * data[offset + i]!;
  return a + b + c + d;
}

/**
 * A sparse random projection per dimension count: every coordinate goes, with a random sign, to
 * one bit of each half of the sketch. The sign of each bit's sum is a random-hyperplane hash, so
 * two vectors at angle θ differ in about θ/π of the bits. Computing it costs one pass over the vector.
 */
interface Projection {
  /** Per coordinate, its bit in the first half, then its bit in the second. */
  bits: Uint8Array;
  signs: Float32Array;
}

const projections = new Map<number, Projection>();

function projectionFor(dims: number): Projection {
  let projection = projections.get(dims);
  if (projection) return projection;
  // A fixed seed: every process must compute the same sketch for the same vector, and sketches are persisted.
  let state = 0x9e3779b9 ^ dims;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  const half = SKETCH_BITS / 2;
  const bits = new Uint8Array(dims * 2);
  const signs = new Float32Array(dims * 2);
  for (let part = 0; part < 2; part++) {
    // Coordinates are dealt round-robin over a shuffled order, so every bit sums the same number of them.
    const order = Array.from({ length: dims }, (_, i) => i);
    for (let i = dims - 1; i > 0; i--) {
      const j = next() % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    order.forEach((coordinate, position) => {
      bits[coordinate * 2 + part] = part * half + (position % half);
      signs[coordinate * 2 + part] = next() & 1 ? 1 : -1;
    });
  }
  projection = { bits, signs };
  projections.set(dims, projection);
  return projection;
}

const sums = new Float64Array(SKETCH_BITS);

/** Writes the sketch of `vector` into `out` at word `offset` (first half, then second). */
export function writeSketch(vector: Float32Array, out: Uint32Array, offset: number): void {
  const { bits, signs } = projectionFor(vector.length);
  sums.fill(0);
  for (let i = 0; i < vector.length; i++) {
    sums[bits[i * 2]!]! += signs[i * 2]! * vector[i]!;
    sums[bits[i * 2 + 1]!]! += signs[i * 2 + 1]! * vector[i]!;
  }
  for (let word = 0; word < SKETCH_WORDS; word++) {
    let set = 0;
    for (let b = 0; b < 32; b++) if (sums[word * 32 + b]! > 0) set |= 1 << b;
    out[offset + word] = set >>> 0;
  }
}

/**
 * The largest Hamming distance over `bits` sketch bits that a vector at cosine `threshold` from
 * the query reaches, except with negligible probability (five standard deviations of the
 * binomial above its mean).
 */
export function hammingBound(threshold: number, bits = SKETCH_BITS): number {
  const p = Math.acos(Math.max(-1, Math.min(1, threshold))) / Math.PI;
  return Math.min(bits, Math.ceil(bits * p + 5 * Math.sqrt(bits * p * (1 - p)) + 2));
}

/** Bits set in the 32-bit word `x`. */
export function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * Hamming distance of four words against four query words. The bit counts of the four words are
 * added while they are still packed (at most 16 per byte), so the whole costs about as much as
 * counting one and a half words.
 */
export function distance4(a: number, b: number, c: number, d: number): number {
  a = a - ((a >>> 1) & 0x55555555);
  b = b - ((b >>> 1) & 0x55555555);
  c = c - ((c >>> 1) & 0x55555555);
  d = d - ((d >>> 1) & 0x55555555);
  a = (a & 0x33333333) + ((a >>> 2) & 0x33333333) + (b & 0x33333333) + ((b >>> 2) & 0x33333333);
  c = (c & 0x33333333) + ((c >>> 2) & 0x33333333) + (d & 0x33333333) + ((d >>> 2) & 0x33333333);
  a = (a & 0x0f0f0f0f) + ((a >>> 4) & 0x0f0f0f0f) + (c & 0x0f0f0f0f) + ((c >>> 4) & 0x0f0f0f0f);
  return Math.imul(a, 0x01010101) >>> 24;
}
