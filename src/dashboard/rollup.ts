import type { Database, Row } from "../sqlite/database.ts";
import type { UsageSummary } from "../types.ts";
import { querySummary } from "../usage/queries.ts";

/**
 * The dashboard's aggregates, kept beside `usage_log` in the same file: per day (provider, model,
 * prompt type) and per distinct prompt. They are brought up to date from the rows added since the
 * last request (a rowid range, never a scan of the whole log), so every page stays fast at
 * millions of rows and writers pay nothing: no trigger, no extra index on `usage_log`.
 */
export const ROLLUP_SCHEMA = `
CREATE TABLE IF NOT EXISTS ecoai_dashboard_state (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ecoai_dashboard_daily (
  day TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  prompt_type TEXT NOT NULL,
  calls INTEGER NOT NULL,
  hits INTEGER NOT NULL,
  semantic_hits INTEGER NOT NULL,
  tokens_saved INTEGER NOT NULL,
  cost_saved_usd REAL NOT NULL,
  co2_saved_g REAL NOT NULL,
  PRIMARY KEY (day, provider, model, prompt_type)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ecoai_dashboard_prompts (
  id INTEGER PRIMARY KEY,
  prompt TEXT NOT NULL,
  model TEXT NOT NULL,
  provider TEXT NOT NULL,
  prompt_type TEXT NOT NULL,
  calls INTEGER NOT NULL,
  hits INTEGER NOT NULL,
  semantic_hits INTEGER NOT NULL,
  tokens_saved INTEGER NOT NULL,
  cost_saved_usd REAL NOT NULL,
  last_seen TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS ecoai_dashboard_prompts_key ON ecoai_dashboard_prompts (prompt, model, provider, prompt_type);
CREATE INDEX IF NOT EXISTS ecoai_dashboard_prompts_last_seen ON ecoai_dashboard_prompts (last_seen);
CREATE INDEX IF NOT EXISTS ecoai_dashboard_prompts_hits ON ecoai_dashboard_prompts (hits);
`;

const RANGE = "FROM usage_log WHERE id > ? AND id <= ?";

const UPDATE_DAILY = `
INSERT INTO ecoai_dashboard_daily
SELECT substr(timestamp, 1, 10), provider, model, prompt_type, count(*), sum(cache_hit), sum(semantic_hit),
       sum(tokens_saved), sum(cost_saved_usd), sum(co2_saved_g)
  ${RANGE} GROUP BY 1, 2, 3, 4
ON CONFLICT (day, provider, model, prompt_type) DO UPDATE SET
  calls = calls + excluded.calls, hits = hits + excluded.hits, semantic_hits = semantic_hits + excluded.semantic_hits,
  tokens_saved = tokens_saved + excluded.tokens_saved, cost_saved_usd = cost_saved_usd + excluded.cost_saved_usd,
  co2_saved_g = co2_saved_g + excluded.co2_saved_g`;

const UPDATE_PROMPTS = `
INSERT INTO ecoai_dashboard_prompts (prompt, model, provider, prompt_type, calls, hits, semantic_hits, tokens_saved, cost_saved_usd, last_seen)
SELECT prompt, model, provider, prompt_type, count(*), sum(cache_hit), sum(semantic_hit), sum(tokens_saved),
       sum(cost_saved_usd), max(timestamp)
  ${RANGE} GROUP BY 1, 2, 3, 4
ON CONFLICT (prompt, model, provider, prompt_type) DO UPDATE SET
  calls = calls + excluded.calls, hits = hits + excluded.hits, semantic_hits = semantic_hits + excluded.semantic_hits,
  tokens_saved = tokens_saved + excluded.tokens_saved, cost_saved_usd = cost_saved_usd + excluded.cost_saved_usd,
  last_seen = max(last_seen, excluded.last_seen)`;

/** Aggregates over the usage log, current as of the last `refresh()`. */
export interface Rollup {
  /** Folds in the rows written since the last call; starts over when rows were deleted. */
  refresh(): void;
  /** Totals, the same numbers as `eco.summary()`. */
  summary(): UsageSummary;
}

