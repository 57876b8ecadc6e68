/**
 * Dashboard API latency at 1,000,000 usage rows, against baselines measured in the same run on the
 * same file:
 *
 *  - `SELECT count(*) FROM usage_log` (the cheapest question about the whole log), and
 *  - `querySummary(db)` over every row (what a request would cost if it scanned the log).
 *
 * The dashboard answers from aggregates it keeps beside the log and brings up to date from new
 * rows only; their first build (once per file, persisted) and the cost of folding in a fresh batch
 * of rows are printed too. Target: p50 ≤ 50 ms per API request.
 *
 * Run: `bun bench/dashboard.ts [rows]` (or `npm run bench:dashboard`). Prints; asserts nothing.
 * `ECOAI_BENCH_DB=path` keeps the seeded file there and reuses it on the next run.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDashboardApp } from "../src/dashboard/app.ts";
import { openDatabase, type Database } from "../src/sqlite/database.ts";
import type { PromptType } from "../src/types.ts";
import { querySummary } from "../src/usage/queries.ts";
import { USAGE_COLUMNS, USAGE_SCHEMA } from "../src/usage/schema.ts";
import { summarize, table } from "./stats.ts";

const ROWS = Number(process.argv[2] ?? 1_000_000);
const DISTINCT_PROMPTS = 50_000;
const DAYS = 90;
const SAMPLES = 40;
const TARGET_MS = 50;

const MODELS = [
  ["openai", "gpt-4o"], ["openai", "gpt-4o-mini"], ["openai", "gpt-4.1"], ["openai", "o3-mini"],
  ["anthropic", "claude-sonnet-4-5"], ["anthropic", "claude-haiku-4-5"], ["anthropic", "claude-opus-4-1"],
  ["gemini", "gemini-2.5-flash"], ["gemini", "gemini-2.5-pro"], ["gemini", "gemini-2.0-flash"],
] as const;
const TYPES: PromptType[] = ["text", "text", "text", "text", "structured", "tool", "image", "file", "audio", "image_output"];
const WORDS = ["refund", "invoice", "shipping", "password", "summary", "translate", "billing", "weather", "contract", "recipe"];

/** A fixed pseudo-random sequence, so every run seeds the same log. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function seed(db: Database, rows: number, startId = 0): void {
  const next = random(42 + startId);
  const insert = db.prepare(`INSERT INTO usage_log (${USAGE_COLUMNS.join(", ")}) VALUES (${USAGE_COLUMNS.map(() => "?").join(", ")})`);
  const end = Date.now();
  db.transaction(() => {
    for (let i = 0; i < rows; i++) {
      // A few prompts are asked very often, most rarely: a skewed pick over the distinct prompts.
      const p = Math.floor(DISTINCT_PROMPTS * next() ** 3);
      const [provider, model] = MODELS[p % MODELS.length]!;
      const hit = next() < 0.45;
      const semantic = hit && next() < 0.15;
      const output = 50 + Math.floor(next() * 400);
      const timestamp = new Date(end - Math.floor(((rows - i) / rows) * DAYS * 86_400_000)).toISOString();
      insert.run(
        timestamp, provider, model, hit ? 1 : 0, semantic ? 1 : 0, `key-${p}`,
        `Question ${p} about ${WORDS[p % WORDS.length]}: please explain it step by step for a new customer`,
        TYPES[p % TYPES.length]!, 200, output, hit ? output : 0, hit ? 0.3 : 400 + next() * 900,
        hit ? output * 0.00001 : 0, hit ? output * 0.00002 : 0,
        semantic ? 12 : 0, semantic ? 12 * 0.00000002 : 0,
      );
    }
  });
}

function time(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const dir = mkdtempSync(join(tmpdir(), "ecoai-bench-dashboard-"));
const dbPath = process.env.ECOAI_BENCH_DB || join(dir, "usage.db");
try {
  const db = openDatabase(dbPath);
  db.exec(USAGE_SCHEMA);
  const existing = Number(db.prepare("SELECT count(*) AS n FROM usage_log").get()!.n);
  if (existing === 0) {
    console.log(`Seeding ${ROWS.toLocaleString("en-US")} usage rows (${DISTINCT_PROMPTS.toLocaleString("en-US")} distinct prompts, ${DAYS} days)…`);
    const seedMs = time(() => seed(db, ROWS));
    console.log(`  seeded in ${(seedMs / 1000).toFixed(1)} s\n`);
  } else {
    // A kept file: start from the seeded rows, with the dashboard's aggregates to be built again.
    db.exec(`DELETE FROM usage_log WHERE id > ${ROWS}; DROP TABLE IF EXISTS ecoai_dashboard_state; DROP TABLE IF EXISTS ecoai_dashboard_daily; DROP TABLE IF EXISTS ecoai_dashboard_prompts;`);
    console.log(`Reusing ${dbPath} (${Math.min(existing, ROWS).toLocaleString("en-US")} rows)\n`);
  }

  const baseline = (label: string, fn: () => unknown) => {
    fn();
    const samples = Array.from({ length: 10 }, () => time(fn));
    return { label, ...summarize(samples) };
  };
  const count = baseline("baseline: SELECT count(*) FROM usage_log", () => db.prepare("SELECT count(*) AS n FROM usage_log").get());
  const scan = baseline("baseline: querySummary over every row", () => querySummary(db));

  const app = await createDashboardApp({ dbPath, settingsPath: join(dir, "settings.json") });
  const get = (path: string) => app.handle(new Request(`http://127.0.0.1:7315${path}`)).then((response) => response.arrayBuffer());
  const firstBuild = await timeAsync(() => get("/api/summary"));

  const endpoints = [
    "/api/summary",
    "/api/overview",
    "/api/timeseries?days=30",
    "/api/prompts",
    "/api/prompts?sort=hits",
    "/api/prompts?filter=semantic&page=40",
    "/api/prompts?filter=tool",
    "/api/prompts?q=refund",
    "/api/prompts?q=no-such-text",
    "/api/history?limit=100",
    "/api/history?limit=100&model=gpt-4o&offset=5000",
    "/api/pricing",
    "/api/settings",
    "/",
  ];
  const results = [];
  for (const path of endpoints) {
    await get(path);
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) samples.push(await timeAsync(() => get(path)));
    results.push({ label: `GET ${path}`, ...summarize(samples) });
  }

  // New rows since the last request: the next request folds them in.
  const batches: number[] = [];
  for (let i = 0; i < 10; i++) {
    seed(db, 1_000, ROWS + i * 1_000);
    batches.push(await timeAsync(() => get("/api/overview")));
  }
  const fold = { label: "GET /api/overview after 1,000 new rows", ...summarize(batches) };

  const ms = (n: number) => `${n.toFixed(2)} ms`;
  const rows = [count, scan, ...results, fold].map((r) => [r.label, ms(r.p50), ms(r.p95), `${(r.p50 / count.p50).toFixed(3)}×`]);
  console.log(table(["request", "p50", "p95", "p50 vs count(*)"], rows));
  console.log(`\nFirst request on this file (builds the aggregates once, kept in the file): ${(firstBuild / 1000).toFixed(2)} s`);
  const worst = Math.max(...results.map((r) => r.p50));
  console.log(`Slowest API p50: ${ms(worst)} (target ≤ ${TARGET_MS} ms: ${worst <= TARGET_MS ? "met" : "NOT met"}); a full scan per request would take ${ms(scan.p50)}.`);
  app.close();
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
