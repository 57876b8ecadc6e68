/**
 * The dashboard's aggregates kept current with the usage log: the tables, folded after the requests
 * that read them (a request adds up the rows written since the last fold itself), and what this
 * process holds in memory beside them, the totals and the prompt index. `ecoai prune` and
 * `ecoai recompute` reset the tables (resetRollup), and every dashboard on the file starts over.
 * @module
 */
import type { Database, Row } from "../sqlite/database.ts";
import type { UsageSummary } from "../types.ts";
import { addSummaries, querySummary } from "../usage/queries.ts";
import { PromptIndex } from "./prompt-index.ts";
import { PromptView } from "./prompt-view.ts";
import { createLatencyFolder } from "./rollup-latency.ts";
import { createPromptFolder, type FoldedDay } from "./rollup-prompts.ts";
import { createRollupTables, DATA_TABLES, GRAINS, HOURS_KEPT, updatePeriodsSql } from "./rollup-schema.ts";
import type { Tail } from "./tail.ts";
import { FoldedReads, type TableReads } from "./folded-reads.ts";

/** What a request reads: the tables, the rows not yet folded into them, totals and prompts as of the newest row. */
export interface RollupView {
  /** The rows the tables do not hold yet: each query adds them up itself. */
  tail: Tail;
  /** Totals of every row, the same numbers as `eco.summary()`. */
  summary: UsageSummary;
  /** The distinct prompts and their days, the tail's rows included. */
  prompts(): PromptView;
  /** Reads of the tables kept while they stand as they are (see folded-reads.ts). */
  reads: TableReads;
}

/** Aggregates over the usage log, folded after the requests that read them. */
export interface Rollup {
  /** Folds in the rows written since the last call now; starts over when rows were deleted. */
  refresh(): void;
  /**
   * Answers from the tables as they stand plus the rows written since their last fold (the tail),
   * in one read snapshot; the fold of the tail is scheduled for after the answer. A tail past
   * {@link MAX_TAIL} rows, or a log that shrank, is folded first.
   */
  read<T>(answer: (view: RollupView) => T): T;
  /** Totals as of the last `refresh()` or `read()`. */
  summary(): UsageSummary;
  /** The prompts as of the last fold (after `refresh()`, every row). */
  prompts(): PromptView;
  /** Cancels a scheduled fold (before the database closes). */
  close(): void;
}

/** Rows a request adds up itself at most; a longer tail is folded before the request is answered. */
export const MAX_TAIL = 20_000;
/** How long after a request that left a tail the fold runs, so a burst of requests pays for none. */
export const FOLD_DELAY_MS = 1_000;

/** Empties the aggregates so the next dashboard request rebuilds them (after rows were deleted). */
export function resetRollup(db: Database): void {
  db.transaction(() => {
    createRollupTables(db);
    db.exec(`DELETE FROM ecoai_dashboard_state WHERE key NOT IN ('version', 'resets'); ${DATA_TABLES.map((table) => `DELETE FROM ${table};`).join(" ")}`);
    // Counted, so a dashboard that has not folded since (its rows all in its tail) still sees the rows went.
    db.exec("INSERT INTO ecoai_dashboard_state (key, value) VALUES ('resets', 1) ON CONFLICT (key) DO UPDATE SET value = value + 1");
  });
}

/** The first hour kept at hourly grain, as its period string (`2026-11-29T17`). */
export function hoursKeptFrom(now: Date): string {
  return new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000 - (HOURS_KEPT - 1) * 3_600_000).toISOString().slice(0, 13);
}

/**
 * Creates the aggregate tables if needed and returns their maintainer. The first refresh over an
 * existing log reads it once; later ones read only new rows.
 */
