import type { Database, Row, SqlValue } from "../sqlite/database.ts";
import { wilsonInterval } from "../calibration/interval.ts";
import type { HistoryQuery, PromptType, Provider, SemanticCheckKind, ShadowResults, UsageRecord, UsageSummary } from "../types.ts";

/**
 * Totals over the whole usage log, or over the rows with `afterId < id ≤ upToId` (the dashboard
 * adds such slices to totals it already holds instead of reading every row again).
 */
export function querySummary(db: Database, range: { afterId?: number; upToId?: number } = {}): UsageSummary {
  const row = db
    .prepare(
      `SELECT count(*) AS total_calls,
              coalesce(sum(cache_hit), 0) AS cache_hits,
              coalesce(sum(semantic_hit), 0) AS semantic_hits,
              coalesce(sum(tokens_saved), 0) AS tokens_saved,
              coalesce(sum(cost_saved_usd), 0) AS cost_saved_usd,
              coalesce(sum(co2_saved_g), 0) AS co2_saved_g,
              coalesce(sum(cost_usd), 0) AS cost_usd,
              coalesce(sum(embedding_cost_usd), 0) AS embedding_cost_usd,
              coalesce(sum(priced = 0), 0) AS unpriced,
              coalesce(sum(semantic_check = 'verification'), 0) AS verification_calls,
              coalesce(sum(semantic_check = 'shadow'), 0) AS shadow_checks,
              coalesce(sum(semantic_check = 'shadow' AND check_agreed = 1), 0) AS shadow_agreed
         FROM usage_log
        WHERE id > ? AND id <= ?`,
    )
    .get(range.afterId ?? 0, range.upToId ?? Number.MAX_SAFE_INTEGER) as Row;
  const totalCalls = Number(row.total_calls);
  const cacheHits = Number(row.cache_hits);
  return {
    totalCalls,
    cacheHits,
    cacheMisses: totalCalls - cacheHits,
    hitRate: totalCalls === 0 ? 0 : cacheHits / totalCalls,
    tokensSaved: Number(row.tokens_saved),
    costSavedUsd: Number(row.cost_saved_usd),
    co2SavedG: Number(row.co2_saved_g),
    semanticHits: Number(row.semantic_hits),
    spentUsd: Number(row.cost_usd) + Number(row.embedding_cost_usd),
    embeddingCostUsd: Number(row.embedding_cost_usd),
    unpricedCalls: Number(row.unpriced),
    verificationCalls: Number(row.verification_calls),
    shadow: shadowResults(Number(row.shadow_checks), Number(row.shadow_agreed)),
  };
}

/** Shadow mode's agreement rate over `checks` compared matches, with its 95% Wilson interval. */
export function shadowResults(checks: number, agreed: number): ShadowResults {
  return { checks, agreed, agreementRate: checks === 0 ? 0 : agreed / checks, interval: wilsonInterval(agreed, checks) };
}

/** Adds two summaries of disjoint rows. */
export function addSummaries(a: UsageSummary, b: UsageSummary): UsageSummary {
  const totalCalls = a.totalCalls + b.totalCalls;
  const cacheHits = a.cacheHits + b.cacheHits;
  return {
    totalCalls,
    cacheHits,
    cacheMisses: totalCalls - cacheHits,
    hitRate: totalCalls === 0 ? 0 : cacheHits / totalCalls,
    tokensSaved: a.tokensSaved + b.tokensSaved,
    costSavedUsd: a.costSavedUsd + b.costSavedUsd,
    co2SavedG: a.co2SavedG + b.co2SavedG,
    semanticHits: a.semanticHits + b.semanticHits,
    spentUsd: a.spentUsd + b.spentUsd,
    embeddingCostUsd: a.embeddingCostUsd + b.embeddingCostUsd,
    unpricedCalls: a.unpricedCalls + b.unpricedCalls,
    verificationCalls: a.verificationCalls + b.verificationCalls,
    shadow: shadowResults(a.shadow.checks + b.shadow.checks, a.shadow.agreed + b.shadow.agreed),
  };
}

/** Calls newest first, filtered and paged. */
export function queryHistory(db: Database, query: HistoryQuery = {}): UsageRecord[] {
  const where: string[] = [];
  const params: SqlValue[] = [];
  const add = (clause: string, value: SqlValue) => {
    where.push(clause);
    params.push(value);
  };
  if (query.from !== undefined) add("timestamp >= ?", isoTimestamp(query.from, "from"));
  if (query.to !== undefined) add("timestamp <= ?", isoTimestamp(query.to, "to"));
  if (query.model !== undefined) add("model = ?", query.model);
  if (query.provider !== undefined) add("provider = ?", query.provider);
  const limit = nonNegativeInteger(query.limit ?? 100, "limit");
  const offset = nonNegativeInteger(query.offset ?? 0, "offset");
  const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const rows = db
    .prepare(`SELECT * FROM usage_log ${clause} ORDER BY timestamp DESC, id DESC LIMIT ? OFFSET ?`)
    .all(...params, limit, offset);
  return rows.map(toUsageRecord);
}

/** A `usage_log` row as the public record. */
export function toUsageRecord(row: Row): UsageRecord {
  return {
    id: Number(row.id),
    timestamp: String(row.timestamp),
    provider: String(row.provider) as Provider,
    model: String(row.model),
    cacheHit: Number(row.cache_hit) === 1,
    semanticHit: Number(row.semantic_hit) === 1,
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    tokensSaved: Number(row.tokens_saved),
    latencyMs: Number(row.latency_ms),
    costSavedUsd: Number(row.cost_saved_usd),
    co2SavedG: Number(row.co2_saved_g),
    embeddingTokens: Number(row.embedding_tokens ?? 0),
    embeddingCostUsd: Number(row.embedding_cost_usd ?? 0),
    prompt: String(row.prompt),
    promptType: String(row.prompt_type) as PromptType,
    namespace: String(row.namespace ?? ""),
    cachedInputTokens: Number(row.cached_input_tokens ?? 0),
    costUsd: orNull(row.cost_usd, Number),
    priced: orNull(row.priced, (value) => Number(value) === 1),
    cacheKey: orNull(row.cache_key, String),
    semanticScore: orNull(row.semantic_score, Number),
    matchedPrompt: orNull(row.matched_prompt, String),
    semanticCheck: orNull(row.semantic_check, (value) => String(value) as SemanticCheckKind),
    checkAgreed: orNull(row.check_agreed, (value) => Number(value) === 1),
    checkKey: orNull(row.check_key, String),
    checkScore: orNull(row.check_score, Number),
    checkPrompt: orNull(row.check_prompt, String),
  };
}

/** A nullable column's value, `null` when SQL has none (or the column does not exist yet). */
function orNull<T>(value: SqlValue | undefined, convert: (value: SqlValue) => T): T | null {
  return value === null || value === undefined ? null : convert(value);
}

function isoTimestamp(value: Date | string, name: string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`[ecoai] history(): ${name} ${JSON.stringify(value)} is not a date`);
  return date.toISOString();
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`[ecoai] history(): ${name} must be a whole number ≥ 0, got ${value}`);
  return value;
}
