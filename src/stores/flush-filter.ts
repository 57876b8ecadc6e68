import type { CacheEntry, StoreFlushFilter } from "./store.ts";

/** Whether a stored entry falls under a flush filter; stores that cannot filter in their query use it. */
export function matchesFlushFilter(entry: Pick<CacheEntry, "model" | "namespace" | "prompt">, filter: StoreFlushFilter): boolean {
  if (filter.model !== undefined && entry.model !== filter.model) return false;
  if (filter.namespace !== undefined && entry.namespace !== filter.namespace) return false;
  return filter.matchPrompt ? filter.matchPrompt(entry.prompt) : true;
}
