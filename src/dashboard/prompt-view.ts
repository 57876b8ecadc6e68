/**
 * The prompt index as of the newest row: the in-memory index (current to the last fold) and the
 * rows written since, added up per prompt and day for one request and added to a prompt's sums as
 * they are read. Nothing of the index is copied, so a request after a thousand new rows costs
 * those rows, never the fifty thousand prompts.
 * @module
 */
import type { Database, Statement } from "../sqlite/database.ts";
import { isPromptOf, sumDays, toPrompt, type IndexedPrompt, type PromptKey, type RangeSums } from "./indexed-prompt.ts";
import type { PromptDay, PromptIndex } from "./prompt-index.ts";
import { PROMPT_ID_SQL } from "./rollup-schema.ts";
import type { Tail } from "./tail.ts";

/** One day of one prompt in the tail: its sums, and its last call as logged. */
interface TailDay extends Omit<RangeSums, "lastDay"> {
  /** Rank of the day (see `PromptIndex.periods`). */
  day: number;
  lastSeen: string;
}

/**
 * The tail's rows, oldest first, with what the per-prompt days keep of them: each row's day, and its
 * time in ms as SQLite parses it (NULL when it does not parse), taken for the day's last call.
 */
const TAIL_ROWS_SQL = `SELECT substr(timestamp, 1, 10) AS period, timestamp, round((julianday(timestamp) - 2440587.5) * 86400000) AS ms,
    prompt, provider, model, prompt_type, namespace, cache_hit, semantic_hit, tokens_saved, cost_saved_usd, cost_usd, embedding_cost_usd
  FROM usage_log WHERE id > ? AND id <= ? ORDER BY id`;

/** A tail day as it is added up: its day by name until every day of the tail is ranked, its spending in two parts as SQL adds them. */
interface Adding extends TailDay {
  period: string;
  costUsd: number;
  embeddingCostUsd: number;
}

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

  /**
   * The index with the tail's rows added; run inside the read that the tail was measured in. The
   * rows are read once and added up here per prompt and day: each finds its prompt by its key in
   * the index (a prompt new to it is looked up in the tables once, or numbered in the order new
   * prompts first came, as the fold will number them).
   */
  static withTail(db: Database, index: PromptIndex, tail: Tail): PromptView {
    if (tail.upTo <= tail.after) return PromptView.of(index);
    const adding = new Map<number, Adding[]>();
    const added = new Map<number, IndexedPrompt>();
    const notHeld = new Map<string, number>();
    /** Finds a prompt the index does not hold in the tables (folded by another dashboard since, or not at all): prepared once a tail. */
    let foldedId: Statement | undefined;
    let nextId: number | undefined;
    for (const row of db.prepare(TAIL_ROWS_SQL).all(tail.after, tail.upTo)) {
      const key: PromptKey = { prompt: String(row.prompt), provider: String(row.provider), model: String(row.model), promptType: String(row.prompt_type), namespace: String(row.namespace) };
      let id = index.find(key)?.id;
      if (id === undefined) {
        const name = JSON.stringify([key.prompt, key.provider, key.model, key.promptType, key.namespace]);
        id = notHeld.get(name);
        if (id === undefined) {
          const folded = (foldedId ??= db.prepare(PROMPT_ID_SQL)).get(key.prompt, key.model, key.provider, key.promptType, key.namespace);
          nextId ??= Number(db.prepare("SELECT coalesce(max(id), 0) AS id FROM ecoai_dashboard_prompts").get()!.id);
          id = folded ? Number(folded.id) : ++nextId;
          notHeld.set(name, id);
          if (!index.prompts.has(id)) added.set(id, toPrompt({ ...row, id }));
        }
      }
      let list = adding.get(id);
      if (!list) adding.set(id, (list = []));
      const period = String(row.period);
      let day = list.find((entry) => entry.period === period);
      if (!day) list.push((day = { period, day: -1, calls: 0, hits: 0, semanticHits: 0, tokensSaved: 0, costSavedUsd: 0, spentUsd: 0, costUsd: 0, embeddingCostUsd: 0, lastSeenMs: Number.NEGATIVE_INFINITY, lastSeen: "" }));
      day.calls += 1;
      day.hits += Number(row.cache_hit);
      day.semanticHits += Number(row.semantic_hit);
      day.tokensSaved += Number(row.tokens_saved);
      day.costSavedUsd += Number(row.cost_saved_usd);
      day.costUsd += Number(row.cost_usd ?? 0);
      day.embeddingCostUsd += Number(row.embedding_cost_usd);
      const timestamp = String(row.timestamp);
      if (day.calls === 1 || timestamp > day.lastSeen) {
        day.lastSeen = timestamp;
        // A timestamp that does not parse sorts before every other of its day (as in the index).
        day.lastSeenMs = row.ms === null || row.ms === undefined ? Number.NEGATIVE_INFINITY : Number(row.ms);
      }
    }
    // Every day first: ranking a day between known ones moves the ranks of later ones.
    for (const list of adding.values()) for (const day of list) index.addPeriod(day.period);
    const days = new Map<number, TailDay[]>();
    for (const [id, list] of adding) {
      days.set(id, list.map(({ period, costUsd, embeddingCostUsd, ...day }) => ({ ...day, day: index.rankOf(period)!, spentUsd: costUsd + embeddingCostUsd })));
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
    let found = sumDays(prompt, first, last, into);
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
    for (const prompt of this.added.values()) if (isPromptOf(prompt, key)) return prompt.id;
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
