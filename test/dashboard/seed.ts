import { openDatabase } from "../../src/sqlite/database.ts";
import type { PromptType, Provider } from "../../src/types.ts";
import { USAGE_COLUMNS, USAGE_SCHEMA } from "../../src/usage/schema.ts";

/** One usage row to seed; unspecified fields take plain defaults. */
export interface SeedRow {
  timestamp?: string;
  provider?: Provider;
  model?: string;
  cacheHit?: boolean;
  semanticHit?: boolean;
  prompt?: string;
  promptType?: PromptType;
  inputTokens?: number;
  outputTokens?: number;
  tokensSaved?: number;
  latencyMs?: number;
  costSavedUsd?: number;
  co2SavedG?: number;
  embeddingTokens?: number;
  embeddingCostUsd?: number;
}

/** Writes rows straight into a usage log file, as many processes' EcoAI instances would have. */
export function seedUsageLog(path: string, rows: SeedRow[]): void {
  const db = openDatabase(path);
  db.transaction(() => db.exec(USAGE_SCHEMA));
  const insert = db.prepare(`INSERT INTO usage_log (${USAGE_COLUMNS.join(", ")}) VALUES (${USAGE_COLUMNS.map(() => "?").join(", ")})`);
  db.transaction(() => {
    for (const row of rows) {
      const hit = row.cacheHit ?? false;
      insert.run(
        row.timestamp ?? new Date().toISOString(),
        row.provider ?? "openai",
        row.model ?? "gpt-4o",
        hit ? 1 : 0,
        row.semanticHit ? 1 : 0,
        null,
        row.prompt ?? "hello",
        row.promptType ?? "text",
        row.inputTokens ?? 10,
        row.outputTokens ?? 20,
        row.tokensSaved ?? (hit ? 20 : 0),
        row.latencyMs ?? (hit ? 0.5 : 300),
        row.costSavedUsd ?? (hit ? 0.000225 : 0),
        row.co2SavedG ?? (hit ? 0.0006 : 0),
        row.embeddingTokens ?? 0,
        row.embeddingCostUsd ?? 0,
      );
    }
  });
  db.close();
}
