/**
 * The distinct prompts and what each did per UTC day, held in memory beside the aggregate tables
 * they are read from, so the prompts of any range — a preset, custom days, the days a 24-hour
 * range touches, or all time — are added up, filtered and sorted in a few milliseconds. In SQL the
 * same answer means grouping every prompt-day of the range (a quarter of a million rows for a month
 * of a million-call log); here it is one pass over compact arrays, about 45 bytes a prompt-day
 * (each prompt's days as indexed-prompt.ts keeps them). The index ranks the days, so a range is
 * two ranks, and finds a prompt by its whole key.
 *
 * The index follows the tables: it is read from them once, on first use, then reads back only the
 * prompt-days that newly folded rows changed.
 * @module
 */
import type { Database } from "../sqlite/database.ts";
import { AMOUNTS, COUNTS, grown, isPromptOf, setDay, toPrompt, writeDay, type IndexedPrompt, type PromptKey } from "./indexed-prompt.ts";
import type { FoldedDay } from "./rollup-prompts.ts";
import { PROMPT_DAY_COLUMNS as DAY_COLUMNS } from "./rollup-schema.ts";

/** One day of one prompt, as the request log counts it. */
export interface PromptDay {
  period: string;
  calls: number;
  hits: number;
  semanticHits: number;
}

const PROMPT_SELECT = "SELECT id, prompt, provider, model, prompt_type, namespace FROM ecoai_dashboard_prompts";
/** Prompt-days read per statement when the whole index is loaded, so no million-row array is ever built. */
const LOAD_BATCH = 20_000;

export class PromptIndex {
  /** Every day some prompt was called, ascending (string order, as SQL compares them). */
  readonly periods: string[] = [];
  readonly prompts = new Map<number, IndexedPrompt>();
  private readonly rank = new Map<string, number>();
  private readonly watchers: ((id: number | undefined) => void)[] = [];
  /** The prompts by their text, for finding one by its whole key; built on first use. */
  private byText: Map<string, IndexedPrompt[]> | undefined;

  constructor(private readonly db: Database) {}

  /**
   * Calls `changed` with a prompt's id after a fold added to its days (its sums only grow), or
   * with `undefined` after the days were ranked anew (every rank held elsewhere is stale).
   */
  watch(changed: (id: number | undefined) => void): void {
    this.watchers.push(changed);
  }

  /** The prompt the index holds under a whole key. */
  find(key: PromptKey): IndexedPrompt | undefined {
    if (!this.byText) {
      this.byText = new Map();
      for (const held of this.prompts.values()) this.addByText(held);
    }
    return this.byText.get(key.prompt)?.find((held) => isPromptOf(held, key));
  }

  private addByText(prompt: IndexedPrompt): void {
    const same = this.byText!.get(prompt.prompt);
    if (same) same.push(prompt);
    else this.byText!.set(prompt.prompt, [prompt]);
  }

  /** Reads the whole index from the tables (inside a read transaction, so they hold still). */
  load(): void {
    for (const row of this.db.prepare("SELECT DISTINCT period FROM ecoai_dashboard_days ORDER BY period").all()) this.addPeriod(String(row.period));
    for (const row of this.db.prepare(PROMPT_SELECT).all()) this.prompts.set(Number(row.id), toPrompt(row));
    while (!this.loadDays());
  }

  /**
   * Reads every prompt-day, day by day as the table is kept, into flat arrays, then hands each
   * prompt its days (in order) as views of them. False when a day unknown to the daily totals
   * turned up (it is ranked now): the ranks read so far are stale, and the caller reads again.
   */
  private loadDays(): boolean {
    let size = Number(this.db.prepare("SELECT count(*) AS n FROM ecoai_dashboard_prompt_days").get()!.n);
    let ids = new Int32Array(size);
    let days = new Int32Array(size);
    let counts = new Uint32Array(size * COUNTS);
    let amounts = new Float64Array(size * AMOUNTS);
    let n = 0;
    const batch = this.db.prepare(`SELECT ${DAY_COLUMNS} FROM ecoai_dashboard_prompt_days WHERE (period, prompt_id) > (?, ?) ORDER BY period, prompt_id LIMIT ${LOAD_BATCH}`);
    let after: [string, number] = ["", 0];
    for (;;) {
      const rows = batch.all(...after);
      if (rows.length === 0) break;
      for (const row of rows) {
        const period = String(row.period);
        const rank = this.rank.get(period);
        if (rank === undefined) {
          this.addPeriod(period);
          return false;
        }
        if (n === size) {
          // Days written since the count, when read outside a transaction: room for more.
          size = size * 2 + LOAD_BATCH;
          ids = grown(ids, size, 1);
          days = grown(days, size, 1);
          counts = grown(counts, size, COUNTS);
          amounts = grown(amounts, size, AMOUNTS);
        }
        ids[n] = Number(row.prompt_id);
        days[n] = rank;
        writeDay(row, counts, n * COUNTS, amounts, n * AMOUNTS);
        n++;
      }
      const last = rows.at(-1)!;
      after = [String(last.period), Number(last.prompt_id)];
    }
    // Each prompt's days, in the order read (ascending), gathered together: where each prompt's run starts, then each day moved there.
    let maxId = 0;
    for (let i = 0; i < n; i++) if (ids[i]! > maxId) maxId = ids[i]!;
    const start = new Int32Array(maxId + 2);
    for (let i = 0; i < n; i++) start[ids[i]! + 1]! += 1;
    for (let id = 1; id <= maxId + 1; id++) start[id]! += start[id - 1]!;
    const next = start.slice(0, maxId + 1);
    const sortedDays = new Int32Array(n);
    const sortedCounts = new Uint32Array(n * COUNTS);
    const sortedAmounts = new Float64Array(n * AMOUNTS);
    for (let i = 0; i < n; i++) {
      const to = next[ids[i]!]!++;
      sortedDays[to] = days[i]!;
      for (let k = 0; k < COUNTS; k++) sortedCounts[to * COUNTS + k] = counts[i * COUNTS + k]!;
      for (let k = 0; k < AMOUNTS; k++) sortedAmounts[to * AMOUNTS + k] = amounts[i * AMOUNTS + k]!;
    }
    for (const [id, prompt] of this.prompts) {
      if (id > maxId) continue;
      const from = start[id]!;
      const to = start[id + 1]!;
      prompt.days = sortedDays.subarray(from, to);
      prompt.counts = sortedCounts.subarray(from * COUNTS, to * COUNTS);
      prompt.amounts = sortedAmounts.subarray(from * AMOUNTS, to * AMOUNTS);
    }
    return true;
  }

