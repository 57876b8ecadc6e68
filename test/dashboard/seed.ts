import { openDatabase, type SqlValue } from "../../src/sqlite/database.ts";
import type { PromptType, Provider } from "../../src/types.ts";
import { ensureUsageSchema, USAGE_COLUMNS, USAGE_INSERT, type UsageColumn } from "../../src/usage/schema.ts";

/** One usage row to seed; unspecified fields take plain defaults. */
export interface SeedRow {
  timestamp?: string;
  provider?: Provider;
  model?: string;
  cacheHit?: boolean;
  semanticHit?: boolean;
  cacheKey?: string | null;
  namespace?: string;
  prompt?: string;
  promptType?: PromptType;
  inputTokens?: number;
  outputTokens?: number;
  tokensSaved?: number;
  latencyMs?: number;
  /** What the call paid (0 for a hit by default); `null`: unknown. */
  costUsd?: number | null;
  priced?: boolean | null;
  costSavedUsd?: number;
  co2SavedG?: number;
  embeddingTokens?: number;
  embeddingCostUsd?: number;
  semanticScore?: number | null;
  matchedPrompt?: string | null;
  /** Method that computed the row. @default 2 */
  methodologyVersion?: number;
  /** Energy and CO₂e of the response (methodology 2); absent: not computed. */
  energyWh?: { low: number; central: number; high: number };
  co2eG?: { low: number; central: number; high: number };
  gridGPerKwh?: number;
}

/** A seed row as the values of an insert, in `USAGE_COLUMNS` order. */
export function seedValues(row: SeedRow): SqlValue[] {
  const hit = row.cacheHit ?? false;
  const values: Record<UsageColumn, SqlValue> = {
    timestamp: row.timestamp ?? new Date().toISOString(),
    provider: row.provider ?? "openai",
    model: row.model ?? "gpt-4o",
    cache_hit: hit ? 1 : 0,
    semantic_hit: row.semanticHit ? 1 : 0,
    cache_key: row.cacheKey ?? null,
    prompt: row.prompt ?? "hello",
    prompt_type: row.promptType ?? "text",
    input_tokens: row.inputTokens ?? 10,
    output_tokens: row.outputTokens ?? 20,
    tokens_saved: row.tokensSaved ?? (hit ? 20 : 0),
    latency_ms: row.latencyMs ?? (hit ? 0.5 : 300),
    cost_saved_usd: row.costSavedUsd ?? (hit ? 0.000225 : 0),
    co2_saved_g: row.co2SavedG ?? (hit ? 0.0006 : 0),
    embedding_tokens: row.embeddingTokens ?? 0,
    embedding_cost_usd: row.embeddingCostUsd ?? 0,
    namespace: row.namespace ?? "",
    cached_input_tokens: 0,
    cost_usd: row.costUsd === undefined ? (hit ? 0 : 0.000225) : row.costUsd,
    priced: row.priced === undefined ? 1 : row.priced === null ? null : row.priced ? 1 : 0,
    semantic_score: row.semanticScore ?? (row.semanticHit ? 0.96 : null),
    matched_prompt: row.matchedPrompt ?? null,
    methodology_version: row.methodologyVersion ?? 2,
    cache_write_input_tokens: 0,
    reasoning_tokens: 0,
    image_count: 0,
    image_size: null,
    image_quality: null,
    energy_wh_low: row.energyWh?.low ?? null,
    energy_wh_central: row.energyWh?.central ?? null,
    energy_wh_high: row.energyWh?.high ?? null,
    co2e_g_low: row.co2eG?.low ?? null,
    co2e_g_central: row.co2eG?.central ?? null,
    co2e_g_high: row.co2eG?.high ?? null,
    grid_g_per_kwh: row.gridGPerKwh ?? null,
    embedding_co2e_g: 0,
  };
  return USAGE_COLUMNS.map((column) => values[column]);
}

/** Writes rows straight into a usage log file, as many processes' EcoAI instances would have. */
export function seedUsageLog(path: string, rows: SeedRow[]): void {
  const db = openDatabase(path);
  ensureUsageSchema(db);
  const insert = db.prepare(USAGE_INSERT);
  db.transaction(() => {
    for (const row of rows) insert.run(...seedValues(row));
  });
  db.close();
}
