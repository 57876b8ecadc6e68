/**
 * The prompt index as of the newest row: the in-memory index (current to the last fold) and the
 * rows written since, added up per prompt and day for one request and added to a prompt's sums as
 * they are read. Nothing of the index is copied, so a request after a thousand new rows costs
 * those rows, never the fifty thousand prompts.
 * @module
 */
import type { Database } from "../sqlite/database.ts";
import { PromptIndex, toPrompt, type IndexedPrompt, type PromptDay, type RangeSums } from "./prompt-index.ts";
import type { Tail } from "./tail.ts";

/** A prompt's key, as the prompts page and the request log name it. */
export interface PromptKey {
  prompt: string;
  provider: string;
  model: string;
  promptType: string;
  namespace: string;
}

/** One day of one prompt in the tail: its sums, and its last call as logged. */
interface TailDay extends Omit<RangeSums, "lastDay"> {
  /** Rank of the day (see `PromptIndex.periods`). */
  day: number;
  lastSeen: string;
}

/**
 * The tail's rows per day and prompt, with the prompt's id when the tables know it (a known prompt
 * is grouped by its id alone), and the first row of each (new prompts are numbered in the order
 * they first came).
 */
const TAIL_DAYS_SQL = `SELECT substr(u.timestamp, 1, 10) AS period, p.id AS id, u.prompt, u.provider, u.model, u.prompt_type, u.namespace,
    count(*) AS calls, sum(u.cache_hit) AS hits, sum(u.semantic_hit) AS semantic_hits, sum(u.tokens_saved) AS tokens_saved,
    sum(u.cost_saved_usd) AS cost_saved_usd, coalesce(sum(u.cost_usd), 0) + sum(u.embedding_cost_usd) AS spent_usd,
    max(u.timestamp) AS last_seen, round((julianday(max(u.timestamp)) - 2440587.5) * 86400000) AS last_seen_ms, min(u.id) AS first_row
  FROM usage_log u LEFT JOIN ecoai_dashboard_prompts p
    ON p.prompt = u.prompt AND p.model = u.model AND p.provider = u.provider AND p.prompt_type = u.prompt_type AND p.namespace = u.namespace
 WHERE u.id > ? AND u.id <= ?
 GROUP BY 1, p.id, iif(p.id IS NULL, u.prompt, NULL), iif(p.id IS NULL, u.provider, NULL), iif(p.id IS NULL, u.model, NULL), iif(p.id IS NULL, u.prompt_type, NULL), iif(p.id IS NULL, u.namespace, NULL)
 ORDER BY first_row`;

export class PromptView {
  private constructor(
    readonly index: PromptIndex,
    /** The tail's days per prompt. */
    private readonly tail: Map<number, TailDay[]>,
    /** Prompts the index does not hold (first logged in the tail, or folded by another dashboard since). */
    private readonly added: Map<number, IndexedPrompt>,
  ) {}

  /** The index as it stands (no rows written since its last fold). */
  static of(index: PromptIndex): PromptView {
    return new PromptView(index, new Map(), new Map());
  }

  /** The index with the tail's rows added; run inside the read that the tail was measured in. */
  static withTail(db: Database, index: PromptIndex, tail: Tail): PromptView {
    if (tail.upTo <= tail.after) return PromptView.of(index);
    const rows = db.prepare(TAIL_DAYS_SQL).all(tail.after, tail.upTo);
    // Every day first: ranking a day between known ones moves the ranks of later ones.
    for (const row of rows) index.addPeriod(String(row.period));
    const days = new Map<number, TailDay[]>();
    const added = new Map<number, IndexedPrompt>();
    const ids = new Map<string, number>();
    let nextId = Number(db.prepare("SELECT coalesce(max(id), 0) AS id FROM ecoai_dashboard_prompts").get()!.id);
    for (const row of rows) {
      let id: number;
      if (row.id !== null && row.id !== undefined) id = Number(row.id);
      else {
        const key = JSON.stringify([row.prompt, row.provider, row.model, row.prompt_type, row.namespace]);
        id = ids.get(key) ?? ++nextId;
        ids.set(key, id);
      }
      if (!index.prompts.has(id) && !added.has(id)) added.set(id, toPrompt({ ...row, id }));
      let list = days.get(id);
      if (!list) days.set(id, (list = []));
      list.push({
        day: index.rankOf(String(row.period))!,
        calls: Number(row.calls),
        hits: Number(row.hits),
        semanticHits: Number(row.semantic_hits),
        tokensSaved: Number(row.tokens_saved),
        costSavedUsd: Number(row.cost_saved_usd),
        spentUsd: Number(row.spent_usd),
        // A timestamp that does not parse sorts before every other of its day (as in the index).
        lastSeenMs: row.last_seen_ms === null || row.last_seen_ms === undefined ? Number.NEGATIVE_INFINITY : Number(row.last_seen_ms),
        lastSeen: String(row.last_seen),
      });
    }
    return new PromptView(index, days, added);
  }

