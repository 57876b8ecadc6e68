import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createDashboardApp, type DashboardApp } from "../../src/dashboard/app.ts";
import { tempDir } from "../temp.ts";
import { getJson } from "./request.ts";
import { seedUsageLog, type SeedRow } from "./seed.ts";

// Custom ranges whose edges fall inside the days and hours the aggregates are kept by, and rows
// written just before a read: every prompt of every page, and every total, is checked against
// what the raw rows say, computed here by plain filtering and adding up.
const NOW = new Date("2026-11-29T17:30:00Z");
const DAY = 86_400_000;
const dir = tempDir();
const dbPath = join(dir, "usage.db");
const MODELS = [["openai", "gpt-4o"], ["anthropic", "claude-sonnet-4-5"], ["gemini", "gemini-2.5-flash"]] as const;
const NAMESPACES = ["", "tenant-a"];
const TYPES = ["text", "structured", "image"] as const;

let clock = 0;
/** A row at `timestamp`, its prompt and dimensions picked by `n`; hits every other call, semantic one in five. */
function row(timestamp: string, n: number): SeedRow {
  const [provider, model] = MODELS[n % MODELS.length]!;
  const hit = (n + clock++) % 2 === 0;
  const semantic = hit && n % 5 === 0;
  return {
    timestamp, provider, model, namespace: NAMESPACES[n % 2]!, promptType: TYPES[n % 3]!, prompt: `prompt ${n % 60}`,
    cacheHit: hit, semanticHit: semantic, tokensSaved: hit ? 10 + (n % 40) : 0, costUsd: hit ? 0 : 0.001 * (1 + (n % 7)),
    costSavedUsd: hit ? 0.002 - (semantic ? 0.00001 : 0) : 0, embeddingCostUsd: semantic ? 0.00001 : 0,
  };
}

const ROWS: SeedRow[] = [];
// Spread over 100 days, each row at its own millisecond, so "newest first" has no ties.
for (let i = 0; i < 2400; i++) ROWS.push(row(new Date(NOW.getTime() - 100 * DAY + i * Math.floor((100 * DAY) / 2400) + (i % 997)).toISOString(), (i * 7) % 180));
// Calls a millisecond either side of the edges of the custom ranges and of the last 24 hours.
const EDGES = ["2026-11-10T00:00:00.000Z", "2026-11-13T00:00:00.000Z", "2026-10-01T00:00:00.000Z", "2026-11-28T18:00:00.000Z", "2026-11-29T18:00:00.000Z"];
EDGES.forEach((edge, e) => {
  for (const [offset, n] of [[-1, e], [0, e + 1], [1, e + 2]] as const) ROWS.push(row(new Date(Date.parse(edge) + offset).toISOString(), n));
});
seedUsageLog(dbPath, ROWS);

let app: DashboardApp;
const ready = createDashboardApp({ dbPath, settingsPath: join(dir, "settings.json"), now: () => NOW }).then((created) => (app = created));
afterAll(() => app.close());

interface Expected {
  prompt: string;
  model: string;
  provider: string;
  namespace: string;
  promptType: string;
  calls: number;
  hits: number;
  semanticHits: number;
  exactHits: number;
  tokensSaved: number;
  costSavedUsd: number;
  spentUsd: number;
  lastSeen: string;
}

/** The prompts of the rows in `[from, to)` that `keep` selects, added up per prompt, in the order asked for. */
function expectedPrompts(from: string, to: string, keep: (r: SeedRow) => boolean, sort: "recent" | "hits"): Expected[] {
  const byKey = new Map<string, Expected>();
  for (const r of ROWS) {
    if (r.timestamp! < from || r.timestamp! >= to || !keep(r)) continue;
    const key = [r.prompt, r.model, r.provider, r.promptType, r.namespace].join("|");
    let p = byKey.get(key);
    if (!p) byKey.set(key, (p = { prompt: r.prompt!, model: r.model!, provider: r.provider!, namespace: r.namespace!, promptType: r.promptType!, calls: 0, hits: 0, semanticHits: 0, exactHits: 0, tokensSaved: 0, costSavedUsd: 0, spentUsd: 0, lastSeen: "" }));
    p.calls += 1;
    p.hits += r.cacheHit ? 1 : 0;
    p.semanticHits += r.semanticHit ? 1 : 0;
    p.exactHits += r.cacheHit && !r.semanticHit ? 1 : 0;
    p.tokensSaved += r.tokensSaved!;
    p.costSavedUsd += r.costSavedUsd!;
    p.spentUsd += (r.costUsd ?? 0) + r.embeddingCostUsd!;
    if (r.timestamp! > p.lastSeen) p.lastSeen = r.timestamp!;
  }
  const recent = (a: Expected, b: Expected) => (a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : 0);
  return [...byKey.values()].sort(sort === "hits" ? (a, b) => b.hits - a.hits || recent(a, b) : recent);
}

