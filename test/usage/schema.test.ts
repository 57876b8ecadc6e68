import { expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../../src/sqlite/database.ts";
import { createUsageLog } from "../../src/usage/log.ts";
import { recordingLogger } from "../harness.ts";
import { tempDir } from "../temp.ts";

const dir = tempDir();

test("a usage log written before embedding costs were recorded gains the columns and keeps its rows", () => {
  const path = join(dir, "old-usage.db");
  const old = openDatabase(path);
  old.exec(`
    CREATE TABLE usage_log (
      id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL,
      cache_hit INTEGER NOT NULL, semantic_hit INTEGER NOT NULL DEFAULT 0, cache_key TEXT,
      prompt TEXT NOT NULL DEFAULT '', prompt_type TEXT NOT NULL DEFAULT 'text',
      input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0,
      tokens_saved INTEGER NOT NULL DEFAULT 0, latency_ms REAL NOT NULL DEFAULT 0,
      cost_saved_usd REAL NOT NULL DEFAULT 0, co2_saved_g REAL NOT NULL DEFAULT 0
    );
    INSERT INTO usage_log (timestamp, provider, model, cache_hit, cost_saved_usd) VALUES ('2026-01-01T00:00:00.000Z', 'openai', 'gpt-4o', 1, 0.5);
  `);
  old.close();

  const log = createUsageLog({ path, logger: recordingLogger() });
  log.record({
    timestamp: "2026-01-02T00:00:00.000Z", provider: "openai", model: "gpt-4o", cacheHit: false, semanticHit: false, cacheKey: null,
    prompt: "new", promptType: "text", inputTokens: 5, outputTokens: 0, tokensSaved: 0, latencyMs: 1,
    costSavedUsd: -0.000001, co2SavedG: 0, embeddingTokens: 50, embeddingCostUsd: 0.000001,
  });
  const [newest, oldest] = log.history();
  expect(oldest).toMatchObject({ model: "gpt-4o", cacheHit: true, costSavedUsd: 0.5, embeddingTokens: 0, embeddingCostUsd: 0 });
  expect(newest).toMatchObject({ prompt: "new", embeddingTokens: 50, embeddingCostUsd: 0.000001, costSavedUsd: -0.000001 });
  expect(log.summary().costSavedUsd).toBeCloseTo(0.5 - 0.000001, 12);
  log.close();
});
