import type { Database, Row, SqlValue } from "../sqlite/database.ts";
import type { PromptType, Provider } from "../types.ts";

/** Prompt-list filters: every prompt, those served by an exact or a semantic hit, or one prompt type. */
export const PROMPT_FILTERS = ["all", "exact", "semantic", "text", "image", "audio", "file", "tool", "structured", "image_output"] as const;
export type PromptFilter = (typeof PROMPT_FILTERS)[number];
export const PROMPT_SORTS = ["recent", "hits"] as const;
export type PromptSort = (typeof PROMPT_SORTS)[number];
export const PROMPTS_PER_PAGE = 25;

/** One distinct prompt (per model, provider and type) with what its calls saved. */
export interface PromptRow {
  prompt: string;
  model: string;
  provider: Provider;
  promptType: PromptType;
  calls: number;
  hits: number;
  exactHits: number;
  semanticHits: number;
  tokensSaved: number;
  costSavedUsd: number;
  lastSeen: string;
}

export interface PromptQuery {
  search: string;
  filter: PromptFilter;
  sort: PromptSort;
  /** 1-based. */
  page: number;
}

export interface PromptPage {
  prompts: PromptRow[];
  total: number;
  page: number;
  pageSize: number;
  pages: number;
}

/** Breakdown of calls and hits by one dimension. */
export interface CallsBy<K extends string> {
  key: K;
  calls: number;
  hits: number;
  semanticHits: number;
  tokensSaved: number;
  costSavedUsd: number;
  co2SavedG: number;
}

export interface DayPoint {
  /** YYYY-MM-DD, UTC. */
  day: string;
  calls: number;
  hits: number;
  semanticHits: number;
  hitRate: number;
}

/** The page of distinct prompts a search and filter select, newest or most-hit first. */
export function queryPrompts(db: Database, query: PromptQuery): PromptPage {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (query.search !== "") {
    where.push("prompt LIKE ? ESCAPE '\\'");
    params.push(`%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  if (query.filter === "exact") where.push("hits > semantic_hits");
  else if (query.filter === "semantic") where.push("semantic_hits > 0");
  else if (query.filter !== "all") {
    where.push("prompt_type = ?");
    params.push(query.filter);
  }
  const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const order = query.sort === "hits" ? "hits DESC, last_seen DESC" : "last_seen DESC, hits DESC";
  const total = Number(db.prepare(`SELECT count(*) AS n FROM ecoai_dashboard_prompts ${clause}`).get(...params)!.n);
  const pages = Math.max(1, Math.ceil(total / PROMPTS_PER_PAGE));
  // A page past the end (an address kept from before a prune or a narrower search) is the last one.
  const page = Math.min(query.page, pages);
  const rows = db
    .prepare(`SELECT * FROM ecoai_dashboard_prompts ${clause} ORDER BY ${order} LIMIT ? OFFSET ?`)
    .all(...params, PROMPTS_PER_PAGE, (page - 1) * PROMPTS_PER_PAGE);
  return { prompts: rows.map(toPromptRow), total, page, pageSize: PROMPTS_PER_PAGE, pages };
}

/** The prompts whose cached answers were served most often. */
export function queryTopPrompts(db: Database, limit: number): PromptRow[] {
  return db.prepare("SELECT * FROM ecoai_dashboard_prompts WHERE hits > 0 ORDER BY hits DESC, last_seen DESC LIMIT ?").all(limit).map(toPromptRow);
}

function toPromptRow(row: Row): PromptRow {
  const hits = Number(row.hits);
  const semanticHits = Number(row.semantic_hits);
  return {
    prompt: String(row.prompt),
    model: String(row.model),
    provider: String(row.provider) as Provider,
    promptType: String(row.prompt_type) as PromptType,
    calls: Number(row.calls),
    hits,
    exactHits: hits - semanticHits,
    semanticHits,
    tokensSaved: Number(row.tokens_saved),
    costSavedUsd: Number(row.cost_saved_usd),
    lastSeen: String(row.last_seen),
  };
}

/** Calls, hits and savings grouped by provider, model or prompt type, largest first. */
export function queryCallsBy<K extends string>(db: Database, column: "provider" | "model" | "prompt_type", limit = 50): CallsBy<K>[] {
  return db
    .prepare(
      `SELECT ${column} AS key, sum(calls) AS calls, sum(hits) AS hits, sum(semantic_hits) AS semantic_hits,
              sum(tokens_saved) AS tokens_saved, sum(cost_saved_usd) AS cost_saved_usd, sum(co2_saved_g) AS co2_saved_g
         FROM ecoai_dashboard_daily GROUP BY ${column} ORDER BY calls DESC, key LIMIT ?`,
    )
    .all(limit)
    .map((row) => ({
      key: String(row.key) as K,
      calls: Number(row.calls),
      hits: Number(row.hits),
      semanticHits: Number(row.semantic_hits),
      tokensSaved: Number(row.tokens_saved),
      costSavedUsd: Number(row.cost_saved_usd),
      co2SavedG: Number(row.co2_saved_g),
    }));
}

/** Calls and hit rate per UTC day for the `days` days ending `today`, days without calls included. */
export function queryTimeseries(db: Database, days: number, today: Date = new Date()): DayPoint[] {
  const end = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const dayOf = (offset: number) => new Date(end - offset * 86_400_000).toISOString().slice(0, 10);
  const first = dayOf(days - 1);
  const rows = db
    .prepare(
      `SELECT day, sum(calls) AS calls, sum(hits) AS hits, sum(semantic_hits) AS semantic_hits
         FROM ecoai_dashboard_daily WHERE day >= ? AND day <= ? GROUP BY day`,
    )
    .all(first, dayOf(0));
  const byDay = new Map(rows.map((row) => [String(row.day), row]));
  return Array.from({ length: days }, (_, i) => {
    const day = dayOf(days - 1 - i);
    const row = byDay.get(day);
    const calls = Number(row?.calls ?? 0);
    const hits = Number(row?.hits ?? 0);
    return { day, calls, hits, semanticHits: Number(row?.semantic_hits ?? 0), hitRate: calls === 0 ? 0 : hits / calls };
  });
}
