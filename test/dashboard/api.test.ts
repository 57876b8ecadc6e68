import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createDashboardApp } from "../../src/dashboard/app.ts";
import { resetRollup } from "../../src/dashboard/rollup.ts";
import { openDatabase } from "../../src/sqlite/database.ts";
import { ask, CHAT_ROUTE, useUpstream } from "../harness.ts";
import { getJson } from "./request.ts";
import { seedUsageLog, type SeedRow } from "./seed.ts";

const ctx = useUpstream();
const apps: { close(): void }[] = [];
afterAll(() => apps.forEach((app) => app.close()));

async function dashboard(dbPath: string, now?: Date) {
  const app = await createDashboardApp({ dbPath, settingsPath: join(ctx.dir, "unused-settings.json"), ...(now ? { now: () => now } : {}) });
  apps.push(app);
  return app;
}

describe("numbers from real calls", () => {
  test("/api/summary equals eco.summary(), before and after more calls", async () => {
    const logPath = join(ctx.dir, "real-usage.db");
    const eco = ctx.eco({ logPath });
    for (const content of ["What is a vector database?", "What is a vector database?", "Name three sorting algorithms.", "What is a vector database?"]) {
      await eco.chat.completions.create(ask(content));
    }
    await eco.chat.completions.create(ask("Reply in JSON.", { model: "gpt-4o-mini", response_format: { type: "json_object" } }));
    await eco.chat.completions.create(ask("Reply in JSON.", { model: "gpt-4o-mini", response_format: { type: "json_object" } }));
    const expected = await eco.summary();
    expect(expected.cacheHits).toBe(3);
    const app = await dashboard(logPath);
    expect((await getJson(app, "/api/summary")).body).toEqual(expected);

    await eco.chat.completions.create(ask("Name three sorting algorithms."));
    await eco.chat.completions.create(ask("A brand new question."));
    const later = await eco.summary();
    const { body } = await getJson(app, "/api/summary");
    expect(Object.keys(body).sort()).toEqual(Object.keys(later).sort());
    for (const key of ["totalCalls", "cacheHits", "cacheMisses", "tokensSaved", "semanticHits"] as const) expect(body[key]).toBe(later[key]);
    for (const key of ["hitRate", "costSavedUsd", "co2SavedG"] as const) expect(body[key]).toBeCloseTo(later[key], 12);

    const overview = (await getJson(app, "/api/overview")).body;
    expect(overview.byProvider).toEqual([expect.objectContaining({ key: "openai", calls: 8, hits: 4 })]);
    expect(overview.byModel.map((m: { key: string; calls: number }) => [m.key, m.calls])).toEqual([["gpt-4o", 6], ["gpt-4o-mini", 2]]);
    expect(overview.totals.netSavedUsd).toBeCloseTo(later.costSavedUsd, 12);
    expect(overview.totals.spentUsd).toBeCloseTo(later.spentUsd, 12);
    expect(overview.contentTypes.map((t: { key: string; calls: number }) => [t.key, t.calls])).toEqual([["text", 6], ["structured", 2]]);
    expect(overview.topPrompts[0]).toMatchObject({ prompt: "What is a vector database?", model: "gpt-4o", hits: 2, calls: 3 });
    // From the central estimate: US EPA, 400 g CO₂ per mile in a typical passenger car.
    expect(overview.equivalences).toMatchObject({ basis: "central estimate" });
    expect(overview.equivalences.carKm).toBeCloseTo(later.co2SavedG / (400 / 1.609344), 12);

    const days = (await getJson(app, "/api/timeseries")).body.days;
    expect(days).toHaveLength(30);
    expect(days.at(-1)).toMatchObject({ day: new Date().toISOString().slice(0, 10), calls: 8, hits: 4, hitRate: 0.5 });
    expect(days.slice(0, -1).every((day: { calls: number }) => day.calls === 0)).toBe(true);

    const history = (await getJson(app, "/api/history?limit=2")).body.records;
    expect(history).toEqual((await eco.history({ limit: 2 })).map((record) => ({ ...record })));
    expect(ctx.sim.count(CHAT_ROUTE)).toBe(4);
  });

  test("with semantic hits and embedding costs, the dashboard's totals are eco.summary()'s, net of what embeddings cost", async () => {
    const logPath = join(ctx.dir, "semantic-usage.db");
    const eco = ctx.eco({ logPath, semantic: { threshold: 0.9 } });
    // Cosine similarity 0.91 under the simulator's embeddings: a semantic hit.
    for (const content of ["What is the capital of France?", "What is the capital city of France?", "Name a prime number.", "What is the capital of France?"]) {
      await eco.chat.completions.create(ask(content));
    }
    const expected = await eco.summary();
    const records = await eco.history();
    expect(expected).toMatchObject({ totalCalls: 4, cacheHits: 2, semanticHits: 1 });
    expect(records.some((record) => (record.embeddingCostUsd ?? 0) > 0)).toBe(true);
    expect(expected.costSavedUsd).toBeCloseTo(records.reduce((sum, record) => sum + record.costSavedUsd, 0), 15);
    const app = await dashboard(logPath);
    const summary = (await getJson(app, "/api/summary")).body;
    for (const key of ["totalCalls", "cacheHits", "cacheMisses", "tokensSaved", "semanticHits"] as const) expect(summary[key]).toBe(expected[key]);
    for (const key of ["hitRate", "costSavedUsd", "co2SavedG"] as const) expect(summary[key]).toBeCloseTo(expected[key], 15);
    const prompts = (await getJson(app, "/api/prompts")).body.prompts;
    expect(prompts.reduce((sum: number, p: { costSavedUsd: number }) => sum + p.costSavedUsd, 0)).toBeCloseTo(expected.costSavedUsd, 15);
    expect((await getJson(app, "/api/prompts?filter=semantic")).body.prompts.map((p: { prompt: string }) => p.prompt)).toEqual(["What is the capital city of France?"]);
    const provider = (await getJson(app, "/api/overview")).body.byProvider[0];
    expect(provider).toMatchObject({ calls: 4, hits: 2, semanticHits: 1 });
    expect(provider.netSavedUsd).toBeCloseTo(expected.costSavedUsd, 15);
    expect(provider.embeddingCostUsd).toBeCloseTo(expected.embeddingCostUsd, 15);
    expect(provider.savedUsd - provider.embeddingCostUsd).toBeCloseTo(expected.costSavedUsd, 15);
  });
});

