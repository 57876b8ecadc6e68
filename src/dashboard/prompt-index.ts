/**
 * The distinct prompts and what each did per UTC day, held in memory beside the aggregate tables
 * they are read from, so the prompts of any range — a preset, custom days, the days a 24-hour
 * range touches, or all time — are added up, filtered and sorted in a few milliseconds. In SQL the
 * same answer means grouping every prompt-day of the range (a quarter of a million rows for a month
 * of a million-call log); here it is one pass over compact arrays, about 45 bytes a prompt-day.
 *
 * The index follows the tables: it is read from them once, on first use, then re-reads only the
 * prompts that newly folded rows belong to.
 * @module
 */
import type { Database, Row } from "../sqlite/database.ts";
import type { PromptType, Provider } from "../types.ts";

/** Counts kept per prompt-day, in this order (stride {@link COUNTS}). */
const COUNTS = 3; // calls, hits, semantic hits
/** Amounts kept per prompt-day, in this order (stride {@link AMOUNTS}). */
const AMOUNTS = 4; // tokens saved, cost saved (net), spent, last seen (ms)

/** One distinct prompt: its key, its all-time totals, and its days in ascending order. */
export interface IndexedPrompt {
  id: number;
  prompt: string;
  /** The prompt with A–Z lowered, as SQLite's LIKE compares. */
  folded: string;
  provider: Provider;
  model: string;
  promptType: PromptType;
  namespace: string;
  /** All-time totals, exactly as the table holds them. */
  calls: number;
  hits: number;
  semanticHits: number;
  tokensSaved: number;
  costSavedUsd: number;
  spentUsd: number;
  lastSeen: string;
  /** Rank of each day (see `PromptIndex.periods`), ascending. */
  days: Int32Array;
  counts: Uint32Array;
  amounts: Float64Array;
}

/** A prompt's sums over a range, as the prompt list shows them. */
export interface RangeSums {
  calls: number;
  hits: number;
  semanticHits: number;
  tokensSaved: number;
  costSavedUsd: number;
  spentUsd: number;
  /** Rank of the prompt's last day in the range, and its last call then (ms). */
  lastDay: number;
  lastSeenMs: number;
}

/** SQLite's LIKE is case-insensitive for A–Z only; so is this. */
export function foldAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

const PROMPT_SELECT = `SELECT id, prompt, provider, model, prompt_type, namespace, calls, hits, semantic_hits, tokens_saved, cost_saved_usd,
  cost_usd + embedding_cost_usd AS spent_usd, last_seen FROM ecoai_dashboard_prompts`;
const DAY_SELECT = `SELECT prompt_id, period, calls, hits, semantic_hits, tokens_saved, cost_saved_usd, cost_usd + embedding_cost_usd AS spent_usd, last_seen
  FROM ecoai_dashboard_prompt_days`;
/** Prompt-days read per statement when the whole index is loaded, so no million-row array is ever built. */
const LOAD_BATCH = 20_000;

export class PromptIndex {
  /** Every day some prompt was called, ascending (string order, as SQL compares them). */
  periods: string[] = [];
  readonly prompts = new Map<number, IndexedPrompt>();
  private readonly rank = new Map<string, number>();

  constructor(private readonly db: Database) {}

  /** Reads the whole index from the tables. */
  load(): void {
    this.prompts.clear();
    this.periods = this.db.prepare("SELECT DISTINCT period FROM ecoai_dashboard_prompt_days ORDER BY period").all().map((row) => String(row.period));
    this.rank.clear();
    this.periods.forEach((period, i) => this.rank.set(period, i));
    for (const row of this.db.prepare(PROMPT_SELECT).all()) this.prompts.set(Number(row.id), toPrompt(row));
    const batch = this.db.prepare(`${DAY_SELECT} WHERE (prompt_id, period) > (?, ?) ORDER BY prompt_id, period LIMIT ${LOAD_BATCH}`);
    let after: [number, string] = [0, ""];
    for (;;) {
      const rows = batch.all(...after);
      if (rows.length === 0) break;
      this.addDays(rows);
      const last = rows.at(-1)!;
      after = [Number(last.prompt_id), String(last.period)];
    }
  }

  /** Re-reads the prompts (and all of their days) that the usage rows `after < id ≤ upTo` belong to. */
  update(after: number, upTo: number): void {
    const ids = this.db
      .prepare(
        `SELECT DISTINCT p.id AS id FROM usage_log u JOIN ecoai_dashboard_prompts p
            ON p.prompt = u.prompt AND p.model = u.model AND p.provider = u.provider AND p.prompt_type = u.prompt_type AND p.namespace = u.namespace
         WHERE u.id > ? AND u.id <= ?`,
      )
      .all(after, upTo)
      .map((row) => Number(row.id));
    if (ids.length === 0) return;
    const readPrompt = this.db.prepare(`${PROMPT_SELECT} WHERE id = ?`);
    const readDays = this.db.prepare(`${DAY_SELECT} WHERE prompt_id = ? ORDER BY period`);
    for (const id of ids) {
      const row = readPrompt.get(id);
      if (!row) continue;
      this.prompts.set(id, toPrompt(row));
      const days = readDays.all(id);
      for (const day of days) this.addPeriod(String(day.period));
      this.addDays(days);
    }
  }

