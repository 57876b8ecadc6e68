import type { Database } from "../sqlite/database.ts";
import type { PromptType, Provider } from "../types.ts";
import type { Filters } from "./filters.ts";
import { emptySums, foldAscii, PromptIndex, type IndexedPrompt, type RangeSums } from "./prompt-index.ts";

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

/** A prompt the query selects, with its sums over the range (over all its days when it has none). */
interface Match {
  prompt: IndexedPrompt;
  sums: RangeSums;
}

/** Newest first: the last day, then the last call of that day, then the most hits, then the oldest prompt. */
const byRecent = (a: Match, b: Match) => b.sums.lastDay - a.sums.lastDay || b.sums.lastSeenMs - a.sums.lastSeenMs || b.sums.hits - a.sums.hits || a.prompt.id - b.prompt.id;
/** Most hits first, then newest, then the oldest prompt. */
const byHits = (a: Match, b: Match) => b.sums.hits - a.sums.hits || b.sums.lastDay - a.sums.lastDay || b.sums.lastSeenMs - a.sums.lastSeenMs || a.prompt.id - b.prompt.id;

/** The days a range covers, as the per-prompt days are kept: a range of hours reads the days it touches. */
function rangeDays(window: NonNullable<PromptQuery["filters"]["window"]>): { from: string; to: string } {
  return { from: window.from.slice(0, 10), to: new Date(Date.parse(window.to) - 1).toISOString().slice(0, 10) };
}

/** The prompts a query selects, each with its sums over the range, in no particular order. */
function selectPrompts(index: PromptIndex, query: Pick<PromptQuery, "search" | "filter" | "filters">): Match[] {
  const { provider, model, namespace, window } = query.filters;
  const type = query.filter === "all" || PROMPT_OUTCOMES.has(query.filter) ? undefined : query.filter;
  const search = query.search === "" ? undefined : foldAscii(query.search);
  const ranks = index.dayRange(window ? rangeDays(window) : undefined);
  const matches: Match[] = [];
  if (!ranks) return matches;
  let sums = emptySums();
  for (const prompt of index.prompts.values()) {
    if (provider !== undefined && prompt.provider !== provider) continue;
    if (model !== undefined && prompt.model !== model) continue;
    if (namespace !== undefined && prompt.namespace !== namespace) continue;
    if (type !== undefined && prompt.promptType !== type) continue;
    if (search !== undefined && !prompt.folded.includes(search)) continue;
    if (!PromptIndex.sumDays(prompt, ranks.first, ranks.last, sums)) continue;
    // Served by an exact hit, or by a semantic one, over the prompt's calls in the range.
    if (query.filter === "exact" && !(sums.hits > sums.semanticHits)) continue;
    if (query.filter === "semantic" && !(sums.semanticHits > 0)) continue;
    matches.push({ prompt, sums });
    sums = emptySums();
  }
  return matches;
}

const PROMPT_OUTCOMES = new Set<PromptFilter>(["exact", "semantic"]);

/**
 * The first `count` matches in order, from `skip` on: a bounded heap keeps the best `skip + count`
 * seen, so page 1 of fifty thousand prompts sorts 25 of them, not all.
 */
function firstInOrder(matches: Match[], order: (a: Match, b: Match) => number, skip: number, count: number): Match[] {
  const keep = skip + count;
  if (keep * 4 >= matches.length) return matches.sort(order).slice(skip, keep);
  // A max-heap under `order`: its root is the worst of the best `keep` so far.
  const heap: Match[] = [];
  const worse = (i: number, j: number) => order(heap[i]!, heap[j]!) > 0;
  const swap = (i: number, j: number) => ([heap[i], heap[j]] = [heap[j]!, heap[i]!]);
  for (const match of matches) {
    if (heap.length < keep) {
      heap.push(match);
      for (let i = heap.length - 1; i > 0 && worse(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
    } else if (order(match, heap[0]!) < 0) {
      heap[0] = match;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let top = i;
        if (left < heap.length && worse(left, top)) top = left;
        if (right < heap.length && worse(right, top)) top = right;
        if (top === i) break;
        swap(i, top);
        i = top;
      }
    }
  }
  return heap.sort(order).slice(skip, keep);
}

/** The rows of a page, each prompt's last call in the range read back as the log spells it. */
function toRows(db: Database, index: PromptIndex, matches: Match[]): PromptRow[] {
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
    lastSeen: String(lastSeen.get(index.periods[sums.lastDay]!, prompt.id)?.last_seen ?? ""),
  }));
}

/** The page of distinct prompts a search and filters select, newest or most-hit first. */
export function queryPrompts(index: PromptIndex, db: Database, query: PromptQuery): PromptPage {
  const matches = selectPrompts(index, query);
  const total = matches.length;
  const pages = Math.max(1, Math.ceil(total / PROMPTS_PER_PAGE));
  // A page past the end (an address kept from before a prune or a narrower search) is the last one.
  const page = Math.min(query.page, pages);
  const shown = firstInOrder(matches, query.sort === "hits" ? byHits : byRecent, (page - 1) * PROMPTS_PER_PAGE, PROMPTS_PER_PAGE);
  return { prompts: toRows(db, index, shown), total, page, pageSize: PROMPTS_PER_PAGE, pages };
}

/** The prompts whose cached answers were served most often, under the filters. */
export function queryTopPrompts(index: PromptIndex, db: Database, filters: PromptQuery["filters"], limit: number): PromptRow[] {
  const matches = selectPrompts(index, { search: "", filter: "all", filters }).filter((match) => match.sums.hits > 0);
  return toRows(db, index, firstInOrder(matches, byHits, 0, limit));
}
