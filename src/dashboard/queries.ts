import type { Database, Row } from "../sqlite/database.ts";
import type { PromptType, Provider } from "../types.ts";
import { Where, type Filters } from "./filters.ts";
import { PROMPT_WINDOWS, windowColumn, windowSelect } from "./rollup-schema.ts";

/** Prompt-list filters: every prompt, those served by an exact or a semantic hit, or one prompt type. */
export const PROMPT_FILTERS = ["all", "exact", "semantic", "text", "image", "audio", "file", "tool", "structured", "image_output"] as const;
export type PromptFilter = (typeof PROMPT_FILTERS)[number];
export const PROMPT_SORTS = ["recent", "hits"] as const;
export type PromptSort = (typeof PROMPT_SORTS)[number];
export const PROMPTS_PER_PAGE = 25;

/** One distinct prompt (per model, provider, type and namespace) with what its calls cost and saved. */
export interface PromptRow {
  id: number;
  prompt: string;
  model: string;
  provider: Provider;
  promptType: PromptType;
  namespace: string;
  calls: number;
  hits: number;
  exactHits: number;
  semanticHits: number;
  tokensSaved: number;
  /** Net of embeddings, as `eco.summary()`'s `costSavedUsd`. */
  costSavedUsd: number;
  spentUsd: number;
  lastSeen: string;
}

export interface PromptQuery {
  search: string;
  filter: PromptFilter;
  sort: PromptSort;
  /** 1-based. */
  page: number;
  /** Provider, model, namespace, and a range (all time when it has none). */
  filters: Omit<Filters, "window"> & { window?: Filters["window"] };
}

export interface PromptPage {
  prompts: PromptRow[];
  total: number;
  page: number;
  pageSize: number;
  pages: number;
}

const PROMPT_COLUMNS = "p.id, p.prompt, p.model, p.provider, p.prompt_type, p.namespace";

/**
 * The prompts a query selects, as a SELECT of one row per prompt: from the all-time totals, or,
 * with a range, added up from the per-day totals of the days it covers.
 */
function selectPrompts(query: Pick<PromptQuery, "search" | "filter" | "filters">): { sql: string; params: (string | number)[] } {
  const where = new Where().dimensions(query.filters as Filters, "p.");
  if (query.search !== "") where.contains("p.prompt", query.search);
  if (!PROMPT_OUTCOMES.has(query.filter) && query.filter !== "all") where.add("p.prompt_type = ?", query.filter);
  // Served by an exact hit, or by a semantic one, over the prompt's calls in the range.
  const outcome = (hits: string, semanticHits: string) => (query.filter === "exact" ? `${hits} > ${semanticHits}` : query.filter === "semantic" ? `${semanticHits} > 0` : "");
  const having = outcome("sum(d.hits)", "sum(d.semantic_hits)");
  const window = query.filters.window;
  if (!window) {
    if (having) where.add(outcome("p.hits", "p.semantic_hits"));
    const sql = `SELECT ${PROMPT_COLUMNS}, p.calls, p.hits, p.semantic_hits, p.tokens_saved, p.cost_saved_usd, p.cost_usd + p.embedding_cost_usd AS spent_usd, p.last_seen
                   FROM ecoai_dashboard_prompts p ${where}`;
    return { sql, params: where.params as (string | number)[] };
  }
  // The last 7, 30 or 90 days are kept per prompt: one row each, no adding up of days.
  const days = PROMPT_WINDOWS.find((w) => window.range === `${w}d`);
  if (days !== undefined) {
    where.add(`p.${windowColumn("calls", days)} > 0`);
    if (having) where.add(outcome(`p.${windowColumn("hits", days)}`, `p.${windowColumn("semantic_hits", days)}`));
    return { sql: `SELECT ${PROMPT_COLUMNS}, ${windowSelect(days)}, p.last_seen FROM ecoai_dashboard_prompts p ${where}`, params: where.params as (string | number)[] };
  }
  // Days are the finest grain kept per prompt: a range of hours reads the days it touches.
  where.add("d.period >= ? AND d.period <= ?", window.from.slice(0, 10), new Date(Date.parse(window.to) - 1).toISOString().slice(0, 10));
  const sql = `SELECT ${PROMPT_COLUMNS}, sum(d.calls) AS calls, sum(d.hits) AS hits, sum(d.semantic_hits) AS semantic_hits, sum(d.tokens_saved) AS tokens_saved,
                      sum(d.cost_saved_usd) AS cost_saved_usd, sum(d.cost_usd + d.embedding_cost_usd) AS spent_usd, max(d.last_seen) AS last_seen
                 FROM ecoai_dashboard_prompt_days d JOIN ecoai_dashboard_prompts p ON p.id = d.prompt_id
                ${where} GROUP BY d.prompt_id ${having ? `HAVING ${having}` : ""}`;
  return { sql, params: where.params as (string | number)[] };
}

const PROMPT_OUTCOMES = new Set<PromptFilter>(["exact", "semantic"]);

/** The page of distinct prompts a search and filters select, newest or most-hit first. */
export function queryPrompts(db: Database, query: PromptQuery): PromptPage {
  const { sql, params } = selectPrompts(query);
  const order = query.sort === "hits" ? "hits DESC, last_seen DESC" : "last_seen DESC, hits DESC";
  const total = Number(db.prepare(`SELECT count(*) AS n FROM (${sql})`).get(...params)!.n);
  const pages = Math.max(1, Math.ceil(total / PROMPTS_PER_PAGE));
  // A page past the end (an address kept from before a prune or a narrower search) is the last one.
  const page = Math.min(query.page, pages);
  const rows = db.prepare(`${sql} ORDER BY ${order}, id LIMIT ? OFFSET ?`).all(...params, PROMPTS_PER_PAGE, (page - 1) * PROMPTS_PER_PAGE);
  return { prompts: rows.map(toPromptRow), total, page, pageSize: PROMPTS_PER_PAGE, pages };
}

/** The prompts whose cached answers were served most often, under the filters. */
export function queryTopPrompts(db: Database, filters: PromptQuery["filters"], limit: number): PromptRow[] {
  const { sql, params } = selectPrompts({ search: "", filter: "all", filters });
  return db.prepare(`SELECT * FROM (${sql}) WHERE hits > 0 ORDER BY hits DESC, last_seen DESC LIMIT ?`).all(...params, limit).map(toPromptRow);
}

function toPromptRow(row: Row): PromptRow {
  const hits = Number(row.hits);
  const semanticHits = Number(row.semantic_hits);
  return {
    id: Number(row.id),
    prompt: String(row.prompt),
    model: String(row.model),
    provider: String(row.provider) as Provider,
    promptType: String(row.prompt_type) as PromptType,
    namespace: String(row.namespace),
    calls: Number(row.calls),
    hits,
    exactHits: hits - semanticHits,
    semanticHits,
    tokensSaved: Number(row.tokens_saved),
    costSavedUsd: Number(row.cost_saved_usd),
    spentUsd: Number(row.spent_usd),
    lastSeen: String(row.last_seen),
  };
}
