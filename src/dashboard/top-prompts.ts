/**
 * The overview's top prompts (most hits first) without walking every prompt per request: the first
 * prompts of a range and filters are kept beside the prompt index, as of its last fold, and kept
 * current as folds add to prompts' days. Adding calls only moves a prompt up (more hits, or a later
 * last call), so the first `limit` prompts after some calls are among those kept and the prompts
 * those calls were of: a request re-sums the kept ones and the tail's, a fold the prompts it changed.
 * @module
 */
import { emptySums, sumDays, type IndexedPrompt } from "./indexed-prompt.ts";
import type { PromptIndex } from "./prompt-index.ts";
import { byHits, FirstInOrder, type Match } from "./prompt-order.ts";
import type { PromptView } from "./prompt-view.ts";

/** What the top prompts can be filtered by besides the range. */
export interface TopFilters {
  provider?: string | undefined;
  model?: string | undefined;
  namespace?: string | undefined;
}

/** The first prompts of one range (day ranks) and filters, as of the index's last fold. */
interface Kept {
  first: number;
  last: number;
  filters: TopFilters;
  limit: number;
  matches: Match[];
}

/** Lists kept per index: the ranges and filters asked for lately, the least recently asked dropped first. */
const KEPT_LISTS = 16;

const lists = new WeakMap<PromptIndex, Map<string, Kept>>();

/** Whether a prompt is of the provider, model and namespace the filters name (each when named). */
export function matchesDimensions(prompt: IndexedPrompt, filters: TopFilters): boolean {
  return (filters.provider === undefined || prompt.provider === filters.provider) && (filters.model === undefined || prompt.model === filters.model) && (filters.namespace === undefined || prompt.namespace === filters.namespace);
}

/** The lists kept for an index, followed as its folds change prompts. */
function keptFor(index: PromptIndex): Map<string, Kept> {
  const kept = lists.get(index);
  if (kept) return kept;
  const made = new Map<string, Kept>();
  lists.set(index, made);
  index.watch((id) => {
    if (id === undefined) return made.clear();
    const prompt = index.prompts.get(id);
    if (prompt) for (const list of made.values()) improved(list, prompt);
  });
  return made;
}

/** Takes a prompt whose sums grew into a list: it may now be among the first. */
function improved(list: Kept, prompt: IndexedPrompt): void {
  if (!matchesDimensions(prompt, list.filters)) return;
  const sums = emptySums();
  if (!sumDays(prompt, list.first, list.last, sums) || sums.hits <= 0) return;
  const at = list.matches.findIndex((match) => match.prompt.id === prompt.id);
  if (at >= 0) list.matches[at] = { prompt, sums };
  else list.matches.push({ prompt, sums });
  list.matches.sort(byHits);
  list.matches.length = Math.min(list.matches.length, list.limit);
}

/** The first `limit` prompts with hits of the index alone (no tail) over the days ranked `first` to `last`. */
function walk(index: PromptIndex, first: number, last: number, filters: TopFilters, limit: number): Match[] {
  const heap = new FirstInOrder(limit, byHits);
  const sums = emptySums();
  for (const prompt of index.prompts.values()) {
    if (!matchesDimensions(prompt, filters)) continue;
    if (sumDays(prompt, first, last, sums) && sums.hits > 0) heap.offer(prompt, sums);
  }
  return heap.take(0);
}

/**
 * The first `limit` prompts with hits, most hits first, over the days ranked `first` to `last` of
 * a view (the index and its tail), under the filters.
 */
export function topPrompts(view: PromptView, first: number, last: number, filters: TopFilters, limit: number): Match[] {
  const kept = keptFor(view.index);
  const key = JSON.stringify([first, last, filters.provider ?? null, filters.model ?? null, filters.namespace ?? null, limit]);
  let list = kept.get(key);
  if (list) kept.delete(key);
  else list = { first, last, filters, limit, matches: walk(view.index, first, last, filters, limit) };
  kept.set(key, list);
  if (kept.size > KEPT_LISTS) kept.delete(kept.keys().next().value!);
  const heap = new FirstInOrder(limit, byHits);
  const sums = emptySums();
  const offered = new Set<number>();
  const offer = (prompt: IndexedPrompt) => {
    if (offered.has(prompt.id) || !matchesDimensions(prompt, filters)) return;
    offered.add(prompt.id);
    if (view.sumDays(prompt, first, last, sums) && sums.hits > 0) heap.offer(prompt, sums);
  };
  for (const match of list.matches) offer(match.prompt);
  for (const prompt of view.tailPrompts()) offer(prompt);
  return heap.take(0);
}
