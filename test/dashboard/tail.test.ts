import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createDashboardApp, type DashboardApp } from "../../src/dashboard/app.ts";
import { FOLD_DELAY_MS } from "../../src/dashboard/rollup.ts";
import { openDatabase } from "../../src/sqlite/database.ts";
import { tempDir } from "../temp.ts";
import { getJson } from "./request.ts";
import { seedUsageLog, type SeedRow } from "./seed.ts";

// A dashboard answers from its aggregates plus the rows written since their last fold (the tail),
// and folds those after the response: its answers must be the ones a fully folded log gives.
const NOW = new Date("2026-11-29T17:30:00Z");
const DAY = 86_400_000;
const dir = tempDir();
const dbPath = join(dir, "usage.db");
const MODELS = [["openai", "gpt-4o"], ["anthropic", "claude-sonnet-4-5"], ["gemini", "gemini-2.5-flash"]] as const;

let seed = 7;
const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;

/** A call `ago` ms before now, its prompt and dimensions picked by `n`. */
function row(ago: number, n: number, prompt = `prompt ${n % 90}`): SeedRow {
  const [provider, model] = MODELS[n % MODELS.length]!;
  const hit = next() < 0.5;
  const semantic = hit && n % 4 === 0;
  return {
    timestamp: new Date(NOW.getTime() - ago).toISOString(), provider, model, namespace: n % 3 === 0 ? "tenant-a" : "", promptType: n % 5 === 0 ? "image" : "text", prompt,
    cacheHit: hit, semanticHit: semantic, tokensSaved: hit ? 10 + (n % 40) : 0, costUsd: hit ? 0 : 0.001 * (1 + (n % 7)),
    costSavedUsd: hit ? 0.002 : 0, embeddingCostUsd: semantic ? 0.00001 : 0, latencyMs: hit ? 0.2 + next() * (semantic ? 40 : 2) : 200 + next() * 1500,
  };
}

const FOLDED: SeedRow[] = Array.from({ length: 3000 }, (_, i) => row(Math.floor(next() * 90 * DAY), i));
seedUsageLog(dbPath, FOLDED);

let app: DashboardApp;
afterAll(() => app?.close());

function watermark(): number {
  const db = openDatabase(dbPath);
  try {
    return Number(db.prepare("SELECT coalesce(max(value), 0) AS value FROM ecoai_dashboard_state WHERE key = 'watermark'").get()?.value ?? 0);
  } finally {
    db.close();
  }
}

