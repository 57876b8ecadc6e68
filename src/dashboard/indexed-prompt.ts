/**
 * One distinct prompt as the prompt index holds it: its whole key, and what it did per UTC day in
 * compact typed arrays (day ranks, counts, amounts, about 45 bytes a prompt-day), with the writes
 * that fill them and the sums over a range of days read from them.
 * @module
 */
import type { Row } from "../sqlite/database.ts";
import type { PromptType, Provider } from "../types.ts";

/** Counts kept per prompt-day, in this order. */
export const COUNTS = 3; // calls, hits, semantic hits
/** Amounts kept per prompt-day, in this order. */
export const AMOUNTS = 4; // tokens saved, cost saved (net of embeddings), spent, last call (ms)

/** A prompt's whole key, as the prompts page and the request log name it. */
export interface PromptKey {
  prompt: string;
  provider: string;
  model: string;
  promptType: string;
  namespace: string;
}

/** Whether `held` is the prompt `key` names. */
export function isPromptOf(held: IndexedPrompt, key: PromptKey): boolean {
  return held.prompt === key.prompt && held.provider === key.provider && held.model === key.model && held.promptType === key.promptType && held.namespace === key.namespace;
}

/** One distinct prompt: its key and its days in ascending order. */
export interface IndexedPrompt {
  id: number;
  prompt: string;
  /** The prompt with A–Z lowered, as SQLite's LIKE compares. */
  folded: string;
  provider: Provider;
  model: string;
  promptType: PromptType;
  namespace: string;
  /** Rank of each day (see `PromptIndex.periods`), ascending. */
  days: Int32Array;
  counts: Uint32Array;
  amounts: Float64Array;
}

/** A prompt's sums over some of its days. */
export interface RangeSums {
  calls: number;
  hits: number;
  semanticHits: number;
  tokensSaved: number;
  costSavedUsd: number;
  spentUsd: number;
  /** Rank of the prompt's last day among them, and its last call that day (ms). */
  lastDay: number;
  lastSeenMs: number;
}

/** SQLite's LIKE is case-insensitive for A–Z only; so is this. */
export function foldAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/** Sums of no days yet, for {@link sumDays} to fill. */
export function emptySums(): RangeSums {
  return { calls: 0, hits: 0, semanticHits: 0, tokensSaved: 0, costSavedUsd: 0, spentUsd: 0, lastDay: -1, lastSeenMs: Number.NEGATIVE_INFINITY };
}

/** A prompt's sums over the days ranked `first` to `last`, into `into`; false when it has none then. */
export function sumDays(prompt: IndexedPrompt, first: number, last: number, into: RangeSums): boolean {
  const { days, counts, amounts } = prompt;
  let found = false;
  into.calls = into.hits = into.semanticHits = into.tokensSaved = into.costSavedUsd = into.spentUsd = 0;
  for (let i = 0; i < days.length; i++) {
    const day = days[i]!;
    if (day < first) continue;
    if (day > last) break;
    found = true;
    into.calls += counts[i * COUNTS]!;
    into.hits += counts[i * COUNTS + 1]!;
    into.semanticHits += counts[i * COUNTS + 2]!;
    into.tokensSaved += amounts[i * AMOUNTS]!;
    into.costSavedUsd += amounts[i * AMOUNTS + 1]!;
    into.spentUsd += amounts[i * AMOUNTS + 2]!;
    into.lastDay = day;
    into.lastSeenMs = amounts[i * AMOUNTS + 3]!;
  }
  return found;
}

/** Sets (or adds, in order) one day of a prompt. */
export function setDay(prompt: IndexedPrompt, day: number, counts: Uint32Array, amounts: Float64Array): void {
  let at = 0;
  while (at < prompt.days.length && prompt.days[at]! < day) at++;
  if (at === prompt.days.length || prompt.days[at] !== day) {
    const n = prompt.days.length + 1;
    const grow = <T extends Int32Array | Uint32Array | Float64Array>(old: T, make: (n: number) => T, stride: number): T => {
      const next = make(n * stride);
      next.set(old.subarray(0, at * stride));
      next.set(old.subarray(at * stride), (at + 1) * stride);
      return next;
    };
    prompt.days = grow(prompt.days, (size) => new Int32Array(size), 1);
    prompt.counts = grow(prompt.counts, (size) => new Uint32Array(size), COUNTS);
    prompt.amounts = grow(prompt.amounts, (size) => new Float64Array(size), AMOUNTS);
    prompt.days[at] = day;
  }
  prompt.counts.set(counts, at * COUNTS);
  prompt.amounts.set(amounts, at * AMOUNTS);
}

/** A prompt-day's counts and amounts, written at the given offsets. */
export function writeDay(row: Row, counts: Uint32Array, countsAt: number, amounts: Float64Array, amountsAt: number): void {
  counts[countsAt] = Number(row.calls);
  counts[countsAt + 1] = Number(row.hits);
  counts[countsAt + 2] = Number(row.semantic_hits);
  amounts[amountsAt] = Number(row.tokens_saved);
  amounts[amountsAt + 1] = Number(row.cost_saved_usd);
  amounts[amountsAt + 2] = Number(row.spent_usd);
  // A timestamp that does not parse sorts before every other of its day.
  amounts[amountsAt + 3] = row.last_seen_ms === null || row.last_seen_ms === undefined ? Number.NEGATIVE_INFINITY : Number(row.last_seen_ms);
}

/** A copy of `array` with room for `size` entries of `stride` values. */
export function grown<T extends Int32Array | Uint32Array | Float64Array>(array: T, size: number, stride: number): T {
  const next = new (array.constructor as new (length: number) => T)(size * stride);
  next.set(array);
  return next;
}

/** A prompt as `ecoai_dashboard_prompts` holds it, with no days yet. */
export function toPrompt(row: Row): IndexedPrompt {
  const prompt = String(row.prompt);
  return {
    id: Number(row.id),
    prompt,
    folded: foldAscii(prompt),
    provider: String(row.provider) as Provider,
    model: String(row.model),
    promptType: String(row.prompt_type) as PromptType,
    namespace: String(row.namespace),
    days: new Int32Array(0),
    counts: new Uint32Array(0),
    amounts: new Float64Array(0),
  };
}
