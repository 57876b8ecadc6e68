/**
 * The prompt index as of the newest row: the in-memory index (current to the last fold) with the
 * rows written since added, for one request. Only the prompts those rows touch are copied, so a
 * request after a thousand new rows copies a few hundred prompts, never the fifty thousand.
 * @module
 */
import type { Database } from "../sqlite/database.ts";
import { addToDay, toPrompt, type IndexedPrompt, type PromptDay, type PromptIndex } from "./prompt-index.ts";
import type { Tail } from "./tail.ts";

/** A prompt's key, as the prompts page and the request log name it. */
export interface PromptKey {
  prompt: string;
  provider: string;
  model: string;
  promptType: string;
  namespace: string;
}

/**
 * The tail's rows per day and prompt, with the prompt's id when the tables know it, added up as
 * the prompt-days are (`PROMPT_DAY_COLUMNS`), and the first row of each (new prompts are numbered
 * in the order they first came).
 */
const TAIL_DAYS_SQL = `SELECT substr(u.timestamp, 1, 10) AS period, p.id AS id, u.prompt, u.provider, u.model, u.prompt_type, u.namespace,
    count(*) AS calls, sum(u.cache_hit) AS hits, sum(u.semantic_hit) AS semantic_hits, sum(u.tokens_saved) AS tokens_saved,
    sum(u.cost_saved_usd) AS cost_saved_usd, coalesce(sum(u.cost_usd), 0) + sum(u.embedding_cost_usd) AS spent_usd,
    max(u.timestamp) AS last_seen, round((julianday(max(u.timestamp)) - 2440587.5) * 86400000) AS last_seen_ms, min(u.id) AS first_row
  FROM usage_log u LEFT JOIN ecoai_dashboard_prompts p
    ON p.prompt = u.prompt AND p.model = u.model AND p.provider = u.provider AND p.prompt_type = u.prompt_type AND p.namespace = u.namespace
 WHERE u.id > ? AND u.id <= ?
 GROUP BY 1, u.prompt, u.provider, u.model, u.prompt_type, u.namespace
 ORDER BY first_row`;

export class PromptView {
  private constructor(
    readonly index: PromptIndex,
    /** Prompts the tail touched, as copies with its days added (or new). */
    private readonly changed: Map<number, IndexedPrompt>,
    /** The tail's last call per `period|id`, as logged. */
    private readonly lastSeen: Map<string, string>,
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
    const changed = new Map<number, IndexedPrompt>();
    const lastSeen = new Map<string, string>();
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
      let prompt = changed.get(id);
      if (!prompt) {
        const known = index.prompts.get(id);
        prompt = known ? { ...known, days: known.days.slice(), counts: known.counts.slice(), amounts: known.amounts.slice() } : toPrompt({ ...row, id });
        changed.set(id, prompt);
      }
      addToDay(prompt, index.periods.indexOf(String(row.period)), row);
      lastSeen.set(`${row.period}|${id}`, String(row.last_seen));
    }
    return new PromptView(index, changed, lastSeen);
  }

  /** Every day some prompt was called, ascending. */
  get periods(): string[] {
    return this.index.periods;
  }

  /** Passes every prompt, as of the tail, to `visit`. */
  each(visit: (prompt: IndexedPrompt) => void): void {
    const { changed } = this;
    for (const prompt of this.index.prompts.values()) visit(changed.get(prompt.id) ?? prompt);
    for (const prompt of changed.values()) if (!this.index.prompts.has(prompt.id)) visit(prompt);
  }

  get(id: number): IndexedPrompt | undefined {
    return this.changed.get(id) ?? this.index.prompts.get(id);
  }

  /** The id of a prompt first logged in the tail, by its whole key. */
  findNew(key: PromptKey): number | undefined {
    for (const prompt of this.changed.values()) {
      if (this.index.prompts.has(prompt.id)) continue;
      if (prompt.prompt === key.prompt && prompt.provider === key.provider && prompt.model === key.model && prompt.promptType === key.promptType && prompt.namespace === key.namespace) return prompt.id;
    }
    return undefined;
  }

  dayRange(days?: { from: string; to: string }): { first: number; last: number } | null {
    return this.index.dayRange(days);
  }

  daysOf(id: number, days: { from: string; to: string }): PromptDay[] {
    return this.index.daysOf(id, days, this.get(id));
  }

  /** The later of `folded` (the tables' last call of a prompt's day) and the tail's. */
  lastSeenOf(period: string, id: number, folded: string): string {
    const tail = this.lastSeen.get(`${period}|${id}`);
    return tail !== undefined && tail > folded ? tail : folded;
  }
}
