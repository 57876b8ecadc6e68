import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createDashboardApp, type DashboardApp } from "../../src/dashboard/app.ts";
import { tempDir } from "../temp.ts";
import { getJson } from "./request.ts";
import { seedUsageLog, type SeedRow } from "./seed.ts";

// A log over 100 days with every dimension varied; each answer of the API is checked against
// totals computed here, from the raw rows, by plain filtering and adding up.
const NOW = new Date("2026-11-29T17:30:00Z");
const dir = tempDir();
const dbPath = join(dir, "usage.db");
const MODELS = [["openai", "gpt-4o"], ["openai", "gpt-4o-mini"], ["anthropic", "claude-sonnet-4-5"], ["gemini", "gemini-2.5-flash"], ["openai", "acme-llm"]] as const;
const NAMESPACES = ["", "tenant-a", "tenant-b"];
const TYPES = ["text", "structured", "tool", "image"] as const;

function rows(): (SeedRow & { id: number })[] {
  const out: (SeedRow & { id: number })[] = [];
  let state = 7;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  for (let i = 0; i < 3000; i++) {
    const [provider, model] = MODELS[Math.floor(next() * MODELS.length)]!;
    const hit = next() < 0.5;
    const semantic = hit && next() < 0.3;
    const priced = model !== "acme-llm";
    const ageMs = next() ** 2 * 100 * 86_400_000;
    out.push({
      id: i + 1,
      timestamp: new Date(NOW.getTime() - ageMs).toISOString(),
      provider, model, namespace: NAMESPACES[i % 3]!, promptType: TYPES[Math.floor(next() * 4)]!,
      cacheHit: hit, semanticHit: semantic, prompt: `prompt ${Math.floor(next() * 40)}`, cacheKey: `key-${i}`,
      outputTokens: 10 + (i % 90), tokensSaved: hit ? 10 + (i % 90) : 0,
      latencyMs: hit ? 0.2 + next() * (semantic ? 40 : 2) : 200 + next() * 1500,
      costUsd: priced ? (hit ? 0 : 0.001 + next() * 0.01) : hit ? 0 : null, priced,
      costSavedUsd: (priced && hit ? 0.002 : 0) - (semantic ? 0.00001 : 0), co2SavedG: hit ? 0.01 : 0,
      embeddingCostUsd: semantic ? 0.00001 : 0,
    });
  }
  return out;
}
const ROWS = rows();
seedUsageLog(dbPath, ROWS);

let app: DashboardApp;
const ready = createDashboardApp({ dbPath, settingsPath: join(dir, "settings.json"), now: () => NOW }).then((created) => (app = created));
afterAll(() => app.close());

type Case = { query: string; from: string; to: string; keep: (row: SeedRow) => boolean };
const DAY = 86_400_000;
const dayStart = (offset: number) => new Date(Date.UTC(2026, 10, 29) - offset * DAY).toISOString();
const CASES: Case[] = [
  { query: "range=24h", from: new Date(Date.UTC(2026, 10, 28, 18)).toISOString(), to: new Date(Date.UTC(2026, 10, 29, 18)).toISOString(), keep: () => true },
  { query: "range=7d&provider=openai", from: dayStart(6), to: dayStart(-1), keep: (r) => r.provider === "openai" },
  { query: "range=30d&namespace=tenant-a", from: dayStart(29), to: dayStart(-1), keep: (r) => r.namespace === "tenant-a" },
  { query: "range=90d&model=gpt-4o&namespace=", from: dayStart(89), to: dayStart(-1), keep: (r) => r.model === "gpt-4o" && r.namespace === "" },
  { query: "range=custom&from=2026-09-01&to=2026-10-15&provider=anthropic", from: "2026-09-01T00:00:00.000Z", to: "2026-10-16T00:00:00.000Z", keep: (r) => r.provider === "anthropic" },
];

