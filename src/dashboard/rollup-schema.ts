/**
 * The tables of the dashboard's aggregates, kept beside `usage_log` in the same file, their
 * creation at this version, and the statements that fold a range of new rows into them. Writers
 * pay nothing for them: no trigger, no extra index on `usage_log`; a request adds up the rows
 * written since the last fold itself, and the dashboard folds them in after answering.
 * @module
 */
import type { Database } from "../sqlite/database.ts";
import { latencyBucketSql } from "./latency.ts";

/** Bumped when the tables change shape: aggregates of another version are dropped and built again. */
export const ROLLUP_VERSION = 8;

/** Hours kept at hourly grain (for the 24-hour range); older ones live on in the daily tables. */
export const HOURS_KEPT = 48;

/** The two grains of the time-series tables: the SQL of a row's period, and the table suffix. */
export const GRAINS = {
  day: { suffix: "days", period: "substr(timestamp, 1, 10)" },
  hour: { suffix: "hours", period: "substr(timestamp, 1, 13)" },
} as const;
export type Grain = keyof typeof GRAINS;

/** Every table, current or of an earlier version, so a rebuild leaves none behind. */
export const ROLLUP_TABLES = [
  "ecoai_dashboard_days", "ecoai_dashboard_hours", "ecoai_dashboard_types_days", "ecoai_dashboard_types_hours",
  "ecoai_dashboard_all_types_days", "ecoai_dashboard_all_types_hours",
  "ecoai_dashboard_latency_days", "ecoai_dashboard_latency_hours", "ecoai_dashboard_all_latency_days", "ecoai_dashboard_all_latency_hours",
  "ecoai_dashboard_prompt_days", "ecoai_dashboard_prompts", "ecoai_dashboard_daily",
] as const;

/** The tables of this version that hold aggregates: emptied when the aggregates are rebuilt or reset. */
export const DATA_TABLES = ROLLUP_TABLES.filter((table) => table !== "ecoai_dashboard_daily");

/** Sums kept per period and per prompt; `unpriced` counts calls of a model without a price, `legacy` rows logged before costs were. */
const SUMS = `calls INTEGER NOT NULL, hits INTEGER NOT NULL, semantic_hits INTEGER NOT NULL, tokens_saved INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL, embedding_cost_usd REAL NOT NULL,
  cost_saved_usd REAL NOT NULL, co2_saved_g REAL NOT NULL, unpriced INTEGER NOT NULL, legacy INTEGER NOT NULL`;
export const SUM_NAMES = ["calls", "hits", "semantic_hits", "tokens_saved", "input_tokens", "output_tokens", "cost_usd", "embedding_cost_usd", "cost_saved_usd", "co2_saved_g", "unpriced", "legacy"];
/** The sums of usage rows, in the order of SUM_NAMES. */
export const SUM_EXPRESSIONS = [
  "count(*)", "sum(cache_hit)", "sum(semantic_hit)", "sum(tokens_saved)", "sum(input_tokens)", "sum(output_tokens)",
  "coalesce(sum(cost_usd), 0)", "sum(embedding_cost_usd)", "sum(cost_saved_usd)", "sum(co2_saved_g)", "sum(coalesce(priced = 0, 0))", "sum(priced IS NULL)",
];
const SUM_SELECT = SUM_EXPRESSIONS.join(", ");
const SUM_UPDATE = SUM_NAMES.map((name) => `${name} = ${name} + excluded.${name}`).join(", ");

const DIMENSIONS = "provider TEXT NOT NULL, model TEXT NOT NULL, prompt_type TEXT NOT NULL, namespace TEXT NOT NULL";
/** What every view can be filtered by. */
const FILTERED = "provider TEXT NOT NULL, model TEXT NOT NULL, namespace TEXT NOT NULL";

export const ROLLUP_SCHEMA = `
CREATE TABLE IF NOT EXISTS ecoai_dashboard_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
${Object.values(GRAINS)
  .map(
    ({ suffix }) => `
