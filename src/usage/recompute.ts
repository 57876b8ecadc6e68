/**
 * Recomputes a usage log's cost, energy and CO₂e columns under the current method from the token
 * counts each row recorded, in batches, and reports what changed. Token counts, timestamps,
 * prompts and latencies are never touched. A row the current price table cannot price but that
 * was priced when written (by a `pricing` option the log does not record) keeps its dollars.
 * @module
 */
import type { Database, Row, SqlValue } from "../sqlite/database.ts";
import type { Provider } from "../types.ts";
import { accountFor, type AccountOptions } from "./call-account.ts";
import { METHODOLOGY_VERSION } from "./methodology.ts";
import { accountColumns, COMPUTED_COLUMNS } from "./row.ts";
import { ensureUsageSchema } from "./schema.ts";

/** Options of {@link recomputeLog}. */
export interface RecomputeOptions extends AccountOptions {
  /** Compute and report, write nothing. @default false */
  dryRun?: boolean;
  /** Only rows an earlier method computed; by default every row (a changed grid or price table applies too). @default false */
  onlyEarlier?: boolean;
  /** Rows read and written per transaction. @default 2000 */
  batchSize?: number;
}

/** Totals of the recomputed columns, before or after. */
export interface RecomputeTotals {
  costSavedUsd: number;
  spentUsd: number;
  co2SavedG: number;
  unpricedCalls: number;
}

/** What a recompute did (or, in a dry run, would do). */
export interface RecomputeReport {
  methodologyVersion: number;
  dryRun: boolean;
  /** Rows looked at. */
  rows: number;
  /** Of those, rows whose computed columns changed. */
  changed: number;
  /** Rows looked at, by the method version that had computed them. */
  byEarlierVersion: Record<string, number>;
  /** Rows whose dollars were kept: priced when written, unknown to the current table. */
  keptPrices: number;
  before: RecomputeTotals;
  after: RecomputeTotals;
}

const READ_COLUMNS = [
  "id", "timestamp", "provider", "model", "cache_hit", "input_tokens", "cached_input_tokens", "cache_write_input_tokens", "output_tokens",
  "reasoning_tokens", "image_count", "image_size", "image_quality", "embedding_tokens", ...COMPUTED_COLUMNS,
] as const;

const zero = (): RecomputeTotals => ({ costSavedUsd: 0, spentUsd: 0, co2SavedG: 0, unpricedCalls: 0 });

function addTo(totals: RecomputeTotals, values: Record<string, SqlValue>): void {
  totals.costSavedUsd += Number(values.cost_saved_usd ?? 0);
  totals.spentUsd += Number(values.cost_usd ?? 0) + Number(values.embedding_cost_usd ?? 0);
  totals.co2SavedG += Number(values.co2_saved_g ?? 0);
  if (values.priced === 0) totals.unpricedCalls++;
}

/** The row's computed columns under the current method. */
function recomputed(row: Row, options: AccountOptions): { values: Record<(typeof COMPUTED_COLUMNS)[number], SqlValue>; keptPrice: boolean } {
  const hit = Number(row.cache_hit) === 1;
  const images = Number(row.image_count) > 0 ? { count: Number(row.image_count), size: String(row.image_size ?? ""), quality: String(row.image_quality ?? "") } : undefined;
  const account = accountFor(
    {
      model: String(row.model),
      provider: String(row.provider) as Provider,
      cacheHit: hit,
      timestamp: String(row.timestamp),
      usage: {
        inputTokens: Number(row.input_tokens),
        cachedInputTokens: Number(row.cached_input_tokens ?? 0),
        cacheWriteInputTokens: Number(row.cache_write_input_tokens ?? 0),
        outputTokens: Number(row.output_tokens),
        reasoningTokens: Number(row.reasoning_tokens ?? 0),
        ...(images ? { images } : {}),
      },
      // The embedding model is not recorded: its cost stays as written.
      embedding: { tokens: Number(row.embedding_tokens ?? 0), costUsd: Number(row.embedding_cost_usd ?? 0) },
    },
    options,
  );
  const values = accountColumns(account);
  const keptPrice = !account.priced && Number(row.priced) === 1;
  if (keptPrice) {
    // Priced when written (a `pricing` option), unknown to the table now: the dollars stay.
    values.cost_usd = row.cost_usd ?? null;
    values.cost_saved_usd = row.cost_saved_usd ?? 0;
    values.priced = 1;
  }
  return { values, keptPrice };
}

const same = (a: SqlValue | undefined, b: SqlValue | undefined) =>
  typeof a === "number" && typeof b === "number" ? Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b)) : (a ?? null) === (b ?? null);

/**
 * Recomputes the log's rows under the current method and reports the totals before and after.
 *
 * @example
 * const report = recomputeLog(db, { dryRun: true });
 * report.byEarlierVersion; // { "1": 5000 }
 */
export function recomputeLog(db: Database, options: RecomputeOptions = {}): RecomputeReport {
  // An older log gains the columns first (in place, every value kept), as opening it for writing would.
  ensureUsageSchema(db);
  const batchSize = options.batchSize ?? 2000;
  const where = options.onlyEarlier ? `AND methodology_version < ${METHODOLOGY_VERSION}` : "";
  const read = db.prepare(`SELECT ${READ_COLUMNS.join(", ")} FROM usage_log WHERE id > ? ${where} ORDER BY id LIMIT ?`);
  const update = db.prepare(`UPDATE usage_log SET ${COMPUTED_COLUMNS.map((c) => `${c} = ?`).join(", ")} WHERE id = ?`);
  const report: RecomputeReport = { methodologyVersion: METHODOLOGY_VERSION, dryRun: options.dryRun === true, rows: 0, changed: 0, byEarlierVersion: {}, keptPrices: 0, before: zero(), after: zero() };
  let after = 0;
  for (;;) {
    const batch = () => {
      const rows = read.all(after, batchSize);
      for (const row of rows) {
        const version = Number(row.methodology_version ?? 1);
        if (version < METHODOLOGY_VERSION) report.byEarlierVersion[version] = (report.byEarlierVersion[version] ?? 0) + 1;
        const { values, keptPrice } = recomputed(row, options);
        report.rows++;
        if (keptPrice) report.keptPrices++;
        addTo(report.before, row);
        addTo(report.after, values);
        if (COMPUTED_COLUMNS.every((column) => same(row[column], values[column]))) continue;
        report.changed++;
        if (!options.dryRun) update.run(...COMPUTED_COLUMNS.map((column) => values[column]), Number(row.id));
      }
      return rows;
    };
    const rows = options.dryRun ? batch() : db.transaction(batch);
    if (rows.length === 0) break;
    after = Number(rows.at(-1)!.id);
  }
  return report;
}