  /** A period's rank, the periods list growing (and every stored rank moving) when it is new. */
  private addPeriod(period: string): void {
    if (this.rank.has(period)) return;
    const at = upperBound(this.periods, period);
    this.periods.splice(at, 0, period);
    this.rank.set(period, at);
    if (at === this.periods.length - 1) return;
    // A day older than the newest known one (rows logged out of order): later ranks move up.
    for (let i = at + 1; i < this.periods.length; i++) this.rank.set(this.periods[i]!, i);
    for (const prompt of this.prompts.values()) {
      for (let i = 0; i < prompt.days.length; i++) if (prompt.days[i]! >= at) prompt.days[i]! += 1;
    }
  }

  /**
   * Appends the days of `rows` (ordered by prompt, then day) to their prompts: a prompt read
   * afresh has none yet, and loading in batches may split one prompt's days over two batches.
   */
  private addDays(rows: Row[]): void {
    let start = 0;
    while (start < rows.length) {
      const id = Number(rows[start]!.prompt_id);
      let end = start;
      while (end < rows.length && Number(rows[end]!.prompt_id) === id) end++;
      const prompt = this.prompts.get(id);
      if (prompt) {
        const base = prompt.days.length;
        const n = base + (end - start);
        const days = new Int32Array(n);
        const counts = new Uint32Array(n * COUNTS);
        const amounts = new Float64Array(n * AMOUNTS);
        days.set(prompt.days);
        counts.set(prompt.counts);
        amounts.set(prompt.amounts);
        for (let i = base; i < n; i++) {
          const row = rows[start + i - base]!;
          days[i] = this.rank.get(String(row.period))!;
          counts[i * COUNTS] = Number(row.calls);
          counts[i * COUNTS + 1] = Number(row.hits);
          counts[i * COUNTS + 2] = Number(row.semantic_hits);
          amounts[i * AMOUNTS] = Number(row.tokens_saved);
          amounts[i * AMOUNTS + 1] = Number(row.cost_saved_usd);
          amounts[i * AMOUNTS + 2] = Number(row.spent_usd);
          amounts[i * AMOUNTS + 3] = timeOf(String(row.last_seen));
        }
        prompt.days = days;
        prompt.counts = counts;
        prompt.amounts = amounts;
      }
      start = end;
    }
  }

  /**
   * The ranks of the first and last known day in `[from, to]` (days as `2026-11-29`); `null` when
   * no prompt was called then.
   */
  dayRange(from: string, to: string): { first: number; last: number } | null {
    const first = lowerBound(this.periods, from);
    const last = upperBound(this.periods, to) - 1;
    return first <= last ? { first, last } : null;
  }

  /** A prompt's all-time totals as the table holds them (no adding up of days), into `into`. */
  static allTime(prompt: IndexedPrompt, into: RangeSums): void {
    const last = prompt.days.length - 1;
    into.calls = prompt.calls;
    into.hits = prompt.hits;
    into.semanticHits = prompt.semanticHits;
    into.tokensSaved = prompt.tokensSaved;
    into.costSavedUsd = prompt.costSavedUsd;
    into.spentUsd = prompt.spentUsd;
    // Its last day and the last call then order it among the others, as its last-seen time would.
    into.lastDay = last < 0 ? -1 : prompt.days[last]!;
    into.lastSeenMs = last < 0 ? Number.NEGATIVE_INFINITY : prompt.amounts[last * AMOUNTS + 3]!;
  }

  /** A prompt's sums over the days ranked `first` to `last`, into `into`; false when it has none then. */
  static sumDays(prompt: IndexedPrompt, first: number, last: number, into: RangeSums): boolean {
    const { days, counts, amounts } = prompt;
    let found = false;
    into.calls = into.hits = into.semanticHits = into.tokensSaved = into.costSavedUsd = into.spentUsd = 0;
    for (let i = 0; i < days.length; i++) {
      const day = days[i]!;
      if (day < first) continue;
      if (day > last) break;
      found = true;
      into.calls += counts[i * COUNTS]!;
      into.hits += counts[i * COUNTS + 1]!;
      into.semanticHits += counts[i * COUNTS + 2]!;
      into.tokensSaved += amounts[i * AMOUNTS]!;
      into.costSavedUsd += amounts[i * AMOUNTS + 1]!;
      into.spentUsd += amounts[i * AMOUNTS + 2]!;
      into.lastDay = day;
      into.lastSeenMs = amounts[i * AMOUNTS + 3]!;
    }
    return found;
  }
}

/** A timestamp as ms; one that does not parse sorts before every other. */
function timeOf(timestamp: string): number {
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

function toPrompt(row: Row): IndexedPrompt {
  const prompt = String(row.prompt);
  return {
    id: Number(row.id),
    prompt,
    folded: foldAscii(prompt),
    provider: String(row.provider) as Provider,
    model: String(row.model),
    promptType: String(row.prompt_type) as PromptType,
    namespace: String(row.namespace),
    calls: Number(row.calls),
    hits: Number(row.hits),
    semanticHits: Number(row.semantic_hits),
    tokensSaved: Number(row.tokens_saved),
    costSavedUsd: Number(row.cost_saved_usd),
    spentUsd: Number(row.spent_usd),
    lastSeen: String(row.last_seen),
    days: new Int32Array(0),
    counts: new Uint32Array(0),
    amounts: new Float64Array(0),
  };
}

/** The first index whose value is ≥ `value`. */
function lowerBound(sorted: string[], value: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The first index whose value is > `value`. */
function upperBound(sorted: string[], value: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid]! <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}
