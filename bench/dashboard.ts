/**
 * The dashboard at 1,000,000 usage rows (90 days, 50,000 distinct prompts, 3 namespaces), and
 * what recording a row costs, each against baselines measured in the same run:
 *
 *  - every API endpoint, over a 90-day range and with filters (provider, model, namespace,
 *    outcome, search), p50 and p95, against `SELECT count(*) FROM usage_log` and against one
 *    scan of every row (`querySummary`), which a request without aggregates would cost;
 *  - the first build of the aggregates (once per file, kept in it), the first read of the prompt
 *    index (once per process), and requests right after 1,000 new rows (answered from the
 *    aggregates plus those rows), then the fold of those rows, which runs after the response;
 *  - an export of all 90 days: its first bytes, and the whole stream;
 *  - the cost per usage row written (pricing it, then the insert with today's columns), against
 *    the previous release's (pricing it with methodology 1, then its insert into its own schema),
 *    for a small and a large (200-character) prompt.
 *
 * Target: p50 ≤ 50 ms per API request. Run: `bun bench/dashboard.ts [rows]` (or `npm run
 * bench:dashboard`). Prints; asserts nothing. `ECOAI_BENCH_DB=path` keeps the seeded file.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDashboardApp } from "../src/dashboard/app.ts";
import { resetRollup } from "../src/dashboard/rollup.ts";
import { openDatabase } from "../src/sqlite/database.ts";
import { querySummary } from "../src/usage/queries.ts";
import { savingsFor } from "../src/usage/pricing.ts";
import { toRow, type NewUsageRecord } from "../src/usage/row.ts";
import { ensureUsageSchema, USAGE_INSERT } from "../src/usage/schema.ts";
import { calls, DAYS, DISTINCT_PROMPTS, NAMESPACES, seed } from "./dashboard-data.ts";
import { LEGACY_INSERT, LEGACY_SCHEMA } from "../test/usage/legacy-schema.ts";
import { summarize, table } from "./stats.ts";

const ROWS = Number(process.argv[2] ?? 1_000_000);
const SAMPLES = 30;
const TARGET_MS = 50;

function time(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

/**
 * Wall and CPU milliseconds of one request. On a machine other work keeps busy, wall time counts
 * the waits for a core; the process's CPU time (all its threads) counts only the work.
 */
async function timeRequest(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - start, cpu: (used.user + used.system) / 1000 };
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/**
 * Microseconds per row written in batches of 500 (the log's batch), for the previous release
 * (its row values, its schema, its insert) and for today's (pricing the call, the added columns).
 */
function writeCost(dir: string, promptChars: number): { legacy: number; current: number } {
  const rows = 20_000;
  const prompt = "x".repeat(promptChars);
  const records = [...calls(rows, 7, Date.now())].map((call) => ({ ...call, prompt }));
  const legacyDb = openDatabase(join(dir, `legacy-${promptChars}.db`));
  legacyDb.exec(LEGACY_SCHEMA);
  const legacyInsert = legacyDb.prepare(LEGACY_INSERT);
  const currentDb = openDatabase(join(dir, `current-${promptChars}.db`));
  ensureUsageSchema(currentDb);
  const currentInsert = currentDb.prepare(USAGE_INSERT);
  // The previous release priced each call with methodology 1 (on the call's path) and inserted these values.
  const legacyRow = (r: NewUsageRecord) => {
    const saved = r.cacheHit ? savingsFor(r.model, r.usage) : { tokensSaved: 0, costSavedUsd: 0, co2SavedG: 0 };
    return [r.timestamp, r.provider, r.model, r.cacheHit ? 1 : 0, r.semanticHit ? 1 : 0, r.cacheKey, r.prompt, r.promptType, r.usage.inputTokens, r.usage.outputTokens, saved.tokensSaved, r.latencyMs, saved.costSavedUsd - (r.embedding?.costUsd ?? 0), saved.co2SavedG, r.embedding?.tokens ?? 0, r.embedding?.costUsd ?? 0];
  };
  const run = (write: (from: number) => void) => {
    const samples: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (let from = 0; from < rows; from += 500) samples.push((time(() => write(from)) * 1000) / 500);
    }
    return summarize(samples).p50;
  };
  const legacy = run((from) => legacyDb.transaction(() => {
    for (let i = from; i < from + 500; i++) legacyInsert.run(...(legacyRow(records[i]!) as never[]));
  }));
  const current = run((from) => currentDb.transaction(() => {
    for (let i = from; i < from + 500; i++) currentInsert.run(...toRow(records[i]!));
  }));
  legacyDb.close();
  currentDb.close();
  return { legacy, current };
}