/** Empties the aggregates so the next dashboard request rebuilds them (after rows were deleted). */
export function resetRollup(db: Database): void {
  db.transaction(() => {
    db.exec(ROLLUP_SCHEMA);
    db.exec("DELETE FROM ecoai_dashboard_state; DELETE FROM ecoai_dashboard_daily; DELETE FROM ecoai_dashboard_prompts;");
  });
}

/**
 * Creates the aggregate tables if needed and returns their maintainer. The first refresh over an
 * existing log reads it once; later ones read only new rows.
 */
export function createRollup(db: Database): Rollup {
  db.transaction(() => db.exec(ROLLUP_SCHEMA));
  // Two statements: SQLite answers a lone min() or max() from the rowid b-tree, but scans for both at once.
  const firstId = db.prepare("SELECT coalesce(min(id), 0) AS id FROM usage_log");
  const lastId = db.prepare("SELECT coalesce(max(id), 0) AS id FROM usage_log");
  const readState = db.prepare("SELECT key, value FROM ecoai_dashboard_state");
  const readWatermark = db.prepare("SELECT coalesce(max(value), 0) AS value FROM ecoai_dashboard_state WHERE key = 'watermark'");
  const writeState = db.prepare("INSERT OR REPLACE INTO ecoai_dashboard_state (key, value) VALUES (?, ?)");
  const updateDaily = db.prepare(UPDATE_DAILY);
  const updatePrompts = db.prepare(UPDATE_PROMPTS);

  // The totals live in memory: one read of the log at start, then slices of new rows.
  let totals = querySummary(db, { upToId: 0 });
  let totalsUpTo = 0;
  let totalsFirst = 0;
  // What this process last brought the tables to: when nothing moved, a request takes no write lock.
  let tablesAt = "";

  function refreshTables(first: number, last: number): void {
    db.transaction(() => {
      // Another dashboard on the same file may have moved the watermark since; read it inside the lock.
      const state = Object.fromEntries(readState.all().map((row: Row) => [String(row.key), Number(row.value)]));
      let done = state.watermark ?? 0;
      if (done > last || (done > 0 && state.first !== first)) {
        db.exec("DELETE FROM ecoai_dashboard_daily; DELETE FROM ecoai_dashboard_prompts;");
        done = 0;
      }
      if (done < last) {
        updateDaily.run(done, last);
        updatePrompts.run(done, last);
      }
      writeState.run("watermark", last);
      writeState.run("first", first);
    });
  }

  return {
    refresh() {
      const first = Number(firstId.get()!.id);
      const last = Number(lastId.get()!.id);
      // `ecoai prune` empties the stored aggregates (resetRollup); rows it deleted need not include
      // the first one, so a watermark behind the one this process wrote is the sign to start over.
      if (tablesAt !== "" && Number(readWatermark.get()!.value) < Number(tablesAt.split(":")[1])) {
        totalsUpTo = Number.MAX_SAFE_INTEGER;
        tablesAt = "";
      }
      if (totalsUpTo > last || (totalsUpTo > 0 && first !== totalsFirst)) {
        totals = querySummary(db, { upToId: 0 });
        totalsUpTo = 0;
      }
      if (last > totalsUpTo) {
        totals = addSummaries(totals, querySummary(db, { afterId: totalsUpTo, upToId: last }));
        totalsUpTo = last;
        totalsFirst = first;
      }
      if (tablesAt !== `${first}:${last}`) {
        refreshTables(first, last);
        tablesAt = `${first}:${last}`;
      }
    },
    summary: () => totals,
  };
}

function addSummaries(a: UsageSummary, b: UsageSummary): UsageSummary {
  if (a.totalCalls === 0) return b;
  const totalCalls = a.totalCalls + b.totalCalls;
  const cacheHits = a.cacheHits + b.cacheHits;
  return {
    totalCalls,
    cacheHits,
    cacheMisses: totalCalls - cacheHits,
    hitRate: totalCalls === 0 ? 0 : cacheHits / totalCalls,
    tokensSaved: a.tokensSaved + b.tokensSaved,
    costSavedUsd: a.costSavedUsd + b.costSavedUsd,
    co2SavedG: a.co2SavedG + b.co2SavedG,
    semanticHits: a.semanticHits + b.semanticHits,
  };
}
