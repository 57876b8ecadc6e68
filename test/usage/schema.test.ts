import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createDashboardApp } from "../../src/dashboard/app.ts";
import { openDatabase } from "../../src/sqlite/database.ts";
import { createUsageLog } from "../../src/usage/log.ts";
import { USAGE_COLUMNS } from "../../src/usage/schema.ts";
import { recordingLogger } from "../harness.ts";
import { tempDir } from "../temp.ts";
import { LEGACY_COLUMNS, LEGACY_INSERT, legacyRow, writeLegacyLog } from "./legacy-schema.ts";

const dir = tempDir();

function readAll(path: string, columns: readonly string[]) {
  const db = openDatabase(path);
  try {
    return db.prepare(`SELECT id, ${columns.join(", ")} FROM usage_log ORDER BY id`).all();
  } finally {
    db.close();
  }
}

function newRecord(prompt: string) {
  return {
    timestamp: "2026-11-02T00:00:00.000Z", provider: "openai", model: "gpt-4o", cacheHit: false, semanticHit: false, cacheKey: "k",
    namespace: "tenant-a", prompt, promptType: "text", usage: { inputTokens: 1000, cachedInputTokens: 0, outputTokens: 100 }, latencyMs: 12,
  } as const;
}

describe("a log written by the previous release", () => {
  const path = join(dir, "previous-usage.db");
  const db = openDatabase(path);
  writeLegacyLog(db, 5000);
  db.close();
  const before = readAll(path, LEGACY_COLUMNS);

  test("is migrated in place when opened: every row and every value kept, the new columns say 'not recorded'", () => {
    const log = createUsageLog({ path, logger: recordingLogger() });
    const summaryBefore = log.summary();
    log.close();
    expect(readAll(path, LEGACY_COLUMNS)).toEqual(before);
    const added = readAll(path, ["namespace", "cached_input_tokens", "cost_usd", "priced", "semantic_score", "matched_prompt"]);
    expect(added).toHaveLength(5000);
    expect(added.every((row) => row.namespace === "" && row.cached_input_tokens === 0 && row.cost_usd === null && row.priced === null && row.semantic_score === null && row.matched_prompt === null)).toBe(true);
    // Totals are the sums of the kept rows; spending before it was recorded counts as unknown, not zero cost.
    const sum = (column: string) => before.reduce((total, row) => total + Number(row[column]), 0);
    expect(summaryBefore).toMatchObject({ totalCalls: 5000, cacheHits: before.filter((row) => row.cache_hit === 1).length, tokensSaved: sum("tokens_saved"), unpricedCalls: 0 });
    expect(summaryBefore.costSavedUsd).toBeCloseTo(sum("cost_saved_usd"), 9);
    expect(summaryBefore.spentUsd).toBeCloseTo(sum("embedding_cost_usd"), 12);
  });

  test("takes new rows with their cost, namespace and match, and still takes the previous release's inserts", () => {
    const log = createUsageLog({ path, logger: recordingLogger() });
    log.record(newRecord("after the migration"));
    log.close();
    // A process still running the previous release writes its rows as it always did.
    const old = openDatabase(path);
    old.prepare(LEGACY_INSERT).run(...legacyRow(5000));
    old.close();
    const rows = readAll(path, USAGE_COLUMNS).slice(-2);
    expect(rows[0]).toMatchObject({ prompt: "after the migration", namespace: "tenant-a", priced: 1, cost_usd: (1000 * 2.5 + 100 * 10) / 1e6 });
    expect(rows[1]).toMatchObject({ id: 5002, namespace: "", cost_usd: null, priced: null });
    expect(readAll(path, LEGACY_COLUMNS).slice(0, 5000)).toEqual(before);
  });

  test("the dashboard opens it, and a log already current is opened without writing", async () => {
    const app = await createDashboardApp({ dbPath: path, settingsPath: join(dir, "settings.json") });
    const summary = await (await app.handle(new Request("http://127.0.0.1/api/summary"))).json();
    expect(summary.totalCalls).toBe(5002);
    app.close();
    // Another process holds the write lock: opening a current log does not wait for it.
    const holder = openDatabase(path);
    holder.exec("BEGIN IMMEDIATE");
    const started = performance.now();
    const log = createUsageLog({ path, logger: recordingLogger() });
    expect(log.history({ limit: 1 })).toHaveLength(1);
    holder.exec("ROLLBACK");
    holder.close();
    log.close();
    expect(performance.now() - started).toBeLessThan(4000);
  });
});

test("a usage log written before embedding costs were recorded gains every column and keeps its rows", () => {
  const path = join(dir, "first-release-usage.db");
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
  log.record({ ...newRecord("new"), embedding: { tokens: 50, costUsd: 0.000001 } });
  const [newest, oldest] = log.history();
  expect(oldest).toMatchObject({ model: "gpt-4o", cacheHit: true, costSavedUsd: 0.5, embeddingTokens: 0, embeddingCostUsd: 0, costUsd: null, priced: null });
  expect(newest).toMatchObject({ prompt: "new", embeddingTokens: 50, embeddingCostUsd: 0.000001, costSavedUsd: -0.000001 });
  expect(log.summary().costSavedUsd).toBeCloseTo(0.5 - 0.000001, 12);
  log.close();
  const db = openDatabase(path);
  const columns = db.prepare("PRAGMA table_info(usage_log)").all().map((row) => String(row.name));
  db.close();
  expect(columns.slice(1)).toEqual([...USAGE_COLUMNS]);
});