const dir = mkdtempSync(join(tmpdir(), "ecoai-bench-dashboard-"));
const dbPath = process.env.ECOAI_BENCH_DB || join(dir, "usage.db");
try {
  const db = openDatabase(dbPath);
  ensureUsageSchema(db);
  const existing = Number(db.prepare("SELECT count(*) AS n FROM usage_log").get()!.n);
  if (existing === 0) {
    console.log(`Seeding ${ROWS.toLocaleString("en-US")} usage rows (${DISTINCT_PROMPTS.toLocaleString("en-US")} distinct prompts, ${DAYS} days, ${NAMESPACES.length} namespaces)…`);
    console.log(`  seeded in ${(time(() => seed(db, ROWS)) / 1000).toFixed(1)} s\n`);
  } else {
    // A kept file: start from the seeded rows, with the dashboard's aggregates to be built again.
    db.exec(`DELETE FROM usage_log WHERE id > ${ROWS}`);
    resetRollup(db);
    console.log(`Reusing ${dbPath} (${Math.min(existing, ROWS).toLocaleString("en-US")} rows)\n`);
  }

  const baseline = (label: string, fn: () => unknown) => {
    fn();
    return { label, ...summarize(Array.from({ length: 5 }, () => time(fn))) };
  };
  const count = baseline("baseline: SELECT count(*) FROM usage_log", () => db.prepare("SELECT count(*) AS n FROM usage_log").get());
  const scan = baseline("baseline: querySummary over every row", () => querySummary(db));

  const app = await createDashboardApp({ dbPath, settingsPath: join(dir, "settings.json") });
  const get = (path: string) => app.handle(new Request(`http://127.0.0.1:7315${path}`)).then((response) => response.arrayBuffer());
  // An export is a download streamed a batch at a time: its answer is its first bytes (the whole file is timed apart).
  const firstBytes = (path: string) => app.handle(new Request(`http://127.0.0.1:7315${path}`)).then(async (response) => {
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
  });
  const firstBuild = await timeAsync(() => get("/api/summary"));
  const firstIndex = await timeAsync(() => get("/api/prompts"));

  const range = "range=90d";
  // Custom ranges relative to today (the seeded calls end now): a month ending a month ago, and from mid-month to today.
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  const month = `range=custom&from=${day(60)}&to=${day(31)}`;
  const toToday = `range=custom&from=${day(45)}&to=${day(0)}`;
  const question5 = encodeURIComponent("Question 5 about billing: please explain it step by step for a new customer");
  const endpoints = [
    "/api/summary",
    `/api/overview?${range}`,
    `/api/overview?${range}&provider=anthropic`,
    `/api/overview?${range}&model=gpt-4o&namespace=tenant-a`,
    `/api/overview?${month}&namespace=tenant-b`,
    "/api/overview?range=24h&namespace=",
    "/api/overview?range=30d",
    `/api/prompts`,
    `/api/prompts?${range}`,
    `/api/prompts?${range}&sort=hits&model=gpt-4o`,
    `/api/prompts?${range}&filter=semantic&page=40`,
    `/api/prompts?${range}&q=refund&namespace=tenant-b`,
    "/api/prompts?range=30d",
    `/api/prompts?${month}`,
    `/api/prompts?${toToday}&sort=hits&provider=gemini&filter=exact`,
    "/api/prompts?range=24h&q=invoice",
    `/api/requests?${range}`,
    `/api/requests?${range}&namespace=tenant-b&outcome=semantic`,
    `/api/requests?${range}&model=claude-opus-4-1&type=tool`,
    `/api/requests?${month}&provider=gemini&outcome=miss`,
    `/api/requests?${range}&q=refund`,
    `/api/requests?${range}&q=no-such-text`,
    // A prompt of the prompts page, with its whole key (exact counts), and its text alone (a bounded search).
    `/api/requests?${range}&prompt=${question5}&provider=anthropic&model=claude-haiku-4-5&namespace=tenant-b&type=text`,
    `/api/requests?${range}&prompt=${question5}`,
    "/api/requests/500000",
    `/api/history?limit=100&model=gpt-4o&offset=5000`,
    // Exports of what filters select over 90 days (a few thousand rows each), read to the end.
    `/api/export?format=csv&${range}&model=claude-opus-4-1&namespace=tenant-b&outcome=semantic`,
    `/api/export?format=json&${range}&provider=gemini&type=tool&outcome=hit&q=refund`,
    "/api/timeseries?days=30",
    "/api/pricing",
    "/api/settings",
    "/",
  ];
  const results = [];
  for (const path of endpoints) {
    const request = path.startsWith("/api/export") ? () => firstBytes(path) : () => get(path);
    await request();
    const samples = [];
    for (let i = 0; i < SAMPLES; i++) samples.push(await timeRequest(request));
    const label = `GET ${path}${path.startsWith("/api/export") ? " (first bytes)" : ""}`;
    results.push({ label, ...summarize(samples.map((t) => t.wall)), cpu: summarize(samples.map((t) => t.cpu)).p50 });
  }
  // The filtered exports read to the end.
  const exportsWhole = [];
  for (const path of endpoints.filter((p) => p.startsWith("/api/export"))) {
    const samples = [];
    for (let i = 0; i < 5; i++) samples.push(await timeRequest(() => get(path)));
    exportsWhole.push({ label: `GET ${path} (whole file)`, ...summarize(samples.map((t) => t.wall)), cpu: summarize(samples.map((t) => t.cpu)).p50 });
  }

  // The whole 90 days as CSV: the first bytes come at once, the rest streams.
  const whole = await app.handle(new Request(`http://127.0.0.1:7315/api/export?format=csv&${range}`));
  const reader = whole.body!.getReader();
  let exported = -1;
  const wholeFirstBytes = await timeAsync(async () => void (await reader.read()));
  const rest = await timeAsync(async () => {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) exported += new TextDecoder().decode(chunk.value).split("\n").length - 1;
  });

  // New rows since the last request (calls of the last minute): the next request adds them up
  // itself, and the fold it schedules for after the response is run here at once (timed apart),
  // so each sample starts from a folded log.
  let written = ROWS;
  const foldSamples: { wall: number; cpu: number }[] = [];
  const afterNewRows = async (path: string) => {
    const samples = [];
    for (let i = 0; i < 5; i++) {
      seed(db, 1_000, written, 60_000);
      written += 1_000;
      samples.push(await timeRequest(() => get(path)));
      foldSamples.push(await timeRequest(async () => app.prepare()));
    }
    return { label: `GET ${path} after 1,000 new rows`, ...summarize(samples.map((t) => t.wall)), cpu: summarize(samples.map((t) => t.cpu)).p50 };
  };
  const afterRows = [await afterNewRows(`/api/overview?${range}`), await afterNewRows(`/api/prompts?${month}`), await afterNewRows(`/api/requests?${range}&outcome=hit`)];
  const foldRow = { label: "fold of 1,000 new rows (after the response, on no request's path)", ...summarize(foldSamples.map((t) => t.wall)), cpu: summarize(foldSamples.map((t) => t.cpu)).p50 };

  const ms = (n: number) => `${n.toFixed(2)} ms`;
  const rows = [count, scan, ...results, ...exportsWhole, ...afterRows, foldRow].map((r) => [
    r.label.length > 110 ? `${r.label.slice(0, 107)}…` : r.label, ms(r.p50), ms(r.p95), "cpu" in r ? ms(r.cpu as number) : "", `${(r.p50 / scan.p50).toFixed(3)}×`,
  ]);
  console.log(table(["request", "p50", "p95", "p50 CPU", "p50 vs a full scan"], rows));
  console.log(`\nFirst request on this file (builds the aggregates once, kept in the file): ${(firstBuild / 1000).toFixed(2)} s`);
  console.log(`First prompts request of this process (reads the prompt index from the aggregates): ${(firstIndex / 1000).toFixed(2)} s`);
  console.log(`Export of all 90 days as CSV (${exported.toLocaleString("en-US")} rows): first bytes in ${ms(wholeFirstBytes)}, the rest in ${(rest / 1000).toFixed(1)} s`);
  const worst = [...results, ...afterRows].reduce((a, b) => (b.p50 > a.p50 ? b : a));
  const worstCpu = [...results, ...afterRows].reduce((a, b) => (b.cpu > a.cpu ? b : a));
  console.log(`Slowest API p50: ${ms(worst.p50)} (${worst.label}); target ≤ ${TARGET_MS} ms: ${worst.p50 <= TARGET_MS ? "met" : "NOT met"}. A full scan per request would take ${ms(scan.p50)}.`);
  console.log(`Slowest API p50 in CPU time: ${ms(worstCpu.cpu)} (${worstCpu.label}): what the wall time would be with a core to itself.`);
  await app.close();
  db.close();

  console.log("\nCost per usage row written (batches of 500, p50), against the previous release's insert in the same run:");
  const costs = [["small prompt (40 chars)", writeCost(dir, 40)], ["large prompt (200 chars)", writeCost(dir, 200)]] as const;
  console.log(table(["row", "previous release", "now (priced + new columns)", "added", "ratio"], costs.map(([label, c]) => [label, `${c.legacy.toFixed(2)} µs`, `${c.current.toFixed(2)} µs`, `${(c.current - c.legacy).toFixed(2)} µs`, `${(c.current / c.legacy).toFixed(2)}×`])));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
