/**
 * What the overview shows for a range and filters, read from the aggregates only (never a scan of
 * the log): totals of spent, saved and net, a series per hour or day, breakdowns by provider,
 * model, namespace and content type, latency percentiles of hits and misses, and the top prompts.
 * @module
 */
import type { Database, Row } from "../sqlite/database.ts";
import { GRAINS, SUM_NAMES } from "./rollup-schema.ts";
import { Where, type Filters } from "./filters.ts";
import { addHistogram, createHistogram, latencyStats, type LatencyStats } from "./latency.ts";
import type { PromptIndex } from "./prompt-index.ts";
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

/** Adds a row of sums (as the aggregate tables hold them) into `into`. */
function addRow(into: Record<string, number>, row: Row): void {
  for (const name of SUM_NAMES) into[name] = (into[name] ?? 0) + Number(row[name] ?? 0);
}

/** The range's sums in total and per period, provider, model and namespace. */
function sumsOf(db: Database, filters: Filters): { totals: Record<string, number>; groups: Record<string, Map<string, Record<string, number>>> } {
  const where = periodWhere(filters);
  // One read of the range's rows (one per period, provider, model and namespace), added up here
  // every way the page shows them.
  const totals: Record<string, number> = {};
  const groups = { period: new Map<string, Record<string, number>>(), provider: new Map(), model: new Map(), namespace: new Map() } as Record<string, Map<string, Record<string, number>>>;
  for (const row of db.prepare(`SELECT * FROM ecoai_dashboard_${GRAINS[filters.window.grain].suffix} ${where}`).all(...where.params)) {
    addRow(totals, row);
    for (const [column, map] of Object.entries(groups)) {
      const key = String(row[column]);
      let sums = map.get(key);
      if (!sums) map.set(key, (sums = {}));
      addRow(sums, row);
    }
  }
  return { totals, groups };
}

/** The range's sums per period, oldest first, periods without calls included. */
export function querySeries(db: Database, filters: Filters): (Sums & { period: string })[] {
  const { groups } = sumsOf(db, filters);
  return filters.window.periods.map((period) => ({ period, ...toSums(groups.period!.get(period) as Row | undefined) }));
}

export function queryOverview(db: Database, prompts: PromptIndex, filters: Filters): Overview {
  const suffix = GRAINS[filters.window.grain].suffix;
  const where = periodWhere(filters);
  const { totals, groups } = sumsOf(db, filters);
  const ranked = (column: string, limit: number): Breakdown[] =>
    [...groups[column]!.entries()]
      .map(([key, sums]) => ({ key, ...toSums(sums as Row) }))
      .sort((a, b) => b.calls - a.calls || (a.key < b.key ? -1 : 1))
      .slice(0, limit);
  const filtered = filters.provider !== undefined || filters.model !== undefined || filters.namespace !== undefined;
  const types = db
    .prepare(`SELECT prompt_type AS key, sum(calls) AS calls, sum(hits) AS hits, sum(semantic_hits) AS semantic_hits FROM ecoai_dashboard_${filtered ? "" : "all_"}types_${suffix} ${where} GROUP BY prompt_type ORDER BY calls DESC, key`)
    .all(...where.params)
    .map((row) => ({ key: String(row.key), ...toSums(row) }));
  const total = toSums(totals as Row);
  return {
    totals: total,
    series: filters.window.periods.map((period) => ({ period, ...toSums(groups.period!.get(period) as Row | undefined) })),
    byProvider: ranked("provider", 50),
    byModel: ranked("model", 12),
    byNamespace: ranked("namespace", 12),
    contentTypes: types,
    latency: queryLatency(db, filters),
    topPrompts: total.hits === 0 ? [] : queryTopPrompts(prompts, db, filters, 8),
  };
}

/**
 * Latency percentiles of misses, hits, and exact and semantic hits apart, from the stored
 * histograms: per period and outcome alone when nothing is filtered (a few hundred for 90 days
 * rather than thousands).
 */
function queryLatency(db: Database, filters: Filters): Overview["latency"] {
  const where = periodWhere(filters);
  const histograms = [createHistogram(), createHistogram(), createHistogram()];
  const hits = createHistogram();
  const filtered = filters.provider !== undefined || filters.model !== undefined || filters.namespace !== undefined;
  const table = `ecoai_dashboard_${filtered ? "" : "all_"}latency_${GRAINS[filters.window.grain].suffix}`;
  for (const row of db.prepare(`SELECT outcome, histogram FROM ${table} ${where}`).all(...where.params)) {
    const outcome = Number(row.outcome);
    if (!(row.histogram instanceof Uint8Array) || !histograms[outcome]) continue;
    addHistogram(row.histogram, histograms[outcome]);
    if (outcome > 0) addHistogram(row.histogram, hits);
  }
  return { misses: latencyStats(histograms[0]!), hits: latencyStats(hits), exact: latencyStats(histograms[1]!), semantic: latencyStats(histograms[2]!) };
}

/** Every provider, model and namespace in the log, for the filter menus. */
export function queryFacets(db: Database): { providers: string[]; models: string[]; namespaces: string[] } {
  const distinct = (column: string) => db.prepare(`SELECT DISTINCT ${column} AS value FROM ecoai_dashboard_days ORDER BY 1 LIMIT 500`).all().map((row) => String(row.value));
  return { providers: distinct("provider"), models: distinct("model"), namespaces: distinct("namespace") };
}
