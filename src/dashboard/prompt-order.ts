/**
 * The orders the prompt lists are sorted in, and the bounded heap that keeps the first prompts of
 * an order out of tens of thousands offered.
 * @module
 */
import { emptySums, type IndexedPrompt, type RangeSums } from "./indexed-prompt.ts";

/** A prompt the query selects, with its sums over the range (over all its days when it has none). */
export interface Match {
  prompt: IndexedPrompt;
  sums: RangeSums;
}

/** Newest first: the last day, then the last call of that day, then the most hits, then the oldest prompt. */
export const byRecent = (a: Match, b: Match) => b.sums.lastDay - a.sums.lastDay || b.sums.lastSeenMs - a.sums.lastSeenMs || b.sums.hits - a.sums.hits || a.prompt.id - b.prompt.id;
/** Most hits first, then newest, then the oldest prompt. */
export const byHits = (a: Match, b: Match) => b.sums.hits - a.sums.hits || b.sums.lastDay - a.sums.lastDay || b.sums.lastSeenMs - a.sums.lastSeenMs || a.prompt.id - b.prompt.id;

/**
 * Keeps the first `keep` prompts in `order` of those offered: a bounded heap whose root is the
 * worst kept so far, so page 1 of fifty thousand prompts keeps (and copies the sums of) a few dozen.
 */
export class FirstInOrder {
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

