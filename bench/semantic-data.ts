/**
 * Prompt-like embeddings for the semantic benchmarks, each computed afresh from its number, so a
 * million of them never need to be held at once: a benchmark builds an index from them, then
 * scans them again, one at a time, for the exact answers.
 *
 * They imitate real embeddings: a direction every text shares, 200 topics, and noise, so
 * unrelated prompts score about 0.15 and prompts of one topic about 0.5 (as OpenAI embeddings
 * do). Queries are near-duplicates of stored prompts at cosine 0.90–0.99 (about half above the
 * 0.95 threshold) plus unrelated prompts.
 *
 * @module
 */
import { createHash } from "node:crypto";

export const DIMS = 1536;
const TOPICS = 200;

/** A xorshift generator seeded from `seed` (mixed, so neighbouring seeds give unrelated streams). */
function generator(seed: number): () => number {
  let state = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ 0x2545f491;
  state = (state ^ (state >>> 15)) | 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

function normalise(vector: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i]! * vector[i]!;
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < vector.length; i++) vector[i]! *= scale;
  return vector;
}

/** A random direction (uniform coordinates are enough: the sketch and dot products see sums of them). */
function randomUnit(next: () => number, out = new Float32Array(DIMS)): Float32Array {
  for (let i = 0; i < DIMS; i++) out[i] = next() * 2 - 1;
  return normalise(out);
}

const shared = generator(-1);
const common = randomUnit(shared);
const topics = Array.from({ length: TOPICS }, () => randomUnit(shared));
const noise = new Float32Array(DIMS);

/** Stored prompt number `n`: shared direction + its topic + its own noise, written into `out`. */
export function promptVector(n: number, out = new Float32Array(DIMS)): Float32Array {
  const next = generator(n);
  const topic = topics[Math.floor(next() * TOPICS)]!;
  randomUnit(next, noise);
  for (let i = 0; i < DIMS; i++) out[i] = 0.55 * common[i]! + 0.9 * topic[i]! + noise[i]!;
  return normalise(out);
}

/** Query number `q` against `size` stored prompts: three in four paraphrase one of them, the rest are new prompts. */
export function queryVector(q: number, size: number): Float32Array {
  const next = generator(2_000_000_000 + q);
  if (q % 4 === 3) return promptVector(1_000_000_000 + q);
  const source = promptVector(Math.floor(next() * size));
  const cosine = 0.9 + next() * 0.09;
  const offset = randomUnit(next);
  // Remove the noise's component along the source so the angle is exact.
  let along = 0;
  for (let i = 0; i < DIMS; i++) along += source[i]! * offset[i]!;
  for (let i = 0; i < DIMS; i++) offset[i]! -= along * source[i]!;
  normalise(offset);
  const sine = Math.sqrt(1 - cosine * cosine);
  const out = new Float32Array(DIMS);
  for (let i = 0; i < DIMS; i++) out[i] = cosine * source[i]! + sine * offset[i]!;
  return out;
}

/** The cache key of stored prompt `n`: a SHA-256 digest, as every real key is, ending in `n` so it can be read back. */
export function keyOf(n: number): string {
  return createHash("sha256").update(String(n)).digest("hex").slice(0, 56) + n.toString(16).padStart(8, "0");
}

/** The prompt number in a key made by {@link keyOf}. */
export function numberOf(key: string): number {
  return Number.parseInt(key.slice(56), 16);
}
