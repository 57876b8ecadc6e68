import type { SqlValue } from "../sqlite/database.ts";
import type { PromptType, Provider, UsageRecord } from "../types.ts";
import { USAGE_COLUMNS } from "./schema.ts";

/** A call to record, before it has an id. */
export type NewUsageRecord = Omit<UsageRecord, "id"> & { cacheKey: string | null };

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

/** A measured amount (latency, dollars, grams), finite; 0 when it is not a number. */
function amount(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** A text column's value: never `"undefined"`, never a value the driver cannot bind. */
function text(value: unknown): string {
  return typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
}

/** The record as the values of an insert, in `USAGE_COLUMNS` order, each of the column's type. */
export function toRow(record: NewUsageRecord): SqlValue[] {
  const values: Record<(typeof USAGE_COLUMNS)[number], SqlValue> = {
    timestamp: text(record.timestamp),
    provider: text(record.provider satisfies Provider),
    model: text(record.model),
    cache_hit: record.cacheHit ? 1 : 0,
    semantic_hit: record.semanticHit ? 1 : 0,
    cache_key: typeof record.cacheKey === "string" ? record.cacheKey : null,
    prompt: text(record.prompt).slice(0, 200),
    prompt_type: text(record.promptType satisfies PromptType),
    input_tokens: tokenCount(record.inputTokens),
    output_tokens: tokenCount(record.outputTokens),
    tokens_saved: tokenCount(record.tokensSaved),
    latency_ms: amount(record.latencyMs),
    cost_saved_usd: amount(record.costSavedUsd),
    co2_saved_g: amount(record.co2SavedG),
    embedding_tokens: tokenCount(record.embeddingTokens),
    embedding_cost_usd: amount(record.embeddingCostUsd),
  };
  return USAGE_COLUMNS.map((column) => values[column]);
}
