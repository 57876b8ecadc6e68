/**
 * The simulated tokenizer and how a text is cut into stream deltas. A token is four UTF-16
 * units (never splitting a surrogate pair), the same rule `estimateTokens` counts by, so the
 * tokens a stream carries, its logprobs and its reported usage all agree.
 *
 * @module
 */
import { shortHash } from "./reply.ts";

/** Characters per simulated token. */
export const CHARS_PER_TOKEN = 4;

/** Split `text` into tokens; joined, they equal `text` exactly. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + CHARS_PER_TOKEN);
    // A high surrogate at the end would split an astral character in two.
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end++;
    tokens.push(text.slice(start, end));
    start = end;
  }
  return tokens;
}

/**
 * Cut `text` into stream deltas of one to four tokens each, as the real APIs send them. The
 * sizes vary but depend only on the text, so the same answer always streams the same way.
 *
 * @example
 * ```ts
 * streamPieces("Simulated answer from gpt-4o").join(""); // "Simulated answer from gpt-4o"
 * ```
 */
export function streamPieces(text: string): string[] {
  if (text === "") return [];
  const tokens = tokenize(text);
  const next = sizes(text);
  const pieces: string[] = [];
  for (let index = 0; index < tokens.length; ) {
    const size = next();
    pieces.push(tokens.slice(index, index + size).join(""));
    index += size;
  }
  return pieces;
}

/** A deterministic sequence of group sizes 1..4 seeded by `text`. */
function sizes(text: string): () => number {
  let state = Number.parseInt(shortHash(text, 8), 16) || 1;
  return () => {
    // xorshift32: cheap, and good enough to vary delta sizes.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return 1 + ((state >>> 0) % 4);
  };
}

// Alternatives offered in `top_logprobs` (the API allows up to 20).
const COMMON_TOKENS = [" the", " a", ".", ",", " and", " of", " to", " in", " is", " it", " that", " for", " on", " with", " as", " was", " be", " by", " at", " an"];

/** One token's log probability, in the OpenAI wire shape. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs: Array<{ token: string; logprob: number; bytes: number[] }>;
}

/**
 * Log probabilities of `text`'s tokens; `top` alternatives per token (the token itself first),
 * as asked by the request's `top_logprobs`.
 */
export function tokenLogprobs(text: string, top = 0): TokenLogprob[] {
  return tokenize(text).map((token) => {
    const alternatives = [...new Set([token, ...COMMON_TOKENS])];
    return {
      token,
      logprob: -0.01,
      bytes: [...Buffer.from(token)],
      top_logprobs: alternatives.slice(0, Math.max(0, top)).map((alternative, rank) => ({
        token: alternative,
        logprob: rank === 0 ? -0.01 : -2 - rank,
        bytes: [...Buffer.from(alternative)],
      })),
    };
  });
}