describe("prompts: search, filters, pages", () => {
  const dbPath = join(ctx.dir, "prompts-usage.db");
  const rows: SeedRow[] = [];
  const base = Date.parse("2026-11-20T12:00:00Z");
  const types = ["text", "image", "tool", "structured"] as const;
  for (let i = 0; i < 60; i++) {
    const prompt = i === 7 ? "Discount of 50% off_today" : `Question number ${i} about ${i % 2 ? "billing" : "shipping"}`;
    const timestamp = new Date(base + i * 60_000).toISOString();
    const common = { prompt, promptType: types[i % 4]!, model: i % 3 ? "gpt-4o" : "claude-sonnet-4-5", provider: i % 3 ? "openai" : "anthropic" } as const;
    rows.push({ ...common, timestamp });
    for (let hit = 0; hit < i % 5; hit++) rows.push({ ...common, timestamp, cacheHit: true, semanticHit: i % 10 === 4 && hit === 0 });
  }
  seedUsageLog(dbPath, rows);

  test("25 per page, newest first, with hit counts and last seen", async () => {
    const app = await dashboard(dbPath);
    const first = (await getJson(app, "/api/prompts")).body;
    expect(first).toMatchObject({ total: 60, page: 1, pageSize: 25, pages: 3 });
    expect(first.prompts).toHaveLength(25);
    expect(first.prompts[0]).toMatchObject({ prompt: "Question number 59 about billing", hits: 4, calls: 5, lastSeen: new Date(base + 59 * 60_000).toISOString() });
    const third = (await getJson(app, "/api/prompts?page=3")).body;
    expect(third.prompts).toHaveLength(10);
    expect(third.prompts.at(-1).prompt).toBe("Question number 0 about shipping");
    // A page past the end (a reloaded address after a prune, a narrower search) answers the last one.
    expect((await getJson(app, "/api/prompts?page=7")).body).toMatchObject({ page: 3, pages: 3, total: 60, prompts: third.prompts });
    const byHits = (await getJson(app, "/api/prompts?sort=hits")).body.prompts;
    expect(byHits[0].hits).toBe(4);
    expect(byHits.map((p: { hits: number }) => p.hits)).toEqual([...Array(12).fill(4), ...Array(12).fill(3), 2]);
  });

  test("filters: exact, semantic and each prompt type; search is literal and case-insensitive", async () => {
    const app = await dashboard(dbPath);
    const semantic = (await getJson(app, "/api/prompts?filter=semantic")).body;
    expect(semantic.total).toBe(6);
    expect(semantic.prompts.every((p: { semanticHits: number }) => p.semanticHits === 1)).toBe(true);
    const exact = (await getJson(app, "/api/prompts?filter=exact")).body;
    expect(exact.total).toBe(48);
    expect(exact.prompts.every((p: { exactHits: number }) => p.exactHits > 0)).toBe(true);
    const image = (await getJson(app, "/api/prompts?filter=image")).body;
    expect(image.total).toBe(15);
    expect(image.prompts.every((p: { promptType: string }) => p.promptType === "image")).toBe(true);
    expect((await getJson(app, "/api/prompts?q=BILLING")).body.total).toBe(29);
    expect((await getJson(app, "/api/prompts?q=billing&filter=image")).body.total).toBe(15);
    expect((await getJson(app, "/api/prompts?q=50%25")).body.prompts.map((p: { prompt: string }) => p.prompt)).toEqual(["Discount of 50% off_today"]);
    expect((await getJson(app, "/api/prompts?q=_")).body.total).toBe(1);
    expect((await getJson(app, "/api/prompts?q=nothing-matches")).body).toMatchObject({ total: 0, pages: 1, prompts: [] });
  });

  test("bad parameters are refused with a 400 naming them", async () => {
    const app = await dashboard(dbPath);
    for (const [path, words] of [
      ["/api/prompts?filter=bogus", "filter must be one of all, exact, semantic"],
      ["/api/prompts?page=0", "page must be a whole number"],
      ["/api/prompts?page=abc", "page must be a whole number"],
      ["/api/timeseries?days=-1", "days must be a whole number from 1 to 366"],
      ["/api/history?provider=azure", "provider must be one of openai, anthropic, gemini"],
      ["/api/history?from=yesterday", "from \"yesterday\" is not a date"],
      [`/api/prompts?q=${"x".repeat(201)}`, "q must be at most 200 characters"],
    ] as const) {
      const { status, body } = await getJson(app, path);
      expect(status).toBe(400);
      expect(body.error).toContain(words);
    }
    expect((await getJson(app, "/api/nope")).status).toBe(404);
  });

  test("history filters by model and provider and pages newest first", async () => {
    const app = await dashboard(dbPath);
    const records = (await getJson(app, "/api/history?provider=anthropic&limit=5&offset=1")).body.records;
    expect(records).toHaveLength(5);
    expect(records.every((r: { provider: string; model: string }) => r.provider === "anthropic" && r.model === "claude-sonnet-4-5")).toBe(true);
    const all = (await getJson(app, "/api/history?provider=anthropic&limit=6")).body.records;
    expect(records).toEqual(all.slice(1));
  });
});

