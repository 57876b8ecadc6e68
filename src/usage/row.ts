import type { SqlValue } from "../sqlite/database.ts";
import type { PromptType, Provider, TokenUsage } from "../types.ts";
import { accountFor, type AccountOptions, type CallAccount } from "./call-account.ts";
import { USAGE_COLUMNS, type UsageColumn } from "./schema.ts";

export { accountFor, type AccountOptions, type CallAccount } from "./call-account.ts";

/** The stored entry that answered a semantic hit. */
export interface SemanticMatchFacts {
  /** Its cache key. */
  key: string;
  /** Cosine similarity between the caller's prompt and the entry's. */
  score: number;
  /** Its prompt text (first 200 characters). */
  prompt: string;
}

/**
 * One call as the engine describes it; the usage log prices it (what it cost, what it saved)
 * when it writes the row, off the call's path.
 */
export interface NewUsageRecord {
  /** ISO 8601, UTC: when the call finished. */
  timestamp: string;
  provider: Provider;
  /** The SDK method, such as `chat.completions` (for telemetry; not stored). */
  endpoint?: string;
  model: string;
  cacheHit: boolean;
  semanticHit: boolean;
  /** The entry that answered or was written; `null` when the call had no key (a pass-through). */
  cacheKey: string | null;
  /** Cache partition; `""` or absent when none. */
  namespace?: string;
  prompt: string;
  promptType: PromptType;
  /** Tokens of the response: paid for on a miss, served from the cache on a hit. */
  usage: TokenUsage;
  latencyMs: number;
  /** Set on a semantic hit. */
  match?: SemanticMatchFacts;
  /** The embedding the call needed (semantic caching), charged to it, hit or miss. */
  embedding?: { tokens: number; costUsd: number };
}

/** The record as the values of an insert, in `USAGE_COLUMNS` order, each of the column's type. */
export function toRow(record: NewUsageRecord, options: AccountOptions = {}): SqlValue[] {
  const usage = cleanUsage(record.usage);
  const account = accountFor({ model: text(record.model), provider: record.provider, cacheHit: record.cacheHit, usage, timestamp: record.timestamp, embedding: record.embedding }, options);
  const match = record.semanticHit ? record.match : undefined;
  const values: Record<UsageColumn, SqlValue> = {
    timestamp: text(record.timestamp),
    provider: text(record.provider satisfies Provider),
    model: text(record.model),
    cache_hit: record.cacheHit ? 1 : 0,
    semantic_hit: record.semanticHit ? 1 : 0,
    cache_key: typeof record.cacheKey === "string" ? record.cacheKey : null,
    prompt: text(record.prompt).slice(0, 200),
    prompt_type: text(record.promptType satisfies PromptType),
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    latency_ms: amount(record.latencyMs),
    embedding_tokens: tokenCount(record.embedding?.tokens),
    namespace: text(record.namespace),
    cached_input_tokens: usage.cachedInputTokens,
    semantic_score: match && Number.isFinite(match.score) ? match.score : null,
    matched_prompt: match ? text(match.prompt).slice(0, 200) : null,
    ...accountColumns(account),
    cache_write_input_tokens: usage.cacheWriteInputTokens ?? 0,
    reasoning_tokens: usage.reasoningTokens ?? 0,
    image_count: usage.images ? tokenCount(usage.images.count) : 0,
    image_size: usage.images ? text(usage.images.size) : null,
    image_quality: usage.images ? text(usage.images.quality) : null,
  };
  return USAGE_COLUMNS.map((column) => values[column]);
}

/** The columns a method computes from a row's tokens: what `ecoai recompute` rewrites. */
export const COMPUTED_COLUMNS = [
  "tokens_saved", "cost_saved_usd", "co2_saved_g", "embedding_cost_usd", "cost_usd", "priced", "methodology_version",
  "energy_wh_low", "energy_wh_central", "energy_wh_high", "co2e_g_low", "co2e_g_central", "co2e_g_high", "grid_g_per_kwh", "embedding_co2e_g",
] as const satisfies readonly UsageColumn[];

/** An account as the values of {@link COMPUTED_COLUMNS}. */
export function accountColumns(account: CallAccount): Record<(typeof COMPUTED_COLUMNS)[number], SqlValue> {
  return {
    tokens_saved: account.tokensSaved,
    cost_saved_usd: account.costSavedUsd,
    co2_saved_g: account.co2SavedG,
    embedding_cost_usd: account.embeddingCostUsd,
    cost_usd: account.costUsd,
    priced: account.priced ? 1 : 0,
    methodology_version: account.methodologyVersion,
    energy_wh_low: account.energyWh.low,
    energy_wh_central: account.energyWh.central,
    energy_wh_high: account.energyWh.high,
    co2e_g_low: account.co2eG.low,
    co2e_g_central: account.co2eG.central,
    co2e_g_high: account.co2eG.high,
    grid_g_per_kwh: account.gridGPerKwh,
    embedding_co2e_g: account.embeddingCo2eG,
  };
}

/**
 * A token count as the log stores it: a whole number from 0 up. Counts come from whatever the
 * provider (or an OpenAI-compatible server) sent, and some send `"n/a"`, `null`, `-1` or `1e400`;
 * an unusable count is recorded as 0 rather than refused, so it can never hold a row back.
 *
 * @example
 * tokenCount("n/a"); // → 0
 * tokenCount("12"); // → 12
 */
export function tokenCount(value: unknown): number {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0) return 0;
  return Math.min(Math.round(n), Number.MAX_SAFE_INTEGER);
}

/** Token counts as they are priced and stored: cache reads and writes never exceed the input, reasoning never the output. */
function cleanUsage(usage: TokenUsage | undefined): TokenUsage {
  const inputTokens = tokenCount(usage?.inputTokens);
  const outputTokens = tokenCount(usage?.outputTokens);
  const cachedInputTokens = Math.min(tokenCount(usage?.cachedInputTokens), inputTokens);
  const clean: TokenUsage = { inputTokens, cachedInputTokens, outputTokens };
  const written = Math.min(tokenCount(usage?.cacheWriteInputTokens), inputTokens - cachedInputTokens);
  if (written > 0) clean.cacheWriteInputTokens = written;
  const reasoning = Math.min(tokenCount(usage?.reasoningTokens), outputTokens);
  if (reasoning > 0) clean.reasoningTokens = reasoning;
  if (usage?.images) clean.images = usage.images;
  return clean;
}

/** A measured amount (latency, dollars, grams), finite; 0 when it is not a number. */
function amount(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** A text column's value: never `"undefined"`, never a value the driver cannot bind. */
function text(value: unknown): string {
  return typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
}