/** Every page of `/api/prompts?query`, in order. */
async function allPrompts(query: string): Promise<{ total: number; prompts: any[] }> {
  const first = (await getJson(app, `/api/prompts?${query}`)).body;
  const prompts = [...first.prompts];
  for (let page = 2; page <= first.pages; page++) prompts.push(...(await getJson(app, `/api/prompts?${query}&page=${page}`)).body.prompts);
  return { total: first.total, prompts };
}

async function expectPrompts(query: string, from: string, to: string, keep: (r: SeedRow) => boolean = () => true) {
  const sort = query.includes("sort=hits") ? "hits" : "recent";
  const expected = expectedPrompts(from, to, keep, sort);
  const { total, prompts } = await allPrompts(query);
  expect(total).toBe(expected.length);
  expect(prompts.map((p) => `${p.prompt}|${p.model}|${p.namespace}|${p.promptType}`)).toEqual(expected.map((p) => `${p.prompt}|${p.model}|${p.namespace}|${p.promptType}`));
  prompts.forEach((p, i) => {
    const { costSavedUsd, spentUsd, ...exact } = expected[i]!;
    expect(p).toMatchObject(exact);
    expect(p.costSavedUsd).toBeCloseTo(costSavedUsd, 12);
    expect(p.spentUsd).toBeCloseTo(spentUsd, 12);
  });
}

const dayStart = (day: string) => `${day}T00:00:00.000Z`;
const nextDay = (day: string) => new Date(Date.parse(dayStart(day)) + DAY).toISOString();

/** The custom ranges checked: a few days whose edges have calls a millisecond either side, a month, one day. */
const CUSTOM = [["2026-11-10", "2026-11-12"], ["2026-10-01", "2026-10-31"], ["2026-11-13", "2026-11-13"], ["2026-08-21", "2026-11-29"]] as const;

test.each(CUSTOM)("prompts of custom days %s to %s: every prompt's sums, last call and place equal the raw rows'", async (from, to) => {
  await ready;
  const [start, end] = [dayStart(from), nextDay(to)];
  expect(expectedPrompts(start, end, () => true, "recent").length).toBeGreaterThan(2);
  await expectPrompts(`range=custom&from=${from}&to=${to}`, start, end);
  await expectPrompts(`range=custom&from=${from}&to=${to}&sort=hits`, start, end);
  await expectPrompts(`range=custom&from=${from}&to=${to}&provider=anthropic&namespace=tenant-a`, start, end, (r) => r.provider === "anthropic" && r.namespace === "tenant-a");
  await expectPrompts(`range=custom&from=${from}&to=${to}&q=PROMPT%201&filter=image`, start, end, (r) => r.prompt!.includes("prompt 1") && r.promptType === "image");
});

test.each(CUSTOM)("prompts of %s to %s served by an exact or a semantic hit are judged by the range's calls alone", async (from, to) => {
  await ready;
  const keys = (rows: Expected[]) => rows.map((p) => `${p.prompt}|${p.model}|${p.namespace}|${p.promptType}`);
  const inRange = expectedPrompts(dayStart(from), nextDay(to), () => true, "recent");
  const semantic = (await allPrompts(`range=custom&from=${from}&to=${to}&filter=semantic`)).prompts;
  expect(keys(semantic)).toEqual(keys(inRange.filter((p) => p.semanticHits > 0)));
  const exact = (await allPrompts(`range=custom&from=${from}&to=${to}&filter=exact`)).prompts;
  expect(keys(exact)).toEqual(keys(inRange.filter((p) => p.exactHits > 0)));
});

test("the overview of a custom range counts the calls a millisecond inside its edges and none outside", async () => {
  await ready;
  for (const [from, to] of CUSTOM) {
    const rows = ROWS.filter((r) => r.timestamp! >= dayStart(from) && r.timestamp! < nextDay(to));
    const { body } = await getJson(app, `/api/overview?range=custom&from=${from}&to=${to}`);
    expect(body.totals).toMatchObject({ calls: rows.length, hits: rows.filter((r) => r.cacheHit).length, semanticHits: rows.filter((r) => r.semanticHit).length });
    expect(body.totals.spentUsd).toBeCloseTo(rows.reduce((sum, r) => sum + (r.costUsd ?? 0) + r.embeddingCostUsd!, 0), 12);
    const hits = rows.filter((r) => r.cacheHit);
    // Latency, unfiltered, comes from histograms kept per period and outcome alone: every call is in one.
    expect(body.latency.misses.calls).toBe(rows.length - hits.length);
    expect(body.latency.exact.calls).toBe(hits.filter((r) => !r.semanticHit).length);
    expect(body.latency.semantic.calls).toBe(hits.filter((r) => r.semanticHit).length);
    const filtered = (await getJson(app, `/api/overview?range=custom&from=${from}&to=${to}&namespace=tenant-a`)).body;
    expect(filtered.latency.misses.calls).toBe(rows.filter((r) => !r.cacheHit && r.namespace === "tenant-a").length);
    const top = expectedPrompts(dayStart(from), nextDay(to), () => true, "hits").filter((p) => p.hits > 0).slice(0, 8);
    expect(body.topPrompts.map((p: Expected) => [p.prompt, p.hits])).toEqual(top.map((p) => [p.prompt, p.hits]));
    expect(hits.length).toBeGreaterThan(0);
  }
  // The last 24 hours start and end on the hour: the call a millisecond before is out, the one at the hour is in.
  const day = ROWS.filter((r) => r.timestamp! >= "2026-11-28T18:00:00.000Z" && r.timestamp! < "2026-11-29T18:00:00.000Z");
  expect((await getJson(app, "/api/overview?range=24h")).body.totals.calls).toBe(day.length);
});