  /** Reads back the prompt-days that the usage rows `after < id ≤ upTo` were folded into (by another process). */
  update(after: number, upTo: number): void {
    const changed = this.db
      .prepare(
        `SELECT DISTINCT substr(u.timestamp, 1, 10) AS period, p.id AS id FROM usage_log u JOIN ecoai_dashboard_prompts p
            ON p.prompt = u.prompt AND p.model = u.model AND p.provider = u.provider AND p.prompt_type = u.prompt_type AND p.namespace = u.namespace
         WHERE u.id > ? AND u.id <= ?`,
      )
      .all(after, upTo);
    const readPrompt = this.db.prepare(`${PROMPT_SELECT} WHERE id = ?`);
    const readDay = this.db.prepare(`SELECT ${DAY_COLUMNS} FROM ecoai_dashboard_prompt_days WHERE period = ? AND prompt_id = ?`);
    for (const pair of changed) {
      const key = this.prompts.has(Number(pair.id)) ? { id: pair.id! } : readPrompt.get(pair.id!);
      const day = key && readDay.get(pair.period!, pair.id!);
      if (key && day) this.apply({ key, day });
    }
  }

  /** Takes a prompt-day as a fold of this process left it. */
  apply({ key, day }: FoldedDay): void {
    const id = Number(key.id);
    let prompt = this.prompts.get(id);
    if (!prompt) {
      // A prompt another dashboard added before this fold comes with its id alone: its key is read once.
      const full = key.prompt === undefined ? this.db.prepare(`${PROMPT_SELECT} WHERE id = ?`).get(id) : key;
      if (!full) return;
      this.prompts.set(id, (prompt = toPrompt(full)));
      if (this.byText) this.addByText(prompt);
    }
    const period = String(day.period);
    this.addPeriod(period);
    const counts = new Uint32Array(COUNTS);
    const amounts = new Float64Array(AMOUNTS);
    writeDay(day, counts, 0, amounts, 0);
    setDay(prompt, this.rank.get(period)!, counts, amounts);
    for (const changed of this.watchers) changed(id);
  }

  /** The rank of a known day (its place in {@link periods}); undefined for a day no prompt was called. */
  rankOf(period: string): number | undefined {
    return this.rank.get(period);
  }

  /** Ranks `period` among the known days; a day older than the newest known one moves later ranks up. */
  addPeriod(period: string): void {
    if (this.rank.has(period)) return;
    const at = upperBound(this.periods, period);
    this.periods.splice(at, 0, period);
    this.rank.set(period, at);
    if (at === this.periods.length - 1) return;
    // Rows logged out of order, by a process whose clock or queue lagged: rare, so renumbering is fine.
    for (let i = at + 1; i < this.periods.length; i++) this.rank.set(this.periods[i]!, i);
    for (const prompt of this.prompts.values()) {
      for (let i = 0; i < prompt.days.length; i++) if (prompt.days[i]! >= at) prompt.days[i]! += 1;
    }
    for (const changed of this.watchers) changed(undefined);
  }

  /**
   * The ranks of the first and last known day in `[from, to]` (days as `2026-11-29`, or all of
   * them); `null` when no prompt was called then.
   */
  dayRange(days?: { from: string; to: string }): { first: number; last: number } | null {
    const first = days ? lowerBound(this.periods, days.from) : 0;
    const last = days ? upperBound(this.periods, days.to) - 1 : this.periods.length - 1;
    return first <= last ? { first, last } : null;
  }

  /** A prompt's days from `from` to `to`, newest first (for the request log of one prompt). */
  daysOf(id: number, days: { from: string; to: string }, prompt = this.prompts.get(id)): PromptDay[] {
    const ranks = this.dayRange(days);
    if (!prompt || !ranks) return [];
    const out: PromptDay[] = [];
    for (let i = prompt.days.length - 1; i >= 0; i--) {
      const day = prompt.days[i]!;
      if (day < ranks.first) break;
      if (day > ranks.last) continue;
      out.push({ period: this.periods[day]!, calls: prompt.counts[i * COUNTS]!, hits: prompt.counts[i * COUNTS + 1]!, semanticHits: prompt.counts[i * COUNTS + 2]! });
    }
    return out;
  }
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
