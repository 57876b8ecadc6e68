/**
 * Vector arithmetic behind the semantic index: unit vectors, dot products, and 128-bit sign
 * sketches whose Hamming distance tracks the angle between two vectors.
 * @module
 */

/** Bits in a sketch; four 32-bit words, so a sketch compares in a handful of instructions. */
export const SKETCH_BITS = 128;
export const SKETCH_WORDS = SKETCH_BITS / 32;

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
 * one of the sketch's bits. The sign of each bit's sum is a random-hyperplane hash, so two
 * vectors at angle θ differ in about θ/π of the bits. Computing it costs one pass over the vector.
 */
interface Projection {
  bit: Uint8Array;
  sign: Float32Array;
}

const projections = new Map<number, Projection>();

function projectionFor(dims: number): Projection {
  let projection = projections.get(dims);
  if (projection) return projection;
  // A fixed seed: every process must compute the same sketch for the same vector.
  let state = 0x9e3779b9 ^ dims;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  const bit = new Uint8Array(dims);
  const sign = new Float32Array(dims);
  // Coordinates are dealt round-robin over a shuffled order, so every bit sums the same number of them.
  const order = Array.from({ length: dims }, (_, i) => i);
  for (let i = dims - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  order.forEach((coordinate, position) => {
    bit[coordinate] = position % SKETCH_BITS;
    sign[coordinate] = next() & 1 ? 1 : -1;
  });
  projection = { bit, sign };
  projections.set(dims, projection);
  return projection;
}

const sums = new Float64Array(SKETCH_BITS);

/** Writes the sketch of `vector` into `out` at word `offset`. */
export function writeSketch(vector: Float32Array, out: Uint32Array, offset: number): void {
  const { bit, sign } = projectionFor(vector.length);
  sums.fill(0);
  for (let i = 0; i < vector.length; i++) sums[bit[i]!]! += sign[i]! * vector[i]!;
  for (let word = 0; word < SKETCH_WORDS; word++) {
    let bits = 0;
    for (let b = 0; b < 32; b++) if (sums[word * 32 + b]! > 0) bits |= 1 << b;
    out[offset + word] = bits >>> 0;
  }
}

/**
 * The largest Hamming distance a vector at cosine `threshold` from the query reaches, except
 * with negligible probability (five standard deviations of the binomial above its mean).
 */
export function hammingBound(threshold: number): number {
  const p = Math.acos(Math.max(-1, Math.min(1, threshold))) / Math.PI;
  return Math.min(SKETCH_BITS, Math.ceil(SKETCH_BITS * p + 5 * Math.sqrt(SKETCH_BITS * p * (1 - p)) + 2));
}

/** Hamming distance between the query sketch and every stored sketch, into `out`. */
export function hammingScan(query: Uint32Array, sketches: Uint32Array, count: number, out: Uint8Array): void {
  const q0 = query[0]!;
  const q1 = query[1]!;
  const q2 = query[2]!;
  const q3 = query[3]!;
  for (let n = 0, o = 0; n < count; n++, o += SKETCH_WORDS) {
    out[n] = popcount(sketches[o]! ^ q0) + popcount(sketches[o + 1]! ^ q1) + popcount(sketches[o + 2]! ^ q2) + popcount(sketches[o + 3]! ^ q3);
  }
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