/** Equal, numbers within a part in 10¹⁰ (sums of dollars added in another order differ in the last bits). */
function expectSame(actual: unknown, expected: unknown, path = "$"): void {
  if (typeof expected === "number" && typeof actual === "number") {
    if (actual !== expected) expect(Math.abs(actual - expected), path).toBeLessThanOrEqual(Math.abs(expected) * 1e-10);
    return;
  }
  if (expected && typeof expected === "object") {
    expect(typeof actual, path).toBe("object");
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) expectSame((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    return;
  }
  expect(actual, path).toEqual(expected);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

const PATHS = [
  "/api/summary",
  "/api/overview?range=90d",
  "/api/overview?range=30d&provider=anthropic",
  "/api/overview?range=24h&namespace=tenant-a",
  "/api/overview?range=7d&model=gpt-4o&namespace=",
  "/api/timeseries?days=30",
  "/api/prompts",
  "/api/prompts?range=90d&sort=hits",
  "/api/prompts?range=7d&filter=semantic",
  "/api/prompts?range=24h&q=asked%20since",
  "/api/requests?range=90d&outcome=hit&limit=200",
  "/api/requests?range=24h&type=image",
  "/api/requests?range=7d&provider=gemini&model=gemini-2.5-flash&namespace=&type=text&prompt=asked%20since%20the%20fold%202",
];

test("a read with a large unfolded tail answers what a folded log answers, and the fold runs after it", async () => {
  app = await createDashboardApp({ dbPath, settingsPath: join(dir, "settings.json"), now: () => NOW });
  app.prepare();
  expect((await getJson(app, "/api/prompts?range=90d")).body.total).toBeGreaterThan(50);
  const folded = watermark();
  expect(folded).toBe(FOLDED.length);

  // The tail: known prompts on their days and on new ones, prompts first asked now, a day no call had, the last hour.
  const tail: SeedRow[] = [];
  for (let i = 0; i < 12_000; i++) tail.push(row(Math.floor(next() * (i % 3 === 0 ? 3_600_000 : 95 * DAY)), i * 7, i % 10 === 0 ? `asked since the fold ${i % 13}` : undefined));
  seedUsageLog(dbPath, tail);
  const rows = [...FOLDED, ...tail];

  const answers = new Map<string, unknown>();
  for (const path of PATHS) {
    const { status, body } = await getJson(app, path);
    expect(status, path).toBe(200);
    answers.set(path, body);
  }
  // Answered from the tables and the tail: nothing was folded on the way.
  expect(watermark()).toBe(folded);

  // Against the raw rows: totals, the daily series, latency percentiles and the top prompts.
  const overview = answers.get("/api/overview?range=90d") as any;
  const from = new Date(Date.UTC(2026, 10, 29) - 89 * DAY).toISOString();
  const inRange = rows.filter((r) => r.timestamp! >= from);
  const hits = inRange.filter((r) => r.cacheHit);
  expect(overview.totals).toMatchObject({ calls: inRange.length, hits: hits.length, semanticHits: hits.filter((r) => r.semanticHit).length, tokensSaved: hits.reduce((s, r) => s + r.tokensSaved!, 0) });
  expect(overview.totals.spentUsd).toBeCloseTo(inRange.reduce((s, r) => s + r.costUsd! + r.embeddingCostUsd!, 0), 10);
  for (const day of overview.series) expect(day.calls).toBe(inRange.filter((r) => r.timestamp!.startsWith(day.period)).length);
  const misses = inRange.filter((r) => !r.cacheHit).map((r) => r.latencyMs!);
  expect(overview.latency.misses.calls).toBe(misses.length);
  for (const p of [0.5, 0.95]) {
    const key = p === 0.5 ? "p50" : "p95";
    expect(overview.latency.misses[key]).toBeGreaterThan(percentile(misses, p) * 0.94);
    expect(overview.latency.misses[key]).toBeLessThan(percentile(misses, p) * 1.06);
  }
  const byPrompt = new Map<string, number>();
  for (const r of hits) byPrompt.set([r.prompt, r.model, r.provider, r.promptType, r.namespace].join("|"), (byPrompt.get([r.prompt, r.model, r.provider, r.promptType, r.namespace].join("|")) ?? 0) + 1);
  const topHits = [...byPrompt.values()].sort((a, b) => b - a).slice(0, 8);
  expect(overview.topPrompts.map((p: { hits: number }) => p.hits)).toEqual(topHits);
  for (const p of overview.topPrompts) expect(p.hits).toBe(byPrompt.get([p.prompt, p.model, p.provider, p.promptType, p.namespace].join("|")));
  expect((answers.get("/api/summary") as any).totalCalls).toBe(rows.length);
  // The prompts of a 24-hour range are those of the days it touches.
  expect((answers.get("/api/prompts?range=24h&q=asked%20since") as any).total).toBe(new Set(tail.filter((r) => r.prompt!.startsWith("asked since") && r.timestamp! >= "2026-11-28").map((r) => [r.prompt, r.model, r.provider, r.promptType, r.namespace].join("|"))).size);

  // After the response, the fold runs on its own.
  await Bun.sleep(FOLD_DELAY_MS + 500);
  expect(watermark()).toBe(rows.length);

  // A dashboard opened on the folded log, with no tail, answers the same to the last call and cent.
  const fresh = await createDashboardApp({ dbPath, settingsPath: join(dir, "settings.json"), now: () => NOW });
  try {
    for (const path of PATHS) expectSame((await getJson(fresh, path)).body, answers.get(path), path);
    // And so does this one, now that it has folded its tail.
    for (const path of PATHS) expectSame((await getJson(app, path)).body, answers.get(path), path);
  } finally {
    await fresh.close();
  }
});
