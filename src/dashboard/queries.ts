import type { Database } from "../sqlite/database.ts";
import type { PromptType, Provider } from "../types.ts";
import type { Filters } from "./filters.ts";
import { emptySums, foldAscii, type IndexedPrompt, type RangeSums } from "./indexed-prompt.ts";
import { byHits, byRecent, FirstInOrder, type Match } from "./prompt-order.ts";
import type { PromptView } from "./prompt-view.ts";
import { matchesDimensions, topPrompts } from "./top-prompts.ts";

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

/** The days a range covers, as the per-prompt days are kept: a range of hours reads the days it touches. */
function rangeDays(window: NonNullable<PromptQuery["filters"]["window"]>): { from: string; to: string } {
  return { from: window.from.slice(0, 10), to: new Date(Date.parse(window.to) - 1).toISOString().slice(0, 10) };
}

/**
 * Offers each prompt a query selects, with its sums over the range, to `visit` (in no particular
 * order; `sums` is reused, copy what you keep); returns how many there were.
 */
function selectPrompts(index: PromptView, query: Pick<PromptQuery, "search" | "filter" | "filters">, visit: (prompt: IndexedPrompt, sums: RangeSums) => void): number {
  const { window } = query.filters;
  const type = query.filter === "all" || PROMPT_OUTCOMES.has(query.filter) ? undefined : query.filter;
  const search = query.search === "" ? undefined : foldAscii(query.search);
  const ranks = index.dayRange(window ? rangeDays(window) : undefined);
  if (!ranks) return 0;
  const sums = emptySums();
  let selected = 0;
  index.each((prompt) => {
    if (!matchesDimensions(prompt, query.filters)) return;
    if (type !== undefined && prompt.promptType !== type) return;
    if (search !== undefined && !prompt.folded.includes(search)) return;
    if (!index.sumDays(prompt, ranks.first, ranks.last, sums)) return;
    // Served by an exact hit, or by a semantic one, over the prompt's calls in the range.
    if (query.filter === "exact" && !(sums.hits > sums.semanticHits)) return;
    if (query.filter === "semantic" && !(sums.semanticHits > 0)) return;
    selected++;
    visit(prompt, sums);
  });
  return selected;
}

const PROMPT_OUTCOMES = new Set<PromptFilter>(["exact", "semantic"]);

/** The rows of a page, each prompt's last call in the range read back as the log spells it. */
function toRows(db: Database, index: PromptView, matches: Match[]): PromptRow[] {
  const lastSeen = db.prepare("SELECT last_seen FROM ecoai_dashboard_prompt_days WHERE period = ? AND prompt_id = ?");
  return matches.map(({ prompt, sums }) => ({
    id: prompt.id,
    prompt: prompt.prompt,
    model: prompt.model,
    provider: prompt.provider,
    promptType: prompt.promptType,
    namespace: prompt.namespace,
    calls: sums.calls,
    hits: sums.hits,
    exactHits: sums.hits - sums.semanticHits,
    semanticHits: sums.semanticHits,
    tokensSaved: sums.tokensSaved,
    costSavedUsd: sums.costSavedUsd,
    spentUsd: sums.spentUsd,
    lastSeen: index.lastSeenOf(index.periods[sums.lastDay]!, prompt.id, String(lastSeen.get(index.periods[sums.lastDay]!, prompt.id)?.last_seen ?? "")),
  }));
}

/** The page of distinct prompts a search and filters select, newest or most-hit first. */
export function queryPrompts(index: PromptView, db: Database, query: PromptQuery): PromptPage {
  const order = query.sort === "hits" ? byHits : byRecent;
  let first = new FirstInOrder(query.page * PROMPTS_PER_PAGE, order);
  const total = selectPrompts(index, query, (prompt, sums) => first.offer(prompt, sums));
  const pages = Math.max(1, Math.ceil(total / PROMPTS_PER_PAGE));
  // A page past the end (an address kept from before a prune or a narrower search) is the last one.
  const page = Math.min(query.page, pages);
  if (page < query.page) {
    first = new FirstInOrder(page * PROMPTS_PER_PAGE, order);
    selectPrompts(index, query, (prompt, sums) => first.offer(prompt, sums));
  }
  return { prompts: toRows(db, index, first.take((page - 1) * PROMPTS_PER_PAGE)), total, page, pageSize: PROMPTS_PER_PAGE, pages };
}

/** The prompts whose cached answers were served most often, under the filters. */
export function queryTopPrompts(index: PromptView, db: Database, filters: PromptQuery["filters"], limit: number): PromptRow[] {
  const ranks = index.dayRange(filters.window ? rangeDays(filters.window) : undefined);
  if (!ranks) return [];
  const dimensions = { provider: filters.provider, model: filters.model, namespace: filters.namespace };
  return toRows(db, index, topPrompts(index, ranks.first, ranks.last, dimensions, limit));
}
