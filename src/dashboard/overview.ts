/**
 * What the overview shows for a range and filters, read from the aggregates only (never a scan of
 * the log): totals of spent, saved and net, a series per hour or day, breakdowns by provider,
 * model, namespace and content type, latency percentiles of hits and misses, and the top prompts.
 * @module
 */
import type { Database, Row } from "../sqlite/database.ts";
import { GRAINS, SUM_NAMES } from "./rollup-schema.ts";
import { Where, type Filters } from "./filters.ts";
import { addHistogram, createHistogram, latencyBucketSql, latencyStats, type LatencyStats } from "./latency.ts";
import type { PromptView } from "./prompt-view.ts";
import { queryTopPrompts, type PromptRow } from "./queries.ts";
import { NO_TAIL, tableOf, tailOnly, type Tail } from "./tail.ts";
import { compareBinary, UNKEPT, type TableReads } from "./folded-reads.ts";

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

/** Sums in the order of SUM_NAMES: a row is read once, then added to its total and groups by position. */
type SumArray = Float64Array;

/** Sums by name, as the aggregate tables hold them. */
function byName(sums: SumArray): Record<string, number> {
  return Object.fromEntries(SUM_NAMES.map((name, i) => [name, sums[i]!]));
}

/** The range's sums in total and per period, provider, model and namespace, the tail's rows included. */
function sumsOf(db: Database, filters: Filters, tail: Tail, reads: TableReads): { totals: Record<string, number>; groups: Record<string, Map<string, Record<string, number>>> } {
  const where = periodWhere(filters);
  // One read of the range's rows (one per period, provider, model and namespace), added up here
  // every way the page shows them.
  const columns = ["period", "provider", "model", "namespace"] as const;
  const totals: SumArray = new Float64Array(SUM_NAMES.length);
  const groups = columns.map(() => new Map<string, SumArray>());
  const values: SumArray = new Float64Array(SUM_NAMES.length);
  // The table's rows as last read while it stands as it is, then the tail's.
  const table = tableOf("sums", filters.window.grain);
  const folded = reads.get(`${table} ${where} ${JSON.stringify(where.params)}`, () => db.prepare(`SELECT * FROM ${table} ${where}`).all(...where.params));
  const tailRows = tail.upTo > tail.after ? tailOnly("sums", filters.window.grain, tail) : undefined;
  const rows = tailRows ? [...folded, ...db.prepare(`SELECT * FROM ${tailRows.from} ${where}`).all(...tailRows.params, ...where.params)] : folded;
  for (const row of rows) {
    for (let i = 0; i < SUM_NAMES.length; i++) values[i] = Number(row[SUM_NAMES[i]!] ?? 0);
    for (let i = 0; i < values.length; i++) totals[i]! += values[i]!;
    columns.forEach((column, c) => {
      const key = String(row[column]);
      let sums = groups[c]!.get(key);
      if (!sums) groups[c]!.set(key, (sums = new Float64Array(SUM_NAMES.length)));
      for (let i = 0; i < values.length; i++) sums[i]! += values[i]!;
    });
  }
  return {
    totals: byName(totals),
    groups: Object.fromEntries(columns.map((column, c) => [column, new Map([...groups[c]!].map(([key, sums]) => [key, byName(sums)]))])),
  };
}

/** Whether a provider, model or namespace is filtered: the per-type and latency tables without those columns no longer do. */
function byDimension(filters: Filters): boolean {
  return filters.provider !== undefined || filters.model !== undefined || filters.namespace !== undefined;
}

/** The range's sums per period, oldest first, periods without calls included. */
export function querySeries(db: Database, filters: Filters, tail: Tail = NO_TAIL, reads: TableReads = UNKEPT): (Sums & { period: string })[] {
  const { groups } = sumsOf(db, filters, tail, reads);
  return filters.window.periods.map((period) => ({ period, ...toSums(groups.period!.get(period) as Row | undefined) }));
}

/** The overview of a range and filters: the tables, and the rows of `tail` not yet folded into them. */
export function queryOverview(db: Database, prompts: PromptView, filters: Filters, tail: Tail = NO_TAIL, reads: TableReads = UNKEPT): Overview {
  const { totals, groups } = sumsOf(db, filters, tail, reads);
  const ranked = (column: string, limit: number): Breakdown[] =>
    [...groups[column]!.entries()]
      .map(([key, sums]) => ({ key, ...toSums(sums as Row) }))
      .sort((a, b) => b.calls - a.calls || (a.key < b.key ? -1 : 1))
      .slice(0, limit);
  const types = queryTypes(db, filters, tail, reads);
  const total = toSums(totals as Row);
  return {
    totals: total,
    series: filters.window.periods.map((period) => ({ period, ...toSums(groups.period!.get(period) as Row | undefined) })),
    byProvider: ranked("provider", 50),
    byModel: ranked("model", 12),
    byNamespace: ranked("namespace", 12),
    contentTypes: types,
    latency: queryLatency(db, filters, tail, reads),
    topPrompts: total.hits === 0 ? [] : queryTopPrompts(prompts, db, filters, 8),
  };
}

