import type { Database } from "../sqlite/database.ts";
import type { PromptType, Provider } from "../types.ts";
import type { Filters } from "./filters.ts";
import { emptySums, foldAscii, type IndexedPrompt, type RangeSums } from "./prompt-index.ts";
import type { PromptView } from "./prompt-view.ts";

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

/**
 * Offers each prompt a query selects, with its sums over the range, to `visit` (in no particular
 * order; `sums` is reused, copy what you keep); returns how many there were.
 */
function selectPrompts(index: PromptView, query: Pick<PromptQuery, "search" | "filter" | "filters">, visit: (prompt: IndexedPrompt, sums: RangeSums) => void): number {
  const { provider, model, namespace, window } = query.filters;
  const type = query.filter === "all" || PROMPT_OUTCOMES.has(query.filter) ? undefined : query.filter;
  const search = query.search === "" ? undefined : foldAscii(query.search);
  const ranks = index.dayRange(window ? rangeDays(window) : undefined);
  if (!ranks) return 0;
  const sums = emptySums();
  let selected = 0;
  index.each((prompt) => {
    if (provider !== undefined && prompt.provider !== provider) return;
    if (model !== undefined && prompt.model !== model) return;
    if (namespace !== undefined && prompt.namespace !== namespace) return;
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

/**
 * Keeps the first `keep` prompts in `order` of those offered: a bounded heap whose root is the
 * worst kept so far, so page 1 of fifty thousand prompts keeps (and copies the sums of) a few dozen.
 */
class FirstInOrder {
  private readonly heap: Match[] = [];
  private readonly probe: Match = { prompt: undefined as unknown as IndexedPrompt, sums: emptySums() };

  constructor(
    private readonly keep: number,
    private readonly order: (a: Match, b: Match) => number,
  ) {}

  offer(prompt: IndexedPrompt, sums: RangeSums): void {
    const { heap, order } = this;
    if (heap.length < this.keep) {
      heap.push({ prompt, sums: { ...sums } });
      for (let i = heap.length - 1; i > 0 && order(heap[i]!, heap[(i - 1) >> 1]!) > 0; i = (i - 1) >> 1) this.swap(i, (i - 1) >> 1);
      return;
    }
    this.probe.prompt = prompt;
    this.probe.sums = sums;
    if (heap.length === 0 || order(this.probe, heap[0]!) >= 0) return;
    heap[0] = { prompt, sums: { ...sums } };
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < heap.length && order(heap[left]!, heap[worst]!) > 0) worst = left;
      if (right < heap.length && order(heap[right]!, heap[worst]!) > 0) worst = right;
      if (worst === i) break;
      this.swap(i, worst);
      i = worst;
    }
  }

  /** What was kept, in order, from the `skip`th on. */
  take(skip: number): Match[] {
    return this.heap.sort(this.order).slice(skip);
  }

  private swap(i: number, j: number): void {
    const held = this.heap[i]!;
    this.heap[i] = this.heap[j]!;
    this.heap[j] = held;
  }
}

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
  const first = new FirstInOrder(limit, byHits);
  selectPrompts(index, { search: "", filter: "all", filters }, (prompt, sums) => {
    if (sums.hits > 0) first.offer(prompt, sums);
  });
  return toRows(db, index, first.take(0));
}