describe("names every object has are data", () => {
  // A provider, model or prompt type logged by another tool (or a hand-edited log) can be any text.
  const NAMES = { provider: "constructor", model: "__proto__", promptType: "toString", prompt: "hasOwnProperty" } as const;
  const dbPath = join(ctx.dir, "names-usage.db");
  seedUsageLog(dbPath, [
    { ...(NAMES as unknown as SeedRow) },
    { ...(NAMES as unknown as SeedRow), cacheHit: true },
    { prompt: "an ordinary prompt" },
  ]);

  test("every route answers them as the plain strings they are", async () => {
    const app = await dashboard(dbPath);
    const overview = (await getJson(app, "/api/overview")).body;
    expect(overview.byProvider).toContainEqual(expect.objectContaining({ key: "constructor", calls: 2, hits: 1 }));
    expect(overview.byModel).toContainEqual(expect.objectContaining({ key: "__proto__", calls: 2 }));
    expect(overview.contentTypes).toContainEqual(expect.objectContaining({ key: "toString", calls: 2 }));
    expect(overview.topPrompts).toEqual([expect.objectContaining({ prompt: "hasOwnProperty", model: "__proto__", provider: "constructor", promptType: "toString", hits: 1 })]);
    const prompts = (await getJson(app, "/api/prompts?q=hasOwnProperty")).body.prompts;
    expect(prompts).toEqual([expect.objectContaining({ prompt: "hasOwnProperty", model: "__proto__", provider: "constructor", promptType: "toString", calls: 2 })]);
    const records = (await getJson(app, "/api/history?model=__proto__")).body.records;
    expect(records.map((r: { provider: string; promptType: string }) => [r.provider, r.promptType])).toEqual([["constructor", "toString"], ["constructor", "toString"]]);
    // As filters they are unknown values, not whatever an object inherits.
    expect((await getJson(app, "/api/prompts?filter=constructor")).status).toBe(400);
    expect((await getJson(app, "/api/prompts?filter=toString")).status).toBe(400);
    expect((await getJson(app, "/api/history?provider=constructor")).status).toBe(400);
  });
});