/** Calls, hits and semantic hits per content type, most calls first: the table's (as last read) and the tail's added. */
function queryTypes(db: Database, filters: Filters, tail: Tail, reads: TableReads): Breakdown[] {
  const where = periodWhere(filters);
  const filtered = byDimension(filters);
  const shape = filtered ? "types" : "all_types";
  const perType = (from: string) => `SELECT prompt_type AS key, sum(calls) AS calls, sum(hits) AS hits, sum(semantic_hits) AS semantic_hits FROM ${from} ${where} GROUP BY prompt_type`;
  const table = tableOf(shape, filters.window.grain);
  const counts = new Map<string, Row>();
  for (const row of reads.get(`${table} types ${where} ${JSON.stringify(where.params)}`, () => db.prepare(perType(table)).all(...where.params))) counts.set(String(row.key), { ...row });
  if (tail.upTo > tail.after) {
    const rows = tailOnly(shape, filters.window.grain, tail);
    for (const row of db.prepare(perType(rows.from)).all(...rows.params, ...where.params)) {
      const known = counts.get(String(row.key));
      if (!known) counts.set(String(row.key), row);
      else for (const name of ["calls", "hits", "semantic_hits"]) known[name] = Number(known[name]) + Number(row[name]);
    }
  }
  return [...counts.values()]
    .map((row) => ({ key: String(row.key), ...toSums(row) }))
    .sort((a, b) => b.calls - a.calls || compareBinary(a.key, b.key));
}

/**
 * Latency percentiles of misses, hits, and exact and semantic hits apart, from the stored
 * histograms: per period and outcome alone when nothing is filtered (a few hundred for 90 days
 * rather than thousands); the tail's latencies are put in their buckets here.
 */
function queryLatency(db: Database, filters: Filters, tail: Tail, reads: TableReads): Overview["latency"] {
  const where = periodWhere(filters);
  const histograms = [createHistogram(), createHistogram(), createHistogram()];
  const hits = createHistogram();
  const filtered = byDimension(filters);
  const table = `ecoai_dashboard_${filtered ? "" : "all_"}latency_${GRAINS[filters.window.grain].suffix}`;
  for (const row of reads.get(`${table} ${where} ${JSON.stringify(where.params)}`, () => db.prepare(`SELECT outcome, histogram FROM ${table} ${where}`).all(...where.params))) {
    const outcome = Number(row.outcome);
    if (!(row.histogram instanceof Uint8Array) || !histograms[outcome]) continue;
    addHistogram(row.histogram, histograms[outcome]);
    if (outcome > 0) addHistogram(row.histogram, hits);
  }
  if (tail.upTo > tail.after) {
    const { period } = GRAINS[filters.window.grain];
    const { periods } = filters.window;
    const rows = new Where().add("id > ? AND id <= ?", tail.after, tail.upTo).add(`${period} >= ? AND ${period} <= ?`, periods[0]!, periods.at(-1)!).dimensions(filters);
    for (const row of db.prepare(`SELECT cache_hit + semantic_hit AS outcome, ${latencyBucketSql()} AS bucket, count(*) AS calls FROM usage_log ${rows} GROUP BY 1, 2`).all(...rows.params)) {
      const outcome = Number(row.outcome);
      const bucket = Number(row.bucket);
      if (!histograms[outcome]) continue;
      histograms[outcome]![bucket]! += Number(row.calls);
      if (outcome > 0) hits[bucket]! += Number(row.calls);
    }
  }
  return { misses: latencyStats(histograms[0]!), hits: latencyStats(hits), exact: latencyStats(histograms[1]!), semantic: latencyStats(histograms[2]!) };
}

/** Every provider, model and namespace in the log, for the filter menus. */
export function queryFacets(db: Database, tail: Tail = NO_TAIL, reads: TableReads = UNKEPT): { providers: string[]; models: string[]; namespaces: string[] } {
  const withTail = tail.upTo > tail.after;
  const distinct = (column: string) => {
    // The first 500 of the table's (as last read) stay the first 500 unless the tail has values they do not.
    const folded = reads.get(`facets ${column}`, () => db.prepare(`SELECT DISTINCT ${column} AS value FROM ecoai_dashboard_days ORDER BY 1 LIMIT 500`).all().map((row) => String(row.value)));
    if (!withTail) return folded;
    const known = new Set(folded);
    const added = db.prepare(`SELECT DISTINCT ${column} AS value FROM usage_log WHERE id > ? AND id <= ?`).all(tail.after, tail.upTo).map((row) => String(row.value)).filter((value) => !known.has(value));
    return added.length === 0 ? folded : [...folded, ...added].sort(compareBinary).slice(0, 500);
  };
  return { providers: distinct("provider"), models: distinct("model"), namespaces: distinct("namespace") };
}