function selected(c: Case) {
  return ROWS.filter((r) => r.timestamp! >= c.from && r.timestamp! < c.to && c.keep(r));
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

const sum = (list: SeedRow[], pick: (r: SeedRow) => number) => list.reduce((total, r) => total + pick(r), 0);

describe.each(CASES)("$query", (c) => {
  test("overview totals, series, breakdowns and latency equal the raw rows' own", async () => {
    await ready;
    const { status, body } = await getJson(app, `/api/overview?${c.query}`);
    expect(status).toBe(200);
    const rows = selected(c);
    expect(rows.length).toBeGreaterThan(5);
    const hits = rows.filter((r) => r.cacheHit);
    expect(body.window).toMatchObject({ from: c.from, to: c.to });
    expect(body.totals).toMatchObject({
      calls: rows.length,
      hits: hits.length,
      semanticHits: hits.filter((r) => r.semanticHit).length,
      tokensSaved: sum(rows, (r) => r.tokensSaved!),
      unpricedCalls: rows.filter((r) => r.priced === false).length,
    });
    expect(body.totals.spentUsd).toBeCloseTo(sum(rows, (r) => (r.costUsd ?? 0) + r.embeddingCostUsd!), 10);
    expect(body.totals.netSavedUsd).toBeCloseTo(sum(rows, (r) => r.costSavedUsd!), 10);
    expect(body.totals.savedUsd).toBeCloseTo(sum(rows, (r) => r.costSavedUsd! + r.embeddingCostUsd!), 10);
    expect(body.series.reduce((total: number, p: { calls: number }) => total + p.calls, 0)).toBe(rows.length);
    expect(body.series.reduce((total: number, p: { hits: number }) => total + p.hits, 0)).toBe(hits.length);
    expect(body.series).toHaveLength(c.query.includes("24h") ? 24 : Math.round((Date.parse(c.to) - Date.parse(c.from)) / DAY));
    for (const [column, pick] of [["byProvider", (r: SeedRow) => r.provider], ["byModel", (r: SeedRow) => r.model], ["byNamespace", (r: SeedRow) => r.namespace], ["contentTypes", (r: SeedRow) => r.promptType]] as const) {
      const expected = new Map<string, number>();
      for (const row of rows) expected.set(pick(row)!, (expected.get(pick(row)!) ?? 0) + 1);
      expect(Object.fromEntries(body[column].map((b: { key: string; calls: number }) => [b.key, b.calls]))).toEqual(Object.fromEntries(expected));
    }
    const misses = rows.filter((r) => !r.cacheHit).map((r) => r.latencyMs!);
    expect(body.latency.misses.calls).toBe(misses.length);
    expect(body.latency.misses.p50).toBeGreaterThan(percentile(misses, 0.5) * 0.94);
    expect(body.latency.misses.p50).toBeLessThan(percentile(misses, 0.5) * 1.06);
    expect(body.latency.misses.p95).toBeGreaterThan(percentile(misses, 0.95) * 0.94);
    expect(body.latency.misses.p95).toBeLessThan(percentile(misses, 0.95) * 1.06);
    if (hits.length > 3) {
      const hitLatency = hits.map((r) => r.latencyMs!);
      expect(body.latency.hits.p95).toBeGreaterThan(percentile(hitLatency, 0.95) * 0.94);
      expect(body.latency.hits.p95).toBeLessThan(percentile(hitLatency, 0.95) * 1.06);
    }
    expect(body.unpricedModels).toEqual(rows.some((r) => r.priced === false) ? ["acme-llm"] : []);
  });

  test("the request log pages through exactly the selected calls, newest first, and exports them", async () => {
    await ready;
    const expected = selected(c).sort((a, b) => (a.timestamp! < b.timestamp! ? 1 : a.timestamp! > b.timestamp! ? -1 : b.id - a.id)).map((r) => r.id);
    const seen: number[] = [];
    let before = "";
    let total: number | null = null;
    for (let page = 0; page < 200; page++) {
      const { body } = await getJson(app, `/api/requests?${c.query}&limit=37${before ? `&before=${encodeURIComponent(before)}` : ""}`);
      total ??= body.total;
      seen.push(...body.records.map((r: { id: number }) => r.id));
      if (!body.next) break;
      before = body.next;
    }
    expect(seen).toEqual(expected);
    expect(total).toBe(expected.length);

    const csv = await (await app.handle(new Request(`http://127.0.0.1:7315/api/export?format=csv&${c.query}`))).text();
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]!.split(",").slice(0, 4)).toEqual(["id", "timestamp", "provider", "model"]);
    expect(lines.slice(1).map((line) => Number(line.split(",")[0]))).toEqual([...expected].reverse());
    const json = await (await app.handle(new Request(`http://127.0.0.1:7315/api/export?format=json&${c.query}&outcome=semantic`))).json();
    expect(json.map((r: { id: number }) => r.id).sort()).toEqual(selected(c).filter((r) => r.semanticHit).map((r) => r.id).sort());
  });

  test("prompts in the range add up to the selected calls", async () => {
    await ready;
    const { body } = await getJson(app, `/api/prompts?${c.query}`);
    // A 24-hour range reads the per-day totals of the days it touches.
    const keep = c.query.includes("24h") ? { ...c, from: c.from.slice(0, 10) + "T00:00:00.000Z", to: dayStart(-1) } : c;
    const rows = selected(keep);
    const distinct = new Set(rows.map((r) => `${r.prompt}|${r.model}|${r.provider}|${r.promptType}|${r.namespace}`));
    expect(body.total).toBe(distinct.size);
    const all = [];
    for (let page = 1; page <= body.pages; page++) all.push(...(await getJson(app, `/api/prompts?${c.query}&page=${page}`)).body.prompts);
    expect(all.reduce((total: number, p: { calls: number }) => total + p.calls, 0)).toBe(rows.length);
    expect(all.reduce((total: number, p: { hits: number }) => total + p.hits, 0)).toBe(rows.filter((r) => r.cacheHit).length);
  });
});