describe("aggregates follow the log", () => {
  test("rows written by another process appear; deleted rows leave the numbers", async () => {
    const dbPath = join(ctx.dir, "follow-usage.db");
    seedUsageLog(dbPath, [{ timestamp: "2026-11-01T00:00:00.000Z" }, { cacheHit: true, timestamp: "2026-11-02T00:00:00.000Z" }]);
    const app = await dashboard(dbPath, new Date("2026-11-02T10:00:00Z"));
    expect((await getJson(app, "/api/summary")).body).toMatchObject({ totalCalls: 2, cacheHits: 1 });
    seedUsageLog(dbPath, [{ cacheHit: true, prompt: "later", timestamp: "2026-11-02T01:00:00.000Z" }]);
    expect((await getJson(app, "/api/summary")).body).toMatchObject({ totalCalls: 3, cacheHits: 2 });
    expect((await getJson(app, "/api/prompts")).body.total).toBe(2);
    const db = openDatabase(dbPath);
    db.prepare("DELETE FROM usage_log WHERE timestamp < ?").run("2026-11-02T00:00:00.000Z");
    db.close();
    expect((await getJson(app, "/api/summary")).body).toMatchObject({ totalCalls: 2, cacheHits: 2, hitRate: 1 });
    const days = (await getJson(app, "/api/timeseries?days=2")).body.days;
    expect(days).toEqual([
      { day: "2026-11-01", calls: 0, hits: 0, semanticHits: 0, hitRate: 0 },
      { day: "2026-11-02", calls: 2, hits: 2, semanticHits: 0, hitRate: 1 },
    ]);
    // A second dashboard on the same file reuses the stored aggregates.
    const other = await dashboard(dbPath);
    expect((await getJson(other, "/api/prompts")).body.total).toBe(2);
  });

  test("a running dashboard follows a prune of rows that were not the first written", async () => {
    const dbPath = join(ctx.dir, "prune-middle-usage.db");
    // Timestamps out of id order: rows imported, or written under a wrong clock.
    seedUsageLog(dbPath, [
      { prompt: "kept", timestamp: "2026-11-20T00:00:00.000Z" },
      { prompt: "old", cacheHit: true, timestamp: "2026-09-01T00:00:00.000Z" },
      { prompt: "kept", cacheHit: true, timestamp: "2026-11-21T00:00:00.000Z" },
    ]);
    const app = await dashboard(dbPath, new Date("2026-11-21T10:00:00Z"));
    expect((await getJson(app, "/api/summary")).body).toMatchObject({ totalCalls: 3, cacheHits: 2 });
    expect((await getJson(app, "/api/prompts")).body.total).toBe(2);
    // What `ecoai prune --older-than 30d` does.
    const db = openDatabase(dbPath);
    db.prepare("DELETE FROM usage_log WHERE timestamp < ?").run("2026-10-22T10:00:00.000Z");
    resetRollup(db);
    db.close();
    expect((await getJson(app, "/api/summary")).body).toMatchObject({ totalCalls: 2, cacheHits: 1 });
    const prompts = (await getJson(app, "/api/prompts")).body;
    expect(prompts.prompts.map((p: { prompt: string; calls: number }) => [p.prompt, p.calls])).toEqual([["kept", 2]]);
  });

  test("an empty or missing log answers zeros", async () => {
    const app = await dashboard(join(ctx.dir, "fresh", "usage.db"));
    const zero = { low: 0, central: 0, high: 0 };
    const summary = (await getJson(app, "/api/summary")).body;
    expect(summary).toMatchObject({
      totalCalls: 0, cacheHits: 0, cacheMisses: 0, hitRate: 0, tokensSaved: 0, costSavedUsd: 0, co2SavedG: 0, semanticHits: 0,
      spentUsd: 0, embeddingCostUsd: 0, unpricedCalls: 0, unpricedModels: [], tokensSpent: 0,
      footprint: { methodologyVersion: 2, energySavedWh: zero, co2eSavedG: zero, energySpentWh: zero, co2eSpentG: zero, callsUnderEarlierMethods: 0 },
    });
    expect(summary.methodology.version).toBe(2);
    expect((await getJson(app, "/api/prompts")).body.total).toBe(0);
    const pricing = (await getJson(app, "/api/pricing")).body;
    expect(pricing.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(pricing.models.find((m: { prefix: string }) => m.prefix === "gpt-4o")).toMatchObject({ input: 2.5, cachedInput: 1.25, cacheWrite: 2.5, output: 10, reasoning: 10, asOf: "2026-04-01" });
    expect(pricing.unpriced.find((m: { prefix: string }) => m.prefix === "whisper-1").reason).toContain("does not cache");
  });
});
