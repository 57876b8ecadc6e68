/**
 * A local embedder that measures shared wording, not meaning.
 * @module
 */

import { unitVector } from "./vector-sketch.ts";

export interface LexicalEmbedderOptions {
  /**
   * Length of the vectors.
   * @default 512
   */
  dimensions?: number;
}

/**
 * A dependency-free, offline `embedFn` for `semantic`: hashed word, word-pair and character
 * trigram counts, scaled to unit length. It is lexical: prompts that differ in case, punctuation,
 * spacing or a word or two score close to 1, but two wordings of one question with few words in
 * common score low, and a changed word that flips the meaning ("not") barely moves the score.
 * Use it for demos, tests and offline work; use real embeddings where meaning matters.
 *
 * @example
 * import { EcoAI, createLexicalEmbedder } from "ecoai";
 * const eco = new EcoAI({ client, semantic: { embedFn: createLexicalEmbedder(), embeddingModel: "lexical-512", threshold: 0.9 } });
 */
export function createLexicalEmbedder(options: LexicalEmbedderOptions = {}): (text: string) => Promise<Float32Array> {
  const dimensions = options.dimensions ?? 512;
  if (!Number.isInteger(dimensions) || dimensions < 8) throw new RangeError(`[ecoai] createLexicalEmbedder: dimensions must be a whole number ≥ 8, got ${dimensions}`);
  return async (text) => lexicalVector(text, dimensions);
}

function lexicalVector(text: string, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  const words = text.normalize("NFKC").toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const add = (feature: string, weight: number) => {
    const hash = fnv1a(feature);
    // The top bit picks the sign, so colliding features cancel out on average instead of piling up.
    vector[hash % dimensions]! += hash & 0x80000000 ? -weight : weight;
  };
  words.forEach((word, i) => {
    add(`w:${word}`, 2);
    if (i > 0) add(`b:${words[i - 1]} ${word}`, 1);
  });
  const joined = ` ${words.join(" ")} `;
  for (let i = 0; i + 3 <= joined.length; i++) add(`t:${joined.slice(i, i + 3)}`, 0.5);

  // A text with no words stays the zero vector, which matches nothing.
  return unitVector(vector) ?? vector;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