export function createRollup(db: Database, now: () => Date = () => new Date()): Rollup {
  db.transaction(() => createRollupTables(db));
  // Two statements: SQLite answers a lone min() or max() from the rowid b-tree, but scans for both at once.
  const firstId = db.prepare("SELECT coalesce(min(id), 0) AS id FROM usage_log");
  const lastId = db.prepare("SELECT coalesce(max(id), 0) AS id FROM usage_log");
  const readState = db.prepare("SELECT key, value FROM ecoai_dashboard_state ORDER BY key");
  /** The tables' state (watermark, first row, resets, folds, version) by key, in key order: its JSON names the state. */
  const stateNow = (): Partial<Record<string, number>> => Object.fromEntries(readState.all().map((row: Row) => [String(row.key), Number(row.value)]));
  // Resets (`ecoai prune`, `ecoai recompute`) seen by this process: another one means rows went.
  let resets = stateNow().resets ?? 0;
  const writeState = db.prepare("INSERT OR REPLACE INTO ecoai_dashboard_state (key, value) VALUES (?, ?)");
  const updateDays = updatePeriodsSql("day").map((sql) => db.prepare(sql));
  const updateHours = updatePeriodsSql("hour").map((sql) => db.prepare(sql));
  const foldPrompts = createPromptFolder(db);
  const foldLatency = { day: createLatencyFolder(db, "day"), hour: createLatencyFolder(db, "hour") };
  const dropOldHours = ["", "types_", "all_types_", "latency_", "all_latency_"].map((kind) => `${kind}${GRAINS.hour.suffix}`).map((table) => db.prepare(`DELETE FROM ecoai_dashboard_${table} WHERE period < ?`));

  // The totals live in memory: one read of the log at start, then slices of new rows.
  let totals = querySummary(db, { upToId: 0 });
  let totalsUpTo = 0;
  let totalsFirst = 0;
  // What this process last brought the tables to: when nothing moved, a request takes no write lock.
  let tablesAt = "";

  // Read on first use; `indexAt` is the last usage row it holds, `indexFirst` the first row of the log then.
  let index: PromptIndex | undefined;
  let indexAt = 0;
  let indexFirst = 0;

  /**
   * Brings the tables to the rows `first` to `last`. Says whether they were emptied and rebuilt, and
   * from which row this process folded (rows before it were folded by another dashboard).
   */
  function refreshTables(first: number, last: number, changed?: (folded: FoldedDay) => void): { rebuilt: boolean; from: number } {
    return db.transaction(() => {
      // Another dashboard on the same file may have moved the watermark since; read it inside the lock.
      const state = stateNow();
      let done = state.watermark ?? 0;
      const rebuilt = done > last || (done > 0 && state.first !== first);
      if (rebuilt) {
        db.exec(DATA_TABLES.map((table) => `DELETE FROM ${table};`).join(" "));
        done = 0;
      }
      const keptFrom = hoursKeptFrom(now());
      if (done < last) {
        for (const statement of updateDays) statement.run(done, last, "");
        for (const statement of updateHours) statement.run(done, last, keptFrom);
        foldLatency.day(done, last, "");
        foldLatency.hour(done, last, keptFrom);
        foldPrompts(done, last, rebuilt ? undefined : changed);
      }
      for (const statement of dropOldHours) statement.run(keptFrom);
      writeState.run("watermark", last);
      writeState.run("first", first);
      // Counted, so the reads other dashboards keep of the tables (folded-reads.ts) see they changed.
      writeState.run("folds", (state.folds ?? 0) + 1);
      return { rebuilt, from: done };
    });
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const reads = new FoldedReads();

  /** The in-memory totals brought to the row `last` (read again from the start when the log shrank). */
  function updateTotals(first: number, last: number): void {
    if (totalsUpTo > last || (totalsUpTo > 0 && first !== totalsFirst)) {
      totals = querySummary(db, { upToId: 0 });
      totalsUpTo = 0;
    }
    if (last > totalsUpTo) {
      totals = addSummaries(totals, querySummary(db, { afterId: totalsUpTo, upToId: last }));
      totalsUpTo = last;
      totalsFirst = first;
    }
  }

  /** The index read from the tables (inside the caller's read transaction, so they hold still). */
  function loadIndex(): PromptIndex {
    const loaded = new PromptIndex(db);
    loaded.load();
    const state = stateNow();
    indexAt = state.watermark ?? 0;
    // An index of no rows holds for whichever row comes first.
    indexFirst = indexAt === 0 ? Number(firstId.get()!.id) : (state.first ?? 0);
    return (index = loaded);
  }

  /** Whether the tables or what this process holds in memory must be brought up to date before answering. */
  function mustFoldFirst(first: number, last: number): boolean {
    const state = stateNow();
    const watermark = state.watermark ?? 0;
    const pruned = (tablesAt !== "" && watermark < Number(tablesAt.split(":")[1])) || (state.resets ?? 0) !== resets;
    const rebuild = watermark > last || (watermark > 0 && state.first !== first);
    const totalsStale = totalsUpTo > last || (totalsUpTo > 0 && first !== totalsFirst);
    const indexStale = index !== undefined && (indexFirst !== first || indexAt > last || last - indexAt > MAX_TAIL);
    return pruned || rebuild || totalsStale || indexStale || last - watermark > MAX_TAIL;
  }

  function schedule(): void {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      try {
        refresh();
      } catch (error) {
        // The next request folds, or schedules a fold, again: nothing is lost.
        console.error(`ecoai dashboard: folding new usage rows failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }, FOLD_DELAY_MS);
    (timer as { unref?: () => void }).unref?.();
  }

  function refresh(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const first = Number(firstId.get()!.id);
    const last = Number(lastId.get()!.id);
    // `ecoai prune` empties the stored aggregates (resetRollup); rows it deleted need not include
    // the first one, so a watermark behind the one this process wrote is the sign to start over.
    const state = stateNow();
    const resetsNow = state.resets ?? 0;
    if ((tablesAt !== "" && (state.watermark ?? 0) < Number(tablesAt.split(":")[1])) || resetsNow !== resets) {
      resets = resetsNow;
      totalsUpTo = Number.MAX_SAFE_INTEGER;
      tablesAt = "";
      index = undefined;
    }
    updateTotals(first, last);
    // The hour passed: hours older than the ones kept are dropped, even with no new rows.
    const key = `${first}:${last}:${hoursKeptFrom(now())}`;
    if (index && (indexFirst !== first || indexAt > last)) index = undefined;
    if (tablesAt !== key) {
      // The prompt index takes the days this fold changes as they come back from the table, once committed.
      const changed: FoldedDay[] = [];
      const folded = refreshTables(first, last, index && ((day) => changed.push(day)));
      tablesAt = key;
      for (const day of changed) index?.apply(day);
      if (folded.rebuilt) index = undefined;
      // Rows another dashboard folded before this one: their days are read back from the tables.
      else if (index && indexAt < folded.from) index.update(indexAt, folded.from);
      if (index) indexAt = Math.max(indexAt, last);
    }
    if (index && indexAt < last) {
      index.update(indexAt, last);
      indexAt = last;
    }
    // What requests read of the tables, read again now rather than on the next request's path.
    try {
      snapshot(() => reads.renew(JSON.stringify(stateNow())));
    } catch (error) {
      reads.at("");
      throw error;
    }
  }

  /** Runs `fn` in one read transaction (a snapshot, taking no lock writers wait on). */
  function snapshot<T>(fn: () => T): T {
    db.exec("BEGIN");
    try {
      return fn();
    } finally {
      db.exec("COMMIT");
    }
  }

  return {
    refresh,
    read(answer) {
      if (mustFoldFirst(Number(firstId.get()!.id), Number(lastId.get()!.id))) refresh();
      let tail: Tail = { after: 0, upTo: 0 };
      try {
        return snapshot(() => {
          const first = Number(firstId.get()!.id);
          const last = Number(lastId.get()!.id);
          const state = stateNow();
          reads.at(JSON.stringify(state));
          tail = { after: state.watermark ?? 0, upTo: last };
          updateTotals(first, last);
          let view: PromptView | undefined;
          const prompts = () => {
            if (view) return view;
            // Deleted rows since this check (a prune by another process): the index is read again.
            if (index && (indexFirst !== first || indexAt > last)) index = undefined;
            const current = index ?? loadIndex();
            return (view = PromptView.withTail(db, current, { after: indexAt, upTo: last }));
          };
          return answer({ tail, summary: totals, prompts, reads });
        });
      } finally {
        if (tail.upTo > tail.after) schedule();
      }
    },
    summary: () => totals,
    prompts: () => PromptView.of(index ?? snapshot(loadIndex)),
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
