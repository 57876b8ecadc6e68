/**
 * The request log: calls newest first under the filters, a page at a time. The aggregates say how
 * many calls each hour or day holds, so a page reads only the periods that can hold its rows (a
 * rare namespace or model never means a scan of the whole log), and a text search reads at most
 * {@link SEARCH_BUDGET} calls per page, saying where it stopped.
 * @module
 */
import type { Database } from "../sqlite/database.ts";
import type { PromptType, UsageRecord } from "../types.ts";
import { toUsageRecord } from "../usage/queries.ts";
import { BadRequest } from "./http.ts";
import { Where, type Filters } from "./filters.ts";
import type { PromptDay } from "./prompt-index.ts";
import type { PromptView } from "./prompt-view.ts";
import { GRAINS, PROMPT_ID_SQL } from "./rollup-schema.ts";
import { NO_TAIL, tailed, type Tail } from "./tail.ts";

export const OUTCOMES = ["all", "hit", "exact", "semantic", "miss"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Calls a search reads per page at most before it answers with what it found and where to go on. */
export const SEARCH_BUDGET = 50_000;

export interface RequestQuery {
  filters: Filters;
  outcome: Outcome;
  promptType?: PromptType;
  /** Text the prompt contains (any case). */
  search?: string;
  /** The exact prompt (a row of the prompts page). */
  prompt?: string;
  /** Rows older than this cursor (from a previous page's `next`). */
  before?: string;
  limit: number;
}

export interface RequestPage {
  records: UsageRecord[];
  /** The cursor of the next (older) page, `null` at the end of the range. */
  next: string | null;
  /** Calls the filters select in the range, known from the aggregates; `null` with a text search. */
  total: number | null;
  /** With a search: the oldest time it has read up to (more may match before). */
  searchedTo?: string;
}

/** Per outcome: the rows it selects, and how many of a period's calls it counts (in SQL, and from a prompt's day). */
const OUTCOME_SQL: Record<Outcome, { rows: string; counted: string; count: (day: PromptDay) => number }> = {
  all: { rows: "", counted: "calls", count: (day) => day.calls },
  hit: { rows: "cache_hit = 1", counted: "hits", count: (day) => day.hits },
  exact: { rows: "cache_hit = 1 AND semantic_hit = 0", counted: "hits - semantic_hits", count: (day) => day.hits - day.semanticHits },
  semantic: { rows: "semantic_hit = 1", counted: "semantic_hits", count: (day) => day.semanticHits },
  miss: { rows: "cache_hit = 0", counted: "calls - hits", count: (day) => day.calls - day.hits },
};

/** `timestamp|id` of the last row of a page. */
function parseCursor(cursor: string): { timestamp: string; id: number } {
  const at = cursor.lastIndexOf("|");
  const id = Number(cursor.slice(at + 1));
  if (at < 1 || !Number.isInteger(id)) throw new BadRequest(`before must be a cursor from a previous page's "next", got ${JSON.stringify(cursor)}`);
  return { timestamp: cursor.slice(0, at), id };
}

/** A period's first instant, as an ISO timestamp. */
function periodStart(period: string): string {
  return period.length === 10 ? `${period}T00:00:00.000Z` : `${period}:00:00.000Z`;
}

/**
 * A page of the log; `prompts` is read only for the log of one prompt (its days are known exactly).
 * The calls per period are the tables' and those of `tail`, the rows not yet folded into them.
 */
export function queryRequests(db: Database, query: RequestQuery, prompts: () => PromptView, tail: Tail = NO_TAIL): RequestPage {
  const { filters, limit } = query;
  const { grain, from, to } = filters.window;
  const cursor = query.before === undefined ? undefined : parseCursor(query.before);
  const upTo = cursor && cursor.timestamp < to ? cursor.timestamp : to;
  const outcome = OUTCOME_SQL[query.outcome];
  // One prompt of the prompts page (all of its key given): its days are known exactly.
  const promptId = query.prompt !== undefined && query.search === undefined ? promptOf(db, query, prompts) : undefined;
  if (promptId === null) return { records: [], next: null, total: 0 };
  const searching = promptId === undefined && (query.search !== undefined || query.prompt !== undefined);

  // Per period, newest first: how many calls the filters select (or, searching, how many are read).
  const width = grain === "hour" && promptId === undefined ? 13 : 10;
  // `to` is excluded: the range's last period is the one of the instant before it.
  const lastPeriod = (cursor ? upTo : new Date(Date.parse(to) - 1).toISOString()).slice(0, width);
  let periods: { period: string; n: number }[];
  if (promptId !== undefined) {
    periods = prompts().daysOf(promptId, { from: from.slice(0, width), to: lastPeriod }).map((day) => ({ period: day.period, n: outcome.count(day) }));
  } else {
    const counts = new Where().add("period >= ? AND period <= ?", from.slice(0, width), lastPeriod).dimensions(filters);
    if (query.promptType) counts.add("prompt_type = ?", query.promptType);
    const table = tailed(query.promptType ? "types" : "sums", grain, tail);
    periods = db
      .prepare(`SELECT period, sum(${searching ? "calls" : outcome.counted}) AS n FROM ${table.from} ${counts} GROUP BY period ORDER BY period DESC`)
      .all(...table.params, ...counts.params)
      .map((row) => ({ period: String(row.period), n: Number(row.n) }));
  }
  periods = periods.filter((row) => row.n > 0);
  let oldest = from;
  let budgetLeft = false;
  let seen = 0;
  for (const [i, { period, n }] of periods.entries()) {
    // The cursor's own period also holds the rows already shown: none of it counts as ahead.
    if (!(cursor && period === lastPeriod)) seen += n;
    // One more row than a page, so the page knows whether another follows.
    if (searching ? seen > SEARCH_BUDGET : seen > limit) {
      oldest = periodStart(period);
      budgetLeft = searching && i < periods.length - 1;
      break;
    }
  }

  // The cursor bounds the index range itself (not only filters it), so a deep page starts reading where the last one stopped.
  const where = rowFilters(query, oldest > from ? oldest : from, cursor && cursor.timestamp < to ? { upTo: cursor.timestamp } : undefined);
  if (cursor) where.add("(timestamp < ? OR (timestamp = ? AND id < ?))", cursor.timestamp, cursor.timestamp, cursor.id);
  const rows = db.prepare(`SELECT * FROM usage_log ${where} ORDER BY timestamp DESC, id DESC LIMIT ?`).all(...where.params, limit + 1);
  const records = rows.slice(0, limit).map(toUsageRecord);
  const last = records.at(-1);
  let next: string | null = null;
  if (rows.length > limit && last) next = `${last.timestamp}|${last.id}`;
  // The search stopped short of the range's start: the next page goes on from where it stopped.
  else if (budgetLeft) next = `${oldest}|0`;
  const page: RequestPage = { records, next, total: searching ? null : cursor ? null : periods.reduce((sum, row) => sum + row.n, 0) };
  if (searching) page.searchedTo = budgetLeft ? oldest : from;
  return page;
}

/**
 * The aggregates' id of the one prompt a query names with its whole key (text, provider, model,
 * namespace, type), or of one first logged since the last fold; `null` when no such prompt was
 * logged, `undefined` when the key is incomplete.
 */
function promptOf(db: Database, query: RequestQuery, prompts: () => PromptView): number | null | undefined {
  const { provider, model, namespace } = query.filters;
  if (provider === undefined || model === undefined || namespace === undefined || query.promptType === undefined) return undefined;
  const row = db.prepare(PROMPT_ID_SQL).get(query.prompt!, model, provider, query.promptType, namespace);
  if (row) return Number(row.id);
  return prompts().findNew({ prompt: query.prompt!, provider, model, promptType: query.promptType, namespace }) ?? null;
}

/**
 * The WHERE over `usage_log` of the calls a query selects, from `from` to the range's end, or up
 * to `upTo` included, or before `before`.
 */
function rowFilters(query: Omit<RequestQuery, "before" | "limit">, from: string, end: { upTo: string } | { before: string } = { before: query.filters.window.to }): Where {
  const where = "upTo" in end ? new Where().add("timestamp >= ? AND timestamp <= ?", from, end.upTo) : new Where().add("timestamp >= ? AND timestamp < ?", from, end.before);
  where.dimensions(query.filters);
  const outcome = OUTCOME_SQL[query.outcome];
  if (outcome.rows) where.add(outcome.rows);
  if (query.promptType) where.add("prompt_type = ?", query.promptType);
  if (query.prompt !== undefined) where.add("prompt = ?", query.prompt);
  if (query.search !== undefined) where.contains("prompt", query.search);
  return where;
}

/** One logged call, or `undefined`. */
export function queryRequest(db: Database, id: number): UsageRecord | undefined {
  const row = db.prepare("SELECT * FROM usage_log WHERE id = ?").get(id);
  return row ? toUsageRecord(row) : undefined;
}

/** How many calls an export's slices read: the first one few, so its first rows come at once; each next one twice as many. */
export interface SliceSizes {
  /** @default 10_000 */
  first: number;
  /** @default 320_000 */
  most: number;
}

const SLICE_SIZES: SliceSizes = { first: 10_000, most: 320_000 };

/**
 * The bounds of an export's time slices, oldest first, from the range's start to its end: runs of
 * consecutive periods holding (by the aggregates, whatever the filters) at most a slice's calls, or
 * one period. A slice is read through whichever index serves its filters, so it costs at most its
 * calls, however few of them the filters keep. Rows the aggregates do not hold yet fall in the last
 * slice, which always runs to the range's end.
 */
function exportSlices(db: Database, filters: Filters, sizes: SliceSizes): string[] {
  const { grain, from, to } = filters.window;
  const width = grain === "hour" ? 13 : 10;
  const periods = db
    .prepare(`SELECT period, sum(calls) AS n FROM ecoai_dashboard_all_types_${GRAINS[grain].suffix} WHERE period >= ? AND period < ? GROUP BY period ORDER BY period`)
    .all(from.slice(0, width), to.slice(0, width));
  const bounds = [from];
  let size = sizes.first;
  let calls = 0;
  for (const row of periods) {
    const n = Number(row.n);
    const start = periodStart(String(row.period));
    if (calls > 0 && calls + n > size && start > bounds.at(-1)!) {
      bounds.push(start);
      size = Math.min(size * 2, sizes.most);
      calls = 0;
    }
    calls += n;
  }
  bounds.push(to);
  return bounds;
}

/**
 * Every call the filters select, oldest first, `batch` rows at a time (for export), slice by slice
 * (see {@link exportSlices}); a slice without such calls yields an empty batch, so the download
 * starts, and goes on, while a sparse filter is still being read.
 */
export function* iterateRequests(db: Database, query: Omit<RequestQuery, "before" | "limit">, batch = 2000, sizes: SliceSizes = SLICE_SIZES): Generator<UsageRecord[]> {
  const bounds = exportSlices(db, query.filters, sizes);
  for (let slice = 1; slice < bounds.length; slice++) {
    let after = { timestamp: "", id: 0 };
    for (;;) {
      // Each batch's range starts at the last row's time, so no batch reads again what the ones before it read.
      const where = rowFilters(query, after.timestamp > bounds[slice - 1]! ? after.timestamp : bounds[slice - 1]!, { before: bounds[slice]! });
      where.add("(timestamp > ? OR (timestamp = ? AND id > ?))", after.timestamp, after.timestamp, after.id);
      const rows = db.prepare(`SELECT * FROM usage_log ${where} ORDER BY timestamp, id LIMIT ?`).all(...where.params, batch).map(toUsageRecord);
      yield rows;
      if (rows.length < batch) break;
      const last = rows.at(-1)!;
      after = { timestamp: last.timestamp, id: last.id };
    }
  }
}
