/**
 * The scan of a semantic scope's vectors (see scope-vectors.ts): which stored vectors may lie at
 * or above a cosine threshold with a query, each with its approximate score and error bound.
 *
 * @module
 */
import { UNIT_TOLERANCE } from "./vector-code.ts";
import { CHUNK, LIVE_UNIT, PENDING, type Chunk } from "./vector-chunks.ts";
import { distance4, hammingBound, SKETCH_BITS } from "./vector-sketch.ts";

/** A vector that may reach the threshold: its slot, approximate score, and how far the exact score may lie from it. */
export interface Candidate {
  slot: number;
  approx: number;
  error: number;
}

/**
 * Every live vector of `chunks` (their first `count` slots, `dims` bytes a vector) written after
 * `writtenAfter` whose exact cosine with the unit vector `query` (sketch `sketch`) may reach
 * `threshold`: the sketch rules out, by five standard deviations, what lies below it (its first
 * half alone, then both); the bytes of the rest give a score within the stored error of the exact
 * one. For a unit vector, the first half of the bytes often rules it out already: the second half
 * cannot add more than the product of the two halves' lengths.
 */
export function candidatesIn(chunks: readonly Chunk[], count: number, dims: number, query: Float32Array, sketch: Uint32Array, threshold: number, writtenAfter: number): Candidate[] {
  const found: Candidate[] = [];
  const half = dims >>> 1;
  const firstBound = hammingBound(threshold, SKETCH_BITS / 2);
  const bound = hammingBound(threshold, SKETCH_BITS);
  const [h0, h1, h2, h3, t0, t1, t2, t3] = [sketch[0]!, sketch[1]!, sketch[2]!, sketch[3]!, sketch[4]!, sketch[5]!, sketch[6]!, sketch[7]!];
  let headNorm = 0;
  let tailNorm = 0;
  for (let i = 0; i < half; i++) headNorm += query[i]! * query[i]!;
  for (let i = half; i < dims; i++) tailNorm += query[i]! * query[i]!;
  const norm = Math.sqrt(headNorm + tailNorm);
  tailNorm = Math.sqrt(tailNorm);
  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c]!;
    const { head, tail, values } = chunk;
    const end = Math.min(chunk.capacity, count - c * CHUNK);
    // First the head sketches of the whole chunk, read in order; then the few slots they let
    // through. Read in the same pass, each survivor's tail sketch and bytes (other arrays) waited
    // on the memory one at a time; gathered first, their reads overlap.
    let passed = 0;
    for (let at = 0, o = 0; at < end; at++, o += 4) {
      // Four words a half sketch (HALF_WORDS); distance4, written out: this loop runs once per stored vector.
      let a = head[o]! ^ h0;
      let b = head[o + 1]! ^ h1;
      let x = head[o + 2]! ^ h2;
      let y = head[o + 3]! ^ h3;
      a = a - ((a >>> 1) & 0x55555555);
      b = b - ((b >>> 1) & 0x55555555);
      x = x - ((x >>> 1) & 0x55555555);
      y = y - ((y >>> 1) & 0x55555555);
      a = (a & 0x33333333) + ((a >>> 2) & 0x33333333) + (b & 0x33333333) + ((b >>> 2) & 0x33333333);
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333) + (y & 0x33333333) + ((y >>> 2) & 0x33333333);
      a = (a & 0x0f0f0f0f) + ((a >>> 4) & 0x0f0f0f0f) + (x & 0x0f0f0f0f) + ((x >>> 4) & 0x0f0f0f0f);
      const first = Math.imul(a, 0x01010101) >>> 24;
      if (first > firstBound) continue;
      passedSlots[passed] = at;
      passedFirst[passed++] = first;
    }
    for (let k = 0; k < passed; k++) {
      const at = passedSlots[k]!;
      const o = at * 4;
      if (passedFirst[k]! + distance4(tail[o]! ^ t0, tail[o + 1]! ^ t1, tail[o + 2]! ^ t2, tail[o + 3]! ^ t3) > bound) continue;
      const live = chunk.live[at]!;
      if (live === 0 || !(chunk.written[at]! > writtenAfter)) continue;
      if (live >= PENDING) {
        // Its bytes are not read yet: any cosine is possible, so it is scored with its exact vector.
        found.push({ slot: c * CHUNK + at, approx: 0, error: 2 });
        continue;
      }
      const scale = chunk.scale[at]!;
      const error = chunk.error[at]! * norm + 1e-6;
      const offset = at * dims;
      let dot = dotBytes(query, values, offset, 0, half);
      if (live === LIVE_UNIT) {
        // ‖x̂‖ ≤ ‖x‖ + ‖x − x̂‖, so the second half of the bytes is at most this long (in byte units).
        const whole = (1 + UNIT_TOLERANCE + chunk.error[at]!) / scale;
        const rest = Math.sqrt(Math.max(0, whole * whole - squaresOfLastDot));
        if (scale * (dot + tailNorm * rest) + error < threshold) continue;
      }
      dot += dotBytes(query, values, offset, half, dims);
      const approx = scale * dot;
      if (approx + error >= threshold) found.push({ slot: c * CHUNK + at, approx, error });
    }
  }
  return found;
}

/** The slots of a chunk whose first half-sketch passed, and that half's distance: scratch of {@link candidatesIn}. */
const passedSlots = new Int32Array(CHUNK);
const passedFirst = new Int32Array(CHUNK);

/** Sum of the squares of the bytes the last {@link dotBytes} read. */
let squaresOfLastDot = 0;

/**
 * Dot product of the float `query` with the signed bytes of `values` at `offset + from` up to
 * `offset + to` (coordinates `from` to `to`), leaving the bytes' sum of squares in {@link squaresOfLastDot}.
 */
function dotBytes(query: Float32Array, values: Int8Array, offset: number, from: number, to: number): number {
  let a = 0;
  let b = 0;
  let squares = 0;
  let i = from;
  for (; i + 1 < to; i += 2) {
    const x = values[offset + i]!;
    const y = values[offset + i + 1]!;
    a += query[i]! * x;
    b += query[i + 1]! * y;
    squares += x * x + y * y;
  }
  for (; i < to; i++) {
    const x = values[offset + i]!;
    a += query[i]! * x;
    squares += x * x;
  }
  squaresOfLastDot = squares;
  return a + b;
}
