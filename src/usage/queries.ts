import type { Database, Row, SqlValue } from "../sqlite/database.ts";
import type { HistoryQuery, PromptType, Provider, UsageRecord, UsageSummary } from "../types.ts";
import { addRanges, rangeOf } from "./energy.ts";
import { equivalencesOf } from "./energy-equivalences.ts";
import type { FootprintConfig } from "./energy-grid.ts";
import { describeMethodology, METHODOLOGY_VERSION } from "./methodology.ts";

const RANGE_SUMS = ["low", "central", "high"].flatMap((s) => [
  `coalesce(sum(CASE WHEN cache_hit = 1 THEN energy_wh_${s} END), 0) AS saved_wh_${s}`,
  `coalesce(sum(CASE WHEN cache_hit = 1 THEN co2e_g_${s} END), 0) AS saved_g_${s}`,
  `coalesce(sum(CASE WHEN cache_hit = 0 THEN energy_wh_${s} END), 0) AS spent_wh_${s}`,
  `coalesce(sum(CASE WHEN cache_hit = 0 THEN co2e_g_${s} END), 0) AS spent_g_${s}`,
]);

/**
 * Totals over the whole usage log, or over the rows with `afterId < id ≤ upToId` (the dashboard
 * adds such slices to totals it already holds instead of reading every row again). The grid in
 * `methodology` is the one `config` resolves to.
 */
export function querySummary(db: Database, range: { afterId?: number; upToId?: number } = {}, config: FootprintConfig = {}): UsageSummary {
  const row = db
    .prepare(
      `SELECT count(*) AS total_calls,
              coalesce(sum(cache_hit), 0) AS cache_hits,
              coalesce(sum(semantic_hit), 0) AS semantic_hits,
              coalesce(sum(tokens_saved), 0) AS tokens_saved,
              coalesce(sum(CASE WHEN cache_hit = 0 THEN input_tokens + output_tokens END), 0) AS tokens_spent,
              coalesce(sum(cost_saved_usd), 0) AS cost_saved_usd,
              coalesce(sum(co2_saved_g), 0) AS co2_saved_g,
              coalesce(sum(cost_usd), 0) AS cost_usd,
              coalesce(sum(embedding_cost_usd), 0) AS embedding_cost_usd,
              coalesce(sum(priced = 0), 0) AS unpriced,
              group_concat(DISTINCT CASE WHEN priced = 0 THEN model END) AS unpriced_models,
              coalesce(sum(CASE WHEN methodology_version >= ${METHODOLOGY_VERSION} THEN embedding_co2e_g END), 0) AS embedding_g,
              coalesce(sum(methodology_version < ${METHODOLOGY_VERSION}), 0) AS earlier_method,
              ${RANGE_SUMS.join(",\n              ")}
         FROM usage_log
        WHERE id > ? AND id <= ?`,
    )
    .get(range.afterId ?? 0, range.upToId ?? Number.MAX_SAFE_INTEGER) as Row;
  const totalCalls = Number(row.total_calls);
  const cacheHits = Number(row.cache_hits);
  const n = (name: string) => Number(row[name]);
  const embeddingG = n("embedding_g");
  // The embedding a semantic lookup took comes off CO₂e saved; its energy is that CO₂e at the grid's intensity, too small to carry apart.
  const energySavedWh = rangeOf((s) => n(`saved_wh_${s}`));
  const co2eSavedG = rangeOf((s) => n(`saved_g_${s}`) - embeddingG);
  return {
    totalCalls,
    cacheHits,
    cacheMisses: totalCalls - cacheHits,
    hitRate: totalCalls === 0 ? 0 : cacheHits / totalCalls,
    tokensSaved: n("tokens_saved"),
    costSavedUsd: n("cost_saved_usd"),
    co2SavedG: n("co2_saved_g"),
    semanticHits: n("semantic_hits"),
    spentUsd: n("cost_usd") + n("embedding_cost_usd"),
    embeddingCostUsd: n("embedding_cost_usd"),
    unpricedCalls: n("unpriced"),
    unpricedModels: typeof row.unpriced_models === "string" && row.unpriced_models !== "" ? row.unpriced_models.split(",").sort() : [],
    tokensSpent: n("tokens_spent"),
    footprint: {
      methodologyVersion: METHODOLOGY_VERSION,
      energySavedWh,
      co2eSavedG,
      energySpentWh: rangeOf((s) => n(`spent_wh_${s}`)),
      co2eSpentG: rangeOf((s) => n(`spent_g_${s}`)),
      equivalences: equivalencesOf({ co2eG: co2eSavedG, energyWh: energySavedWh }),
      callsUnderEarlierMethods: n("earlier_method"),
    },
    methodology: describeMethodology(config),
  };
}

/** Adds two summaries of disjoint rows; the methodology is the second's. */
export function addSummaries(a: UsageSummary, b: UsageSummary): UsageSummary {
  const totalCalls = a.totalCalls + b.totalCalls;
  const cacheHits = a.cacheHits + b.cacheHits;
  const energySavedWh = addRanges(a.footprint.energySavedWh, b.footprint.energySavedWh);
  const co2eSavedG = addRanges(a.footprint.co2eSavedG, b.footprint.co2eSavedG);
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
    unpricedModels: [...new Set([...a.unpricedModels, ...b.unpricedModels])].sort(),
    tokensSpent: a.tokensSpent + b.tokensSpent,
    footprint: {
      methodologyVersion: b.footprint.methodologyVersion,
      energySavedWh,
      co2eSavedG,
      energySpentWh: addRanges(a.footprint.energySpentWh, b.footprint.energySpentWh),
      co2eSpentG: addRanges(a.footprint.co2eSpentG, b.footprint.co2eSpentG),
      equivalences: equivalencesOf({ co2eG: co2eSavedG, energyWh: energySavedWh }),
      callsUnderEarlierMethods: a.footprint.callsUnderEarlierMethods + b.footprint.callsUnderEarlierMethods,
    },
    methodology: b.methodology,
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
    cacheWriteInputTokens: Number(row.cache_write_input_tokens ?? 0),
    reasoningTokens: Number(row.reasoning_tokens ?? 0),
    methodologyVersion: Number(row.methodology_version ?? 1),
    energyWh: rangeColumns(row, "energy_wh"),
    co2eG: rangeColumns(row, "co2e_g"),
    gridGPerKwh: orNull(row.grid_g_per_kwh, Number),
  };
}

/** A low / central / high range stored in three columns, `null` when the row has none. */
function rangeColumns(row: Row, prefix: string): { low: number; central: number; high: number } | null {
  const central = row[`${prefix}_central`];
  if (central === null || central === undefined) return null;
  return { low: Number(row[`${prefix}_low`]), central: Number(central), high: Number(row[`${prefix}_high`]) };
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