  /** Every day some prompt was called, ascending. */
  get periods(): string[] {
    return this.index.periods;
  }

  /** Passes every prompt to `visit`. */
  each(visit: (prompt: IndexedPrompt) => void): void {
    for (const prompt of this.index.prompts.values()) visit(prompt);
    for (const prompt of this.added.values()) visit(prompt);
  }

  /** The prompts the tail has rows of (the only ones whose sums differ from the index's). */
  *tailPrompts(): Generator<IndexedPrompt> {
    for (const id of this.tail.keys()) {
      const prompt = this.index.prompts.get(id) ?? this.added.get(id);
      if (prompt) yield prompt;
    }
  }

  /** A prompt's sums over the days ranked `first` to `last`, the tail's included, into `into`; false when it has none then. */
  sumDays(prompt: IndexedPrompt, first: number, last: number, into: RangeSums): boolean {
    let found = PromptIndex.sumDays(prompt, first, last, into);
    const tail = this.tail.get(prompt.id);
    if (!tail) return found;
    if (!found) {
      into.calls = into.hits = into.semanticHits = into.tokensSaved = into.costSavedUsd = into.spentUsd = 0;
      into.lastDay = -1;
      into.lastSeenMs = Number.NEGATIVE_INFINITY;
    }
    for (const day of tail) {
      if (day.day < first || day.day > last) continue;
      found = true;
      into.calls += day.calls;
      into.hits += day.hits;
      into.semanticHits += day.semanticHits;
      into.tokensSaved += day.tokensSaved;
      into.costSavedUsd += day.costSavedUsd;
      into.spentUsd += day.spentUsd;
      if (day.day > into.lastDay) {
        into.lastDay = day.day;
        into.lastSeenMs = day.lastSeenMs;
      } else if (day.day === into.lastDay) into.lastSeenMs = Math.max(into.lastSeenMs, day.lastSeenMs);
    }
    return found;
  }

  /** The id of a prompt the index does not hold yet, by its whole key. */
  findNew(key: PromptKey): number | undefined {
    for (const prompt of this.added.values()) {
      if (prompt.prompt === key.prompt && prompt.provider === key.provider && prompt.model === key.model && prompt.promptType === key.promptType && prompt.namespace === key.namespace) return prompt.id;
    }
    return undefined;
  }

  dayRange(days?: { from: string; to: string }): { first: number; last: number } | null {
    return this.index.dayRange(days);
  }

  /** A prompt's days from `from` to `to`, newest first, the tail's included. */
  daysOf(id: number, days: { from: string; to: string }): PromptDay[] {
    const out = this.index.daysOf(id, days, this.index.prompts.get(id) ?? this.added.get(id));
    const tail = this.tail.get(id);
    const ranks = this.dayRange(days);
    if (!tail || !ranks) return out;
    for (const day of tail) {
      if (day.day < ranks.first || day.day > ranks.last) continue;
      const period = this.periods[day.day]!;
      const known = out.find((entry) => entry.period === period);
      if (known) {
        known.calls += day.calls;
        known.hits += day.hits;
        known.semanticHits += day.semanticHits;
      } else out.push({ period, calls: day.calls, hits: day.hits, semanticHits: day.semanticHits });
    }
    return out.sort((a, b) => (a.period < b.period ? 1 : -1));
  }

  /** The later of `folded` (the tables' last call of a prompt's day) and the tail's. */
  lastSeenOf(period: string, id: number, folded: string): string {
    let latest = folded;
    for (const day of this.tail.get(id) ?? []) if (this.periods[day.day] === period && day.lastSeen > latest) latest = day.lastSeen;
    return latest;
  }
}