CREATE TABLE IF NOT EXISTS ecoai_dashboard_${suffix} (
  period TEXT NOT NULL, ${FILTERED}, ${SUMS},
  PRIMARY KEY (period, provider, model, namespace)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ecoai_dashboard_types_${suffix} (
  period TEXT NOT NULL, ${FILTERED}, prompt_type TEXT NOT NULL, calls INTEGER NOT NULL, hits INTEGER NOT NULL, semantic_hits INTEGER NOT NULL,
  PRIMARY KEY (period, provider, model, namespace, prompt_type)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ecoai_dashboard_all_types_${suffix} (
  period TEXT NOT NULL, prompt_type TEXT NOT NULL, calls INTEGER NOT NULL, hits INTEGER NOT NULL, semantic_hits INTEGER NOT NULL,
  PRIMARY KEY (period, prompt_type)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ecoai_dashboard_latency_${suffix} (
  period TEXT NOT NULL, ${FILTERED}, outcome INTEGER NOT NULL, histogram BLOB NOT NULL,
  PRIMARY KEY (period, provider, model, namespace, outcome)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ecoai_dashboard_all_latency_${suffix} (
  period TEXT NOT NULL, outcome INTEGER NOT NULL, histogram BLOB NOT NULL,
  PRIMARY KEY (period, outcome)
) WITHOUT ROWID;`,
  )
  .join("")}
CREATE TABLE IF NOT EXISTS ecoai_dashboard_prompts (id INTEGER PRIMARY KEY, prompt TEXT NOT NULL, ${DIMENSIONS});
CREATE UNIQUE INDEX IF NOT EXISTS ecoai_dashboard_prompts_key ON ecoai_dashboard_prompts (prompt, model, provider, prompt_type, namespace);
CREATE TABLE IF NOT EXISTS ecoai_dashboard_prompt_days (
  period TEXT NOT NULL, prompt_id INTEGER NOT NULL, ${SUMS}, last_seen TEXT NOT NULL,
  PRIMARY KEY (period, prompt_id)
) WITHOUT ROWID;
`;

/** Creates the tables, dropping aggregates of another version first (they are rebuilt from the log). */
export function createRollupTables(db: Database): void {
  const hasState = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ecoai_dashboard_state'").get();
  const version = hasState && db.prepare("SELECT value FROM ecoai_dashboard_state WHERE key = 'version'").get();
  if (!version || Number(version.value) !== ROLLUP_VERSION) {
    db.exec(`${ROLLUP_TABLES.map((table) => `DROP TABLE IF EXISTS ${table};`).join(" ")} DROP TABLE IF EXISTS ecoai_dashboard_state;`);
  }
  db.exec(ROLLUP_SCHEMA);
  db.prepare("INSERT OR REPLACE INTO ecoai_dashboard_state (key, value) VALUES ('version', ?)").run(ROLLUP_VERSION);
}

const RANGE = "FROM usage_log WHERE id > ? AND id <= ?";

/**
 * Folds the rows `id > ? AND id <= ?` written at or after `timestamp >= ?` into a grain's sums and
 * its per-type counts.
 */
export function updatePeriodsSql(grain: Grain): string[] {
  const { suffix, period } = GRAINS[grain];
  return [
    `INSERT INTO ecoai_dashboard_${suffix}
     SELECT ${period}, provider, model, namespace, ${SUM_SELECT}
       ${RANGE} AND timestamp >= ? GROUP BY 1, 2, 3, 4
     ON CONFLICT DO UPDATE SET ${SUM_UPDATE}`,
    `INSERT INTO ecoai_dashboard_types_${suffix}
     SELECT ${period}, provider, model, namespace, prompt_type, count(*), sum(cache_hit), sum(semantic_hit)
       ${RANGE} AND timestamp >= ? GROUP BY 1, 2, 3, 4, 5
     ON CONFLICT DO UPDATE SET calls = calls + excluded.calls, hits = hits + excluded.hits, semantic_hits = semantic_hits + excluded.semantic_hits`,
    // The same per type alone, for the unfiltered view (the one most often open).
    `INSERT INTO ecoai_dashboard_all_types_${suffix}
     SELECT ${period}, prompt_type, count(*), sum(cache_hit), sum(semantic_hit)
       ${RANGE} AND timestamp >= ? GROUP BY 1, 2
     ON CONFLICT DO UPDATE SET calls = calls + excluded.calls, hits = hits + excluded.hits, semantic_hits = semantic_hits + excluded.semantic_hits`,
  ];
}

/** The latency buckets of the rows `id > ? AND id <= ?` written at or after `timestamp >= ?`, per histogram of a grain. */
export function latencyBucketsSql(grain: Grain): string {
  return `SELECT ${GRAINS[grain].period} AS period, provider, model, namespace, cache_hit + semantic_hit AS outcome, ${latencyBucketSql()} AS bucket, count(*) AS calls
            ${RANGE} AND timestamp >= ? GROUP BY 1, 2, 3, 4, 5, 6`;
}

/** The id of a prompt by its whole key (prompt, model, provider, prompt_type, namespace). */
export const PROMPT_ID_SQL = "SELECT id FROM ecoai_dashboard_prompts WHERE prompt = ? AND model = ? AND provider = ? AND prompt_type = ? AND namespace = ?";
/** The prompts of the rows `id > ? AND id <= ?` not yet known, added; returns them with their new ids. */
export const NEW_PROMPTS_SQL = `INSERT INTO ecoai_dashboard_prompts (prompt, provider, model, prompt_type, namespace)
  SELECT DISTINCT prompt, provider, model, prompt_type, namespace ${RANGE}
  ON CONFLICT DO NOTHING RETURNING id, prompt, provider, model, prompt_type, namespace`;
/** The columns of a prompt-day as the dashboard reads them, its last call in ms since the epoch as SQLite parses it (NULL when it does not parse). */
export const PROMPT_DAY_COLUMNS = "period, prompt_id, calls, hits, semantic_hits, tokens_saved, cost_saved_usd, cost_usd + embedding_cost_usd AS spent_usd, round((julianday(last_seen) - 2440587.5) * 86400000) AS last_seen_ms";
/**
 * Adds the rows `id > ? AND id <= ?` to their prompt-days, per day and prompt, in one statement:
 * each row finds its prompt's id by its whole key, through the key's unique index (CROSS JOIN keeps
 * the new rows outer: SQLite joins in the order written, never scanning the prompts).
 */
export const ADD_PROMPT_DAYS_SQL = `INSERT INTO ecoai_dashboard_prompt_days (period, prompt_id, ${SUM_NAMES.join(", ")}, last_seen)
  SELECT substr(u.timestamp, 1, 10), p.id, ${SUM_EXPRESSIONS.join(", ")}, max(u.timestamp)
    FROM usage_log u CROSS JOIN ecoai_dashboard_prompts p
   WHERE u.id > ? AND u.id <= ? AND p.prompt = u.prompt AND p.model = u.model AND p.provider = u.provider AND p.prompt_type = u.prompt_type AND p.namespace = u.namespace
   GROUP BY 1, 2
  ON CONFLICT DO UPDATE SET ${SUM_UPDATE}, last_seen = max(last_seen, excluded.last_seen)`;
/** The same, returning each prompt-day as it now stands (for the in-memory prompt index). */
export const ADD_PROMPT_DAYS_RETURNING_SQL = `${ADD_PROMPT_DAYS_SQL} RETURNING ${PROMPT_DAY_COLUMNS}`;
