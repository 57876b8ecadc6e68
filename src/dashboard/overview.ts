/**
 * What the overview shows for a range and filters, read from the aggregates only (never a scan of
 * the log): totals of spent, saved and net, a series per hour or day, breakdowns by provider,
 * model, namespace and content type, latency percentiles of hits and misses, and the top prompts.
 * @module
 */
import type { Database, Row } from "../sqlite/database.ts";
import { GRAINS } from "./rollup-schema.ts";
import { sumColumns } from "./rollup-schema.ts";
import { Where, type Filters } from "./filters.ts";
import { latencyStats, type LatencyStats } from "./latency.ts";
import { queryTopPrompts, type PromptRow } from "./queries.ts";

/** Sums over some calls, as the pages show them. */
export interface Sums {
  calls: number;
  hits: number;
  exactHits: number;
  semanticHits: number;
  hitRate: number;
  tokensSaved: number;
  inputTokens: number;
  outputTokens: number;
  /** Paid to providers: calls sent upstream and the embeddings of semantic lookups. */
  spentUsd: number;
  embeddingCostUsd: number;
  /** What the hits would have cost at list price. */
  savedUsd: number;
  /** Saved less what the embeddings cost (`costSavedUsd` of `eco.summary()`). */
  netSavedUsd: number;
  co2SavedG: number;
  /** Calls of a model without a price: neither spent nor saved counts them. */
  unpricedCalls: number;
  /** Calls logged before costs were recorded: their spending is not known. */
  legacyCalls: number;
}

export function toSums(row: Row | undefined): Sums {
  const n = (name: string) => Number(row?.[name] ?? 0);
  const calls = n("calls");
  const hits = n("hits");
  const embeddingCostUsd = n("embedding_cost_usd");
  return {
    calls,
    hits,
    exactHits: hits - n("semantic_hits"),
    semanticHits: n("semantic_hits"),
    hitRate: calls === 0 ? 0 : hits / calls,
    tokensSaved: n("tokens_saved"),
    inputTokens: n("input_tokens"),
    outputTokens: n("output_tokens"),
    spentUsd: n("cost_usd") + embeddingCostUsd,
    embeddingCostUsd,
    savedUsd: n("cost_saved_usd") + embeddingCostUsd,
    netSavedUsd: n("cost_saved_usd"),
    co2SavedG: n("co2_saved_g"),
    unpricedCalls: n("unpriced"),
    legacyCalls: n("legacy"),
  };
}

export interface Breakdown extends Sums {
  key: string;
}

export interface Overview {
  totals: Sums;
  series: (Sums & { period: string })[];
  byProvider: Breakdown[];
  byModel: Breakdown[];
  byNamespace: Breakdown[];
  contentTypes: Breakdown[];
  latency: { hits: LatencyStats; misses: LatencyStats; exact: LatencyStats; semantic: LatencyStats };
  topPrompts: PromptRow[];
}

/** The range's periods and the filters, as a WHERE over a period table. */
function periodWhere(filters: Filters): Where {
  const { periods } = filters.window;
  return new Where().add("period >= ? AND period <= ?", periods[0]!, periods.at(-1)!).dimensions(filters);
}

export function queryOverview(db: Database, filters: Filters): Overview {
  const table = `ecoai_dashboard_${GRAINS[filters.window.grain].suffix}`;
  const where = periodWhere(filters);
  const grouped = (column: string, limit: number) =>
    db
      .prepare(`SELECT ${column} AS key, ${sumColumns()} FROM ${table} ${where} GROUP BY ${column} ORDER BY calls DESC, key LIMIT ?`)
      .all(...where.params, limit)
      .map((row) => ({ key: String(row.key), ...toSums(row) }));
  const totals = toSums(db.prepare(`SELECT ${sumColumns()} FROM ${table} ${where}`).get(...where.params));
  const byPeriod = new Map(db.prepare(`SELECT period, ${sumColumns()} FROM ${table} ${where} GROUP BY period`).all(...where.params).map((row) => [String(row.period), row]));
  return {
    totals,
    series: filters.window.periods.map((period) => ({ period, ...toSums(byPeriod.get(period)) })),
    byProvider: grouped("provider", 50),
    byModel: grouped("model", 12),
    byNamespace: grouped("namespace", 12),
    contentTypes: grouped("prompt_type", 50),
    latency: queryLatency(db, filters),
    topPrompts: totals.hits === 0 ? [] : queryTopPrompts(db, filters, 8),
  };
}

/** Latency percentiles of misses, hits, and exact and semantic hits apart. */
function queryLatency(db: Database, filters: Filters): Overview["latency"] {
  const where = periodWhere(filters);
  const rows = db
    .prepare(`SELECT outcome, bucket, sum(calls) AS calls FROM ecoai_dashboard_latency_${GRAINS[filters.window.grain].suffix} ${where} GROUP BY outcome, bucket`)
    .all(...where.params);
  const histograms = [new Map<number, number>(), new Map<number, number>(), new Map<number, number>()];
  const hits = new Map<number, number>();
  for (const row of rows) {
    const outcome = Number(row.outcome);
    const bucket = Number(row.bucket);
    const calls = Number(row.calls);
    histograms[outcome]?.set(bucket, calls);
    if (outcome > 0) hits.set(bucket, (hits.get(bucket) ?? 0) + calls);
  }
  return { misses: latencyStats(histograms[0]!), hits: latencyStats(hits), exact: latencyStats(histograms[1]!), semantic: latencyStats(histograms[2]!) };
}

/** Every provider, model and namespace in the log, for the filter menus. */
export function queryFacets(db: Database): { providers: string[]; models: string[]; namespaces: string[] } {
  const distinct = (column: string) => db.prepare(`SELECT DISTINCT ${column} AS value FROM ecoai_dashboard_days ORDER BY 1 LIMIT 500`).all().map((row) => String(row.value));
  return { providers: distinct("provider"), models: distinct("model"), namespaces: distinct("namespace") };
}
