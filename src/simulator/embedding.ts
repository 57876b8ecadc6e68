/**
 * Deterministic embedding vectors: feature hashing of words and character trigrams into a
 * unit-length vector. Equal text gives an equal vector, and texts sharing most words and
 * trigrams score a high cosine similarity, which is what semantic-cache tests need.
 *
 * @module
 */

const BUCKETS_PER_FEATURE = 16;

/** Dimensions when the request does not set `dimensions`. */
export const DEFAULT_DIMENSIONS = 1536;

/** Native dimensions of the OpenAI embedding models. */
export function defaultDimensions(model: string): number {
  return model.includes("3-large") ? 3072 : DEFAULT_DIMENSIONS;
}

/**
 * Embed `text` into `dimensions` float32 values with L2 norm 1.
 *
 * Float32 on purpose: the API's base64 encoding carries float32, so a vector sent as base64
 * and one sent as JSON numbers decode to exactly the same values.
 */
export function embedText(text: string, dimensions: number = DEFAULT_DIMENSIONS): Float32Array {
  const vector = new Float32Array(dimensions);
  const normalised = text.toLowerCase().replace(/\s+/g, " ").trim();
  const words = normalised.match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const word of words) addFeature(vector, `w:${word}`, 2);
  const padded = ` ${normalised} `;
  for (let i = 0; i + 3 <= padded.length; i++) addFeature(vector, `t:${padded.slice(i, i + 3)}`, 1);

  let norm = 0;
  for (const value of vector) norm += value * value;
  if (norm === 0) {
    // Empty text: any fixed unit vector, never NaN from dividing by zero.
    if (dimensions > 0) vector[0] = 1;
    return vector;
  }
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < dimensions; i++) vector[i] = (vector[i] ?? 0) * scale;
  return vector;
}

/** Encode a vector the way the API does for `encoding_format: "base64"` (little-endian float32). */
export function toBase64(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString("base64");
}

/** Cosine similarity of two equal-length vectors. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

function addFeature(vector: Float32Array, feature: string, weight: number): void {
  // Each feature spreads over a few pseudo-random buckets with pseudo-random signs, so vectors
  // are dense like real embeddings while unrelated features stay nearly orthogonal.
  let state = fnv1a(feature) || 1;
  for (let i = 0; i < BUCKETS_PER_FEATURE; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const bits = state >>> 0;
    const index = bits % vector.length;
    vector[index] = (vector[index] ?? 0) + (bits & 0x80000000 ? -weight : weight);
  }
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
