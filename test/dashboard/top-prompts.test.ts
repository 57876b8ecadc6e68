import { expect, test } from "bun:test";
import { join } from "node:path";
import type { DashboardApp } from "../../src/dashboard/app.ts";
import { resetRollup } from "../../src/dashboard/rollup.ts";
import { openDatabase } from "../../src/sqlite/database.ts";
import { tempDir } from "../temp.ts";
import { dashboardsOver } from "./apps.ts";
import { getJson } from "./request.ts";
import { seedUsageLog, type SeedRow } from "./seed.ts";

// The overview's top prompts are kept between requests and follow the folds of this dashboard and
// of another one on the same file, and prunes: every answer is the one the raw rows give.
const NOW = new Date("2026-11-29T17:30:00Z");
const HOUR = 3_600_000;
const dir = tempDir();
const dbPath = join(dir, "usage.db");
const rows: SeedRow[] = [];
const dashboard = dashboardsOver(dbPath, join(dir, "settings.json"), NOW);

/** `hits` hits and a miss of one prompt, `hoursAgo` before now. */
function write(prompt: string, hits: number, hoursAgo: number, provider: "openai" | "anthropic" = "openai"): void {
  const model = provider === "openai" ? "gpt-4o" : "claude-sonnet-4-5";
  const timestamp = new Date(NOW.getTime() - hoursAgo * HOUR).toISOString();
  const added: SeedRow[] = Array.from({ length: hits + 1 }, (_, i) => ({ prompt, provider, model, timestamp, cacheHit: i < hits }));
  seedUsageLog(dbPath, added);
  rows.push(...added);
}

/** The prompts (text and provider) with the most hits in the last `days` days, from the raw rows (no two with as many). */
function expected(days: number, provider?: string): [string, number][] {
  const from = new Date(Date.UTC(2026, 10, 29) - (days - 1) * 86_400_000).toISOString();
  const hits = new Map<string, number>();
  for (const row of rows) {
    if (row.timestamp! < from || !row.cacheHit || (provider && row.provider !== provider)) continue;
    const key = `${row.prompt} (${row.provider})`;
    hits.set(key, (hits.get(key) ?? 0) + 1);
  }
  return [...hits].sort((a, b) => b[1] - a[1]).slice(0, 8);
}

async function top(app: DashboardApp, query: string): Promise<[string, number][]> {
  const { body } = await getJson(app, `/api/overview?${query}`);
  return body.topPrompts.map((p: { prompt: string; provider: string; hits: number }) => [`${p.prompt} (${p.provider})`, p.hits]);
}

async function expectTop(app: DashboardApp): Promise<void> {
  expect(await top(app, "range=7d")).toEqual(expected(7));
  expect(await top(app, "range=7d&provider=anthropic")).toEqual(expected(7, "anthropic"));
}

test("the top prompts follow new rows, this dashboard's folds, another dashboard's folds and a prune", async () => {
  for (let i = 0; i < 12; i++) write(`prompt ${i}`, 2 * i + 1, 10 + i * 7, i % 3 === 0 ? "anthropic" : "openai");
  const app = await dashboard();
  app.prepare();
  await expectTop(app);

  // A prompt far down the list rises above every other: first from the tail, then once folded here.
  write("prompt 1", 40, 1);
  write("prompt 3", 41, 2);
  await expectTop(app);
  app.prepare();
  await expectTop(app);
  // A prompt no dashboard had seen.
  write("new prompt", 50, 1, "anthropic");
  app.prepare();
  await expectTop(app);
  // Calls of a day no call had, before the days known (rows logged late): every day is ranked anew.
  write("prompt 5", 33, 5 * 24 + 3);
  await expectTop(app);
  app.prepare();
  await expectTop(app);

  // Rows folded by another dashboard on the same file, a prompt among them new to this one.
  const other = await dashboard();
  other.prepare();
  write("folded elsewhere", 60, 3);
  write("prompt 2", 45, 2, "anthropic");
  other.prepare();
  await expectTop(app);
  app.prepare();
  await expectTop(app);
  // Each prompt under the id a dashboard opened now gives it.
  const fresh = await dashboard();
  expect((await getJson(app, "/api/overview?range=7d")).body.topPrompts).toEqual((await getJson(fresh, "/api/overview?range=7d")).body.topPrompts);

  // What `ecoai prune` does: rows go, the aggregates are emptied for the dashboards to rebuild.
  const db = openDatabase(dbPath);
  db.prepare("DELETE FROM usage_log WHERE prompt IN ('folded elsewhere', 'new prompt')").run();
  resetRollup(db);
  db.close();
  rows.splice(0, rows.length, ...rows.filter((row) => row.prompt !== "folded elsewhere" && row.prompt !== "new prompt"));
  await expectTop(app);
});