test("rows written just before a read are in every answer: new prompts, known prompts on new days, and a day older than any seen", async () => {
  await ready;
  // Read first, so what follows is folded into aggregates (and prompts) already built.
  await allPrompts("range=custom&from=2026-11-29&to=2026-11-29");
  const written = [
    row("2026-11-29T17:29:59.000Z", 3),
    row("2026-11-29T17:29:59.500Z", 3),
    { ...row("2026-11-29T17:29:59.900Z", 4), prompt: "a prompt first asked just now" },
    // Logged late, by a process whose rows arrive out of order: a day no prompt had.
    { ...row("2026-06-01T12:00:00.000Z", 5), prompt: "prompt 5" },
    row("2026-11-12T08:00:00.000Z", 7),
  ];
  seedUsageLog(dbPath, written);
  ROWS.push(...written);
  await expectPrompts("range=custom&from=2026-11-29&to=2026-11-29", dayStart("2026-11-29"), nextDay("2026-11-29"));
  await expectPrompts("range=custom&from=2026-11-10&to=2026-11-12", dayStart("2026-11-10"), nextDay("2026-11-12"));
  await expectPrompts("range=custom&from=2026-05-01&to=2026-06-30", dayStart("2026-05-01"), nextDay("2026-06-30"));
  await expectPrompts("range=7d&sort=hits", dayStart("2026-11-23"), nextDay("2026-11-29"));
  await expectPrompts("", "", "9999");
  const overview = (await getJson(app, "/api/overview?range=24h")).body;
  expect(overview.totals.calls).toBe(ROWS.filter((r) => r.timestamp! >= "2026-11-28T18:00:00.000Z" && r.timestamp! < "2026-11-29T18:00:00.000Z").length);
  const newest = (await getJson(app, "/api/requests?range=24h&limit=4")).body.records;
  // The newest is a call a millisecond before the range's end; the three written just now follow.
  expect(newest.map((r: { timestamp: string }) => r.timestamp)).toEqual(["2026-11-29T17:59:59.999Z", "2026-11-29T17:29:59.900Z", "2026-11-29T17:29:59.500Z", "2026-11-29T17:29:59.000Z"]);
  expect((await getJson(app, "/api/summary")).body.totalCalls).toBe(ROWS.length);
});

test("a second dashboard on the same log folds new rows first: the first one's prompts still count them", async () => {
  await ready;
  await allPrompts("range=7d");
  const other = await createDashboardApp({ dbPath, settingsPath: join(dir, "settings.json"), now: () => NOW });
  try {
    const written = [row("2026-11-29T17:29:59.950Z", 11), { ...row("2026-11-29T17:29:59.960Z", 12), prompt: "asked while another dashboard was open" }];
    seedUsageLog(dbPath, written);
    ROWS.push(...written);
    // The other dashboard brings the shared aggregates up to date with the new rows…
    expect((await getJson(other, "/api/prompts?range=7d&q=another%20dashboard")).body.total).toBe(1);
    // …and this one, whose prompts were read before, picks the changed days up from them.
    await expectPrompts("range=7d", dayStart("2026-11-23"), nextDay("2026-11-29"));
    await expectPrompts("", "", "9999");
  } finally {
    await other.close();
  }
});

test("a prompt another dashboard folded first, asked again, is counted by this one under its own text", async () => {
  await ready;
  await allPrompts("range=7d");
  const other = await createDashboardApp({ dbPath, settingsPath: join(dir, "settings.json"), now: () => NOW });
  try {
    const first = { ...row("2026-11-29T17:29:59.970Z", 13), prompt: "folded elsewhere first, then here" };
    seedUsageLog(dbPath, [first]);
    ROWS.push(first);
    expect((await getJson(other, "/api/prompts?range=7d&q=folded%20elsewhere")).body.total).toBe(1);
    // This dashboard folds the prompt's next call itself: the prompt existed before its fold, added by the other one.
    const again = { ...row("2026-11-29T17:29:59.980Z", 13), prompt: first.prompt };
    seedUsageLog(dbPath, [again]);
    ROWS.push(again);
    await expectPrompts("range=7d", dayStart("2026-11-23"), nextDay("2026-11-29"));
    await expectPrompts("", "", "9999");
  } finally {
    await other.close();
  }
});
