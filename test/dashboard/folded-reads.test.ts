import { expect, test } from "bun:test";
import { join } from "node:path";
import type { DashboardApp } from "../../src/dashboard/app.ts";
import { resetRollup } from "../../src/dashboard/rollup.ts";
import { openDatabase } from "../../src/sqlite/database.ts";
import { tempDir } from "../temp.ts";
import { dashboardsOver } from "./apps.ts";
import { getJson } from "./request.ts";
import { seedUsageLog, type SeedRow } from "./seed.ts";

// A dashboard keeps what it read of the aggregate tables between requests: after another
// dashboard's fold, a prune or a recompute on the same file, it answers what the raw rows give.
const NOW = new Date("2026-11-29T17:30:00Z");
const HOUR = 3_600_000;
const dir = tempDir();
const dbPath = join(dir, "usage.db");
const dashboard = dashboardsOver(dbPath, join(dir, "settings.json"), NOW);

function rowsOf(n: number, model: string, promptType: "text" | "image", hoursAgo: number, costUsd: number): SeedRow[] {
  const provider = model.startsWith("claude") ? "anthropic" : "openai";
  return Array.from({ length: n }, (_, i) => ({ prompt: `prompt ${i % 5}`, provider, model, promptType, costUsd, cacheHit: i % 2 === 0, timestamp: new Date(NOW.getTime() - (hoursAgo + i / n) * HOUR).toISOString() }));
}

/** What the overview shows of the log's rows, computed from them. */
function expected(range: "24h" | "7d", model?: string) {
  const db = openDatabase(dbPath);
  try {
    const from = range === "24h" ? new Date(NOW.getTime() - 23 * HOUR).toISOString().slice(0, 13) : new Date(Date.UTC(2026, 10, 23)).toISOString();
    const where = `timestamp >= '${from}'${model ? ` AND model = '${model}'` : ""}`;
    const totals = db.prepare(`SELECT count(*) AS calls, sum(cache_hit) AS hits, coalesce(sum(cost_usd), 0) AS spent FROM usage_log WHERE ${where}`).get()!;
    const types = db.prepare(`SELECT prompt_type AS key, count(*) AS calls FROM usage_log WHERE ${where} GROUP BY 1 ORDER BY 2 DESC, 1`).all();
    const models = db.prepare("SELECT DISTINCT model AS value FROM usage_log ORDER BY 1").all().map((row) => row.value);
    return { calls: Number(totals.calls), hits: Number(totals.hits ?? 0), spent: Number(totals.spent), types: types.map((row) => [row.key, Number(row.calls)]), models };
  } finally {
    db.close();
  }
}

async function expectOverview(app: DashboardApp): Promise<void> {
  for (const [range, model] of [["7d"], ["24h"], ["7d", "claude-sonnet-4-5"]] as const) {
    const { body } = await getJson(app, `/api/overview?range=${range}${model ? `&model=${model}` : ""}`);
    const raw = expected(range, model);
    expect(body.totals.calls).toBe(raw.calls);
    expect(body.totals.hits).toBe(raw.hits);
    expect(body.totals.spentUsd).toBeCloseTo(raw.spent, 10);
    expect(body.contentTypes.map((type: { key: string; calls: number }) => [type.key, type.calls])).toEqual(raw.types);
    expect(body.facets.models).toEqual(raw.models);
  }
}

test("the overview follows another dashboard's fold, a prune and a recompute of the same file", async () => {
  seedUsageLog(dbPath, [...rowsOf(40, "gpt-4o", "text", 2, 0.001), ...rowsOf(30, "claude-sonnet-4-5", "text", 30, 0.002)]);
  const app = await dashboard();
  app.prepare();
  await expectOverview(app);
  // Rows this dashboard folds: what it kept is read again at the fold.
  seedUsageLog(dbPath, rowsOf(12, "gpt-4o", "image", 3, 0.005));
  app.prepare();
  await expectOverview(app);

  // Another dashboard folds new rows (a model and a content type not seen before): this one has no tail to read them from.
  const other = await dashboard();
  seedUsageLog(dbPath, [...rowsOf(25, "claude-sonnet-4-5", "image", 1, 0.003), ...rowsOf(10, "gpt-4.1", "text", 50, 0.004)]);
  other.prepare();
  await expectOverview(app);

  // `ecoai prune`: rows go, the tables are emptied.
  const db = openDatabase(dbPath);
  db.prepare("DELETE FROM usage_log WHERE model = 'gpt-4.1' OR (model = 'gpt-4o' AND cache_hit = 1)").run();
  resetRollup(db);
  await expectOverview(app);
  // `ecoai recompute`: what calls cost changes, the tables are emptied; then folded by the other dashboard first.
  db.prepare("UPDATE usage_log SET cost_usd = cost_usd * 3 WHERE model = 'claude-sonnet-4-5'").run();
  resetRollup(db);
  db.close();
  other.prepare();
  await expectOverview(app);
});
