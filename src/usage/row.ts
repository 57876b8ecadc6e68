import type { SqlValue } from "../sqlite/database.ts";
import type { PromptType, Provider, SemanticCheckKind, TokenUsage } from "../types.ts";
import { costOfCall, ratesFor, type PriceOverrides } from "./pricing.ts";
import { USAGE_COLUMNS, type UsageColumn } from "./schema.ts";

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
  /** Set when the call checked a semantic match against the provider's answer (verified or shadow mode). */
  check?: SemanticCheckFacts;
}

/** A semantic match checked against the provider's answer. */
export interface SemanticCheckFacts extends SemanticMatchFacts {
  kind: SemanticCheckKind;
  agreed: boolean;
}

/** What a call cost and saved, as the log stores it. */
export interface CallAccount {
  /** Output tokens of the response a hit served; 0 on a miss. */
  tokensSaved: number;
  /** Paid to the provider for the call (0 on a hit), embedding excluded; `null` when the model has no price. */
  costUsd: number | null;
  /** What a hit would have cost, less the embedding the call needed; a miss saves minus its embedding. */
  costSavedUsd: number;
  co2SavedG: number;
  embeddingCostUsd: number;
  /** False when the model has no list price: its cost and savings are unknown, not zero. */
  priced: boolean;
}

/**
 * Prices a call at list price (`costOfCall`): a miss costs what its tokens cost, a hit costs
 * nothing and saves what it would have cost. A model without a price is flagged, never given a
 * default one. CO₂ follows methodology 1 (output tokens × the model's factor).
 *
 * @example
 * accountFor({ model: "gpt-4o", cacheHit: true, usage: { inputTokens: 100, cachedInputTokens: 0, outputTokens: 50 }, timestamp }).costSavedUsd;
 * // (100 × $2.50 + 50 × $10) / 1M = 0.00075
 */
export function accountFor(record: Pick<NewUsageRecord, "model" | "cacheHit" | "usage" | "timestamp" | "embedding">, overrides?: PriceOverrides): CallAccount {
  const model = text(record.model);
  const usage = cleanUsage(record.usage);
  const cost = costOfCall(model, usage, { overrides, at: dayOf(record.timestamp) });
  const embeddingCostUsd = amount(record.embedding?.costUsd);
  const output = usage.outputTokens;
  if (!record.cacheHit) {
    return { tokensSaved: 0, costUsd: cost.usd, costSavedUsd: -embeddingCostUsd, co2SavedG: 0, embeddingCostUsd, priced: cost.priced };
  }
  return {
    tokensSaved: output,
    costUsd: 0,
    costSavedUsd: (cost.usd ?? 0) - embeddingCostUsd,
    co2SavedG: output * ratesFor(model, overrides).co2KgPer1kOutputTokens,
    embeddingCostUsd,
    priced: cost.priced,
  };
}

/** The record as the values of an insert, in `USAGE_COLUMNS` order, each of the column's type. */
export function toRow(record: NewUsageRecord, overrides?: PriceOverrides): SqlValue[] {
  const account = accountFor(record, overrides);
  const usage = cleanUsage(record.usage);
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
    tokens_saved: account.tokensSaved,
    latency_ms: amount(record.latencyMs),
    cost_saved_usd: account.costSavedUsd,
    co2_saved_g: account.co2SavedG,
    embedding_tokens: tokenCount(record.embedding?.tokens),
    embedding_cost_usd: account.embeddingCostUsd,
    namespace: text(record.namespace),
    cached_input_tokens: usage.cachedInputTokens,
    cost_usd: account.costUsd,
    priced: account.priced ? 1 : 0,
    semantic_score: match && Number.isFinite(match.score) ? match.score : null,
    matched_prompt: match ? text(match.prompt).slice(0, 200) : null,
    ...checkColumns(record.check),
  };
  return USAGE_COLUMNS.map((column) => values[column]);
}

/** The columns of a semantic check; all `null` when the call made none. */
function checkColumns(check: SemanticCheckFacts | undefined): Record<"semantic_check" | "check_agreed" | "check_key" | "check_score" | "check_prompt", SqlValue> {
  if (!check) return { semantic_check: null, check_agreed: null, check_key: null, check_score: null, check_prompt: null };
  return {
    semantic_check: check.kind,
    check_agreed: check.agreed ? 1 : 0,
    check_key: text(check.key),
    check_score: Number.isFinite(check.score) ? check.score : null,
    check_prompt: text(check.prompt).slice(0, 200),
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

/** Token counts as they are priced and stored; cache reads never exceed the input. */
function cleanUsage(usage: TokenUsage | undefined): TokenUsage {
  const inputTokens = tokenCount(usage?.inputTokens);
  const clean: TokenUsage = { inputTokens, cachedInputTokens: Math.min(tokenCount(usage?.cachedInputTokens), inputTokens), outputTokens: tokenCount(usage?.outputTokens) };
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

/** The UTC day of an ISO timestamp, for prices scheduled by date; today for anything else. */
function dayOf(timestamp: unknown): string | undefined {
  return typeof timestamp === "string" && /^\d{4}-\d\d-\d\d/.test(timestamp) ? timestamp.slice(0, 10) : undefined;
}
