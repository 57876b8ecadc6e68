/**
 * The compact form of a unit vector that the semantic index holds and the stores persist beside
 * the exact vector: one signed byte per dimension with a per-vector scale, the 256-bit sketch, and
 * how far the bytes lie from the exact vector. A query's dot product with the bytes is within
 * that distance of its dot product with the exact vector (Cauchy–Schwarz), so a search can rule
 * out, or must re-score exactly, each candidate without ever being wrong about the best match.
 *
 * Layout, little-endian: format (u8), flags (u8: 1 when the vector has length 1), two reserved
 * bytes, scale (f32), error (f32), the sketch (8 × u32), then the values (i8 × dims). 44 + dims
 * bytes: 1,580 at 1,536 dimensions.
 *
 * @module
 */
import { SKETCH_WORDS, writeSketch } from "./vector-sketch.ts";

/** Changes whenever the layout, the quantisation or the sketch projection does: codes of another format are recomputed. */
export const CODE_FORMAT = 1;
/** Byte offsets of the header's parts. */
export const CODE_FLAGS = 1;
export const CODE_SCALE = 4;
export const CODE_ERROR = 8;
export const CODE_SKETCH = 12;
export const CODE_HEADER_BYTES = CODE_SKETCH + SKETCH_WORDS * 4;
/** The largest magnitude of a value byte. */
const LEVELS = 127;
/** How far from 1 the length of a vector flagged as a unit vector may be. */
export const UNIT_TOLERANCE = 1e-5;

/** Bytes of the code of a vector of `dims` dimensions. */
export function codeBytes(dims: number): number {
  return CODE_HEADER_BYTES + dims;
}

/** The code of the unit vector `vector`. */
export function encodeVector(vector: Float32Array): Uint8Array {
  const dims = vector.length;
  const code = new Uint8Array(codeBytes(dims));
  const view = new DataView(code.buffer);
  let largest = 0;
  for (let i = 0; i < dims; i++) {
    const value = vector[i]!;
    if (value > largest) largest = value;
    else if (-value > largest) largest = -value;
  }
  // Stored as float32: the bound below is computed with exactly the scale a reader gets back.
  const scale = Math.fround(largest > 0 ? largest / LEVELS : 1);
  const inverse = 1 / scale;
  const values = new Int8Array(code.buffer, CODE_HEADER_BYTES, dims);
  let error = 0;
  let length = 0;
  for (let i = 0; i < dims; i++) {
    const value = vector[i]!;
    let level = Math.round(value * inverse);
    // |value| ≤ largest, so only rounding can push a level past the range.
    if (level > LEVELS) level = LEVELS;
    else if (level < -LEVELS) level = -LEVELS;
    values[i] = level;
    const off = value - level * scale;
    error += off * off;
    length += value * value;
  }
  code[0] = CODE_FORMAT;
  code[CODE_FLAGS] = Math.abs(Math.sqrt(length) - 1) <= UNIT_TOLERANCE ? 1 : 0;
  view.setFloat32(CODE_SCALE, scale, true);
  // Rounded up, so the float32 never understates the distance.
  view.setFloat32(CODE_ERROR, Math.sqrt(error) * (1 + 1e-6) + 1e-9, true);
  const sketch = new Uint32Array(SKETCH_WORDS);
  writeSketch(vector, sketch, 0);
  for (let word = 0; word < SKETCH_WORDS; word++) view.setUint32(CODE_SKETCH + word * 4, sketch[word]!, true);
  return code;
}

/** Whether `code` is a code of this format (and not, say, one written by another version). */
export function isCurrentCode(code: Uint8Array): boolean {
  return code.byteLength > CODE_HEADER_BYTES && code[0] === CODE_FORMAT;
}

/** The parts of a code, as views (no copy). */
export function readCode(code: Uint8Array): { unit: boolean; scale: number; error: number; sketch: (word: number) => number; values: Int8Array } {
  const view = new DataView(code.buffer, code.byteOffset, code.byteLength);
  return {
    unit: code[CODE_FLAGS] === 1,
    scale: view.getFloat32(CODE_SCALE, true),
    error: view.getFloat32(CODE_ERROR, true),
    sketch: (word) => view.getUint32(CODE_SKETCH + word * 4, true),
    values: new Int8Array(code.buffer, code.byteOffset + CODE_HEADER_BYTES, code.byteLength - CODE_HEADER_BYTES),
  };
}

/** The vector a code stands for (each byte times the scale): what a listing of codes decodes to. */
export function decodeVector(code: Uint8Array): Float32Array {
  const { scale, values } = readCode(code);
  return Float32Array.from(values, (value) => value * scale);
}