test("bad filters are refused with a 400 naming them", async () => {
  await ready;
  for (const [query, words] of [
    ["range=12h", "range must be one of 24h, 7d, 30d, 90d, custom"],
    ["range=custom&from=2026-13-01&to=2026-12-01", "from must be a day such as"],
    ["range=custom&from=2026-11-02&to=2026-11-01", "must not be after"],
    ["provider=azure", "provider must be one of"],
  ] as const) {
    const { status, body } = await getJson(app, `/api/overview?${query}`);
    expect(`${query} → ${status}`).toBe(`${query} → 400`);
    expect(body.error).toContain(words);
  }
  expect((await getJson(app, "/api/requests?before=nonsense")).status).toBe(400);
  expect((await getJson(app, "/api/requests?outcome=maybe")).status).toBe(400);
  expect((await getJson(app, "/api/requests/abc")).status).toBe(400);
  expect((await getJson(app, "/api/requests/999999")).status).toBe(404);
});

test("a search reads the log newest first and finds every match across pages", async () => {
  await ready;
  const expected = ROWS.filter((r) => r.timestamp! >= dayStart(89) && r.prompt === "prompt 7").map((r) => r.id).sort((a, b) => a - b);
  const found: number[] = [];
  let before = "";
  for (let page = 0; page < 50; page++) {
    const { body } = await getJson(app, `/api/requests?range=90d&prompt=${encodeURIComponent("prompt 7")}&limit=20${before ? `&before=${encodeURIComponent(before)}` : ""}`);
    found.push(...body.records.map((r: { id: number }) => r.id));
    if (!body.next) break;
    before = body.next;
  }
  expect(found.sort((a, b) => a - b)).toEqual(expected);
  // With the prompt's whole key, as the prompts page links it, the count is known and exact.
  const one = ROWS.find((r) => r.prompt === "prompt 7" && r.timestamp! >= dayStart(89))!;
  const key = `prompt=${encodeURIComponent("prompt 7")}&provider=${one.provider}&model=${one.model}&namespace=${one.namespace}&type=${one.promptType}`;
  const same = ROWS.filter((r) => r.timestamp! >= dayStart(89) && r.prompt === "prompt 7" && r.provider === one.provider && r.model === one.model && r.namespace === one.namespace && r.promptType === one.promptType);
  const exact = (await getJson(app, `/api/requests?range=90d&${key}&limit=500`)).body;
  expect(exact.total).toBe(same.length);
  expect(exact.records.map((r: { id: number }) => r.id).sort((a: number, b: number) => a - b)).toEqual(same.map((r) => r.id).sort((a, b) => a - b));
  expect((await getJson(app, `/api/requests?range=90d&${key.replace("prompt%207", "never%20asked")}`)).body).toEqual({ records: [], next: null, total: 0 });
  const { body } = await getJson(app, "/api/requests?range=90d&q=PROMPT%207");
  expect(body.records.every((r: { prompt: string }) => r.prompt.startsWith("prompt 7"))).toBe(true);
  expect(body.total).toBeNull();
});

test("rows written while the dashboard runs join the ranges of the prompts they belong to", async () => {
  await ready;
  const sumOf = async (query: string) => {
    const first = (await getJson(app, `/api/prompts?${query}`)).body;
    let calls = 0;
    for (let page = 1; page <= first.pages; page++) for (const p of (await getJson(app, `/api/prompts?${query}&page=${page}`)).body.prompts) calls += p.calls;
    return calls;
  };
  const before = await sumOf("range=7d");
  const older = await sumOf("range=90d");
  seedUsageLog(dbPath, [
    { timestamp: new Date(NOW.getTime() - 3_600_000).toISOString(), prompt: "prompt 1", model: "gpt-4o", cacheHit: true },
    { timestamp: new Date(NOW.getTime() - 3_600_000).toISOString(), prompt: "a prompt never seen", model: "gpt-4o" },
    { timestamp: new Date(NOW.getTime() - 20 * 86_400_000).toISOString(), prompt: "from three weeks ago" },
  ]);
  expect(await sumOf("range=7d")).toBe(before + 2);
  expect(await sumOf("range=90d")).toBe(older + 3);
  expect((await getJson(app, "/api/prompts?range=7d&q=never%20seen")).body.prompts).toEqual([expect.objectContaining({ calls: 1, hits: 0 })]);
});
