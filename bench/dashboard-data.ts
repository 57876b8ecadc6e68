/**
 * The usage log `bench:dashboard` measures: calls over 90 days, 50,000 distinct prompts asked with
 * a skew (a few very often, most rarely), 10 models of 3 providers, 3 namespaces, every content
 * type, hits and semantic hits. The same rows on every run.
 *
 * @module
 */
import type { Database } from "../src/sqlite/database.ts";
import type { PromptType } from "../src/types.ts";
import { toRow, type NewUsageRecord } from "../src/usage/row.ts";
import { USAGE_INSERT } from "../src/usage/schema.ts";

export const DISTINCT_PROMPTS = 50_000;
export const DAYS = 90;

const MODELS = [
  ["openai", "gpt-4o"], ["openai", "gpt-4o-mini"], ["openai", "gpt-4.1"], ["openai", "o3-mini"],
  ["anthropic", "claude-sonnet-4-5"], ["anthropic", "claude-haiku-4-5"], ["anthropic", "claude-opus-4-1"],
  ["gemini", "gemini-2.5-flash"], ["gemini", "gemini-2.5-pro"], ["gemini", "gemini-2.0-flash"],
] as const;
const TYPES: PromptType[] = ["text", "text", "text", "text", "structured", "tool", "image", "file", "audio", "image_output"];
const WORDS = ["refund", "invoice", "shipping", "password", "summary", "translate", "billing", "weather", "contract", "recipe"];
export const NAMESPACES = ["", "tenant-a", "tenant-b"];

/**
 * A fixed pseudo-random sequence (mulberry32), so every run seeds the same log. Integer arithmetic
 * throughout: a product past 2^53 in floating point would lose bits and cycle after a few thousand
 * values, leaving far fewer distinct prompts than the log claims.
 */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The calls of the seeded log, as the engine reports them. */
export function* calls(rows: number, startId: number, end: number, spanMs = DAYS * 86_400_000): Generator<NewUsageRecord> {
  const next = random(42 + startId);
  for (let i = 0; i < rows; i++) {
    // A few prompts are asked very often, most rarely: a skewed pick over the distinct prompts.
    const p = Math.floor(DISTINCT_PROMPTS * next() ** 3);
    const [provider, model] = MODELS[p % MODELS.length]!;
    const hit = next() < 0.45;
    const semantic = hit && next() < 0.15;
    const output = 50 + Math.floor(next() * 400);
    yield {
      timestamp: new Date(end - Math.floor(((rows - i) / rows) * spanMs)).toISOString(),
      provider, model, cacheHit: hit, semanticHit: semantic, cacheKey: `key-${p}`, namespace: NAMESPACES[p % 3]!,
      prompt: `Question ${p} about ${WORDS[p % WORDS.length]}: please explain it step by step for a new customer`,
      promptType: TYPES[Math.floor(p / 10) % TYPES.length]!, usage: { inputTokens: 200, cachedInputTokens: 0, outputTokens: output },
      latencyMs: hit ? 0.3 + next() * (semantic ? 30 : 1) : 400 + next() * 900,
      ...(semantic ? { match: { key: `key-${p + 1}`, score: 0.96, prompt: `Question ${p + 1}` }, embedding: { tokens: 12, costUsd: 12 * 0.00000002 } } : {}),
    };
  }
}

export function seed(db: Database, rows: number, startId = 0, spanMs?: number): void {
  const insert = db.prepare(USAGE_INSERT);
  const end = Date.now();
  db.transaction(() => {
    for (const call of calls(rows, startId, end, spanMs)) insert.run(...toRow(call));
  });
}
