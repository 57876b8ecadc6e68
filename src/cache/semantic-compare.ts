/**
 * Whether a fresh answer agrees with a stored one: the outcome of a verification (verified mode)
 * or of a shadow comparison. The text of each answer is read from its response, whatever the
 * provider: the `content`, `text` and `output_text` strings in it, ids and metadata left out.
 * @module
 */
import type { SemanticCompare, SemanticJudge, SemanticJudgeInput } from "../types.ts";
import type { Embedder } from "./embedder.ts";
import { unitVector } from "./vector-sketch.ts";

/** Cosine similarity at which two embedded answers agree (`compare: "embedding"`). */
export const ANSWER_AGREEMENT = 0.9;

const TEXT_KEYS = new Set(["content", "text", "output_text"]);

/** The answer text of a response (a parsed provider response): its text parts, in order, joined by newlines. */
export function answerText(response: unknown): string {
  const parts: string[] = [];
  const visit = (value: unknown, key: string | undefined): void => {
    if (typeof value === "string") {
      if (key !== undefined && TEXT_KEYS.has(key)) parts.push(value);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, key);
    } else if (value !== null && typeof value === "object") {
      for (const [child, inner] of Object.entries(value)) visit(inner, child);
    }
  };
  visit(response, undefined);
  return parts.join("\n");
}

/** Text compared without case, spacing or punctuation. */
export function normalisedText(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** What a comparison found, and what it cost in embeddings. */
export interface Comparison {
  agreed: boolean;
  embedding?: { tokens: number; costUsd: number };
}

export interface CompareOptions {
  compare: SemanticCompare;
  judge?: SemanticJudge;
  embedder: Embedder;
  /** Prices the embedding of `tokens` tokens. */
  price: (tokens: number) => number;
}

/**
 * Compares two answers: by the user's judge when given, else by `compare`. A judge that throws or
 * an embedding that fails counts as disagreement: an entry is never trusted on a check that did
 * not happen.
 */
export async function compareAnswers(input: SemanticJudgeInput, options: CompareOptions): Promise<Comparison> {
  if (options.judge) {
    try {
      return { agreed: (await options.judge(input)) === true };
    } catch {
      return { agreed: false };
    }
  }
  switch (options.compare) {
    case "exact":
      return { agreed: input.storedAnswer === input.freshAnswer };
    case "normalised":
      return { agreed: normalisedText(input.storedAnswer) === normalisedText(input.freshAnswer) };
    case "embedding":
      return embeddingComparison(input, options);
  }
}

async function embeddingComparison(input: SemanticJudgeInput, options: CompareOptions): Promise<Comparison> {
  if (input.storedAnswer === input.freshAnswer) return { agreed: true };
  try {
    const [stored, fresh] = await Promise.all([options.embedder.embed(input.storedAnswer), options.embedder.embed(input.freshAnswer)]);
    const tokens = stored.tokens + fresh.tokens;
    const embedding = { tokens, costUsd: options.price(tokens) };
    const [a, b] = [unitVector(stored.vector), unitVector(fresh.vector)];
    if (!a || !b || a.length !== b.length) return { agreed: false, embedding };
    let dot = 0;
    for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
    return { agreed: dot >= ANSWER_AGREEMENT, embedding };
  } catch {
    return { agreed: false };
  }
}
