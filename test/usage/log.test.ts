import { describe, expect, test } from "bun:test";
import { openDatabase } from "../../src/sqlite/database.ts";
import { footprintFigures } from "../../src/usage/energy-footprint.ts";
import { METHODOLOGY_VERSION } from "../../src/usage/methodology.ts";
import { ratesFor } from "../../src/usage/pricing.ts";
import { ask, recordingLogger, useUpstream } from "../harness.ts";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { EcoAIError } from "../../src/index.ts";

const up = useUpstream();

describe("usage log", () => {
  test("a log file that cannot be opened at start is one warning naming the file; calls succeed", async () => {
    const logPath = join(up.dir, "a-folder.db");
    mkdirSync(logPath, { recursive: true });
    const logger = recordingLogger();
    const eco = up.eco({ logPath, logger });
    for (let i = 0; i < 3; i++) expect((await eco.chat.completions.create(ask(`unlogged ${i}`))).choices[0]?.message.content).toBeString();
    expect(logger.messages).toHaveLength(1);
    expect(logger.messages[0]).toContain(logPath);
    expect(logger.messages[0]).toContain("could not open");
    // The management calls that need the file say so, with the code of an unavailable log.
    const error = await eco.summary().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EcoAIError);
    expect((error as EcoAIError).code).toBe("ECOAI_USAGE_LOG_UNAVAILABLE");
    expect((error as Error).message).toContain(logPath);
  });

  test("one row per call with the columns of the design, hits priced at the model's rates", async () => {
    const logPath = join(up.dir, "columns-usage.db");
    const eco = up.eco({ logPath });
    const miss = await eco.chat.completions.create(ask("How many moons has Mars?", { model: "gpt-4o-mini" }));
    await eco.chat.completions.create(ask("How many moons has Mars?", { model: "gpt-4o-mini" }));
    await eco.close();

    const db = openDatabase(logPath);
    const rows = db.prepare("SELECT * FROM usage_log ORDER BY id").all();
    db.close();
    expect(rows).toHaveLength(2);
    const [missRow, hitRow] = rows as [Record<string, unknown>, Record<string, unknown>];
    expect(Object.keys(missRow).sort()).toEqual(
      [
        "id", "timestamp", "provider", "model", "cache_hit", "semantic_hit", "cache_key", "prompt", "prompt_type", "input_tokens", "output_tokens", "tokens_saved",
        "latency_ms", "cost_saved_usd", "co2_saved_g", "embedding_tokens", "embedding_cost_usd", "namespace", "cached_input_tokens", "cost_usd", "priced",
        "semantic_score", "matched_prompt", "methodology_version", "cache_write_input_tokens", "reasoning_tokens", "image_count", "image_size",
        "image_quality", "energy_wh_low", "energy_wh_central", "energy_wh_high", "co2e_g_low", "co2e_g_central", "co2e_g_high", "grid_g_per_kwh",
        "embedding_co2e_g",
      ].sort(),
    );
    expect(String(missRow.timestamp)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(missRow).toMatchObject({ provider: "openai", model: "gpt-4o-mini", cache_hit: 0, semantic_hit: 0, prompt: "How many moons has Mars?", prompt_type: "text", tokens_saved: 0, cost_saved_usd: 0, co2_saved_g: 0 });
    expect(missRow.input_tokens).toBe(miss.usage!.prompt_tokens);
    expect(missRow.output_tokens).toBe(miss.usage!.completion_tokens);
    expect(hitRow.cache_key).toBe(missRow.cache_key);
    expect(String(hitRow.cache_key)).toMatch(/^[0-9a-f]{64}$/);

    const rates = ratesFor("gpt-4o-mini");
    const usage = miss.usage!;
    const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
    const expectedCost = ((usage.prompt_tokens - cached) * rates.inputPerMTok + cached * rates.cachedInputPerMTok + usage.completion_tokens * rates.outputPerMTok) / 1e6;
    expect(hitRow.cache_hit).toBe(1);
    expect(hitRow.tokens_saved).toBe(usage.completion_tokens);
    expect(hitRow.cost_saved_usd as number).toBeCloseTo(expectedCost, 12);
    // CO₂e under the current method, the same figures for the miss (what it took) and the hit (what it avoided).
    const footprint = footprintFigures({ model: "gpt-4o-mini", usage: { inputTokens: usage.prompt_tokens, cachedInputTokens: cached, outputTokens: usage.completion_tokens } });
    expect(hitRow.co2_saved_g as number).toBeCloseTo(footprint.co2eG.total.central, 12);
    for (const row of [missRow, hitRow]) {
      expect(row).toMatchObject({ methodology_version: METHODOLOGY_VERSION, grid_g_per_kwh: 473.01, embedding_co2e_g: 0 });
      expect(row.energy_wh_central as number).toBeCloseTo(footprint.energyWh.central, 12);
      expect([row.energy_wh_low, row.energy_wh_high, row.co2e_g_low, row.co2e_g_central, row.co2e_g_high]).toEqual([
        footprint.energyWh.low, footprint.energyWh.high, footprint.co2eG.total.low, footprint.co2eG.total.central, footprint.co2eG.total.high,
      ]);
    }
    expect(hitRow.cost_saved_usd as number).toBeGreaterThan(0);
    // What each call paid: the miss its tokens at list price, the hit nothing.
    expect(missRow).toMatchObject({ priced: 1, namespace: "", semantic_score: null, matched_prompt: null });
    expect(missRow.cost_usd as number).toBeCloseTo(expectedCost, 12);
    expect(hitRow).toMatchObject({ priced: 1, cost_usd: 0 });
  });

  test("a model without a list price is flagged: its cost and savings are unknown, not a default price", async () => {
    const eco = up.eco({ namespace: "tenant-7" });
    for (let i = 0; i < 2; i++) await eco.chat.completions.create(ask("Which model is this?", { model: "acme-llm-9" }));
    await eco.chat.completions.create(ask("Which model is this?"));
    const [known, hit, miss] = await eco.history();
    expect(miss).toMatchObject({ model: "acme-llm-9", cacheHit: false, priced: false, costUsd: null, costSavedUsd: 0, namespace: "tenant-7" });
    expect(hit).toMatchObject({ model: "acme-llm-9", cacheHit: true, priced: false, costUsd: 0, costSavedUsd: 0, tokensSaved: miss!.outputTokens });
    expect(known).toMatchObject({ model: "gpt-4o", priced: true });
    const summary = await eco.summary();
    expect(summary).toMatchObject({ totalCalls: 3, unpricedCalls: 2, costSavedUsd: 0 });
    expect(summary.spentUsd).toBeCloseTo(known!.costUsd!, 15);
    expect(summary.spentUsd).toBeGreaterThan(0);
  });

  test("provider-cached input tokens are priced at the cached rate, never overstating savings", async () => {
    const eco = up.eco();
    const client = up.openai({ defaultHeaders: { "x-sim-cached-tokens": "8" } });
    const withCache = up.eco({ client } as never);
    const plain = await eco.chat.completions.create(ask("pricing of cached input tokens"));
    await eco.chat.completions.create(ask("pricing of cached input tokens"));
    const cachedMiss = await withCache.chat.completions.create(ask("pricing of cached input tokens"));
    await withCache.chat.completions.create(ask("pricing of cached input tokens"));
    expect(cachedMiss.usage!.prompt_tokens_details!.cached_tokens).toBe(8);
    expect(cachedMiss.usage!.prompt_tokens).toBe(plain.usage!.prompt_tokens);
    const [plainHit] = await eco.history({ limit: 1 });
    const [cachedHit] = await withCache.history({ limit: 1 });
    const rates = ratesFor("gpt-4o");
    expect(plainHit!.costSavedUsd - cachedHit!.costSavedUsd).toBeCloseTo((8 * (rates.inputPerMTok - rates.cachedInputPerMTok)) / 1e6, 12);
  });

  test("summary() totals equal the rows", async () => {
    const eco = up.eco();
    for (const text of ["one", "two", "one", "one", "three", "two"]) await eco.chat.completions.create(ask(text));
    const summary = await eco.summary();
    const history = await eco.history();
    expect(summary.totalCalls).toBe(6);
    expect(summary.cacheHits).toBe(3);
    expect(summary.cacheMisses).toBe(3);
    expect(summary.hitRate).toBeCloseTo(0.5);
    expect(summary.semanticHits).toBe(0);
    expect(summary.tokensSaved).toBe(history.reduce((sum, record) => sum + record.tokensSaved, 0));
    expect(summary.costSavedUsd).toBeCloseTo(history.reduce((sum, record) => sum + record.costSavedUsd, 0), 12);
    expect(summary.co2SavedG).toBeCloseTo(history.reduce((sum, record) => sum + record.co2SavedG, 0), 12);
  });

  test("history() is newest first and filters by model, provider, time, limit and offset", async () => {
    const eco = up.eco();
    const start = new Date();
    for (let i = 0; i < 5; i++) await eco.chat.completions.create(ask(`history ${i}`, { model: i % 2 ? "gpt-4o-mini" : "gpt-4o" }));
    const all = await eco.history();
    expect(all.map((record) => record.prompt)).toEqual(["history 4", "history 3", "history 2", "history 1", "history 0"]);
    expect((await eco.history({ model: "gpt-4o-mini" })).map((record) => record.prompt)).toEqual(["history 3", "history 1"]);
    expect(await eco.history({ provider: "anthropic" })).toEqual([]);
    expect((await eco.history({ limit: 2, offset: 1 })).map((record) => record.prompt)).toEqual(["history 3", "history 2"]);
    expect(await eco.history({ to: new Date(start.getTime() - 1000) })).toEqual([]);
    expect(await eco.history({ from: start.toISOString() })).toHaveLength(5);
    await expect(eco.history({ from: "not a date" })).rejects.toThrow(/Invalid from "not a date" \(from history\(\) argument\)/);
    await expect(eco.history({ limit: -1 })).rejects.toThrow(/limit/);
  });

  test("logs keep the first 200 characters of the last user turn", async () => {
    const eco = up.eco();
    const long = "x".repeat(500);
    await eco.chat.completions.create({ model: "gpt-4o", messages: [{ role: "system", content: "be brief" }, { role: "user", content: "earlier" }, { role: "assistant", content: "ok" }, { role: "user", content: [{ type: "text", text: long }] }] });
    const [record] = await eco.history({ limit: 1 });
    expect(record!.prompt).toBe("x".repeat(200));
  });

  test("logUsage: false writes nothing and summary() explains why it cannot answer", async () => {
    const logPath = join(up.dir, "never-usage.db");
    const eco = up.eco({ logUsage: false, logPath });
    await eco.chat.completions.create(ask("unlogged"));
    await expect(eco.summary()).rejects.toThrow(/logUsage: true/);
    expect(await Bun.file(logPath).exists()).toBe(false);
  });
});

describe("flush", () => {
  test("by pattern (case-insensitive glob over the prompt), by model, and all", async () => {
    const eco = up.eco();
    const prompts = ["Where is my REFUND?", "refund policy for orders/returns", "What is the weather?", "multi\nline refund"];
    for (const prompt of prompts) await eco.chat.completions.create(ask(prompt));
    await eco.chat.completions.create(ask("refund in mini", { model: "gpt-4o-mini" }));
    expect(await eco.flush({ pattern: "*refund*", model: "gpt-4o" })).toBe(3);
    expect(await eco.flush({ pattern: "*refund*" })).toBe(1);
    const before = up.sim.count();
    await eco.chat.completions.create(ask("What is the weather?"));
    expect(up.sim.count()).toBe(before);
    await eco.chat.completions.create(ask("Where is my REFUND?"));
    expect(up.sim.count()).toBe(before + 1);
    expect(await eco.flush()).toBe(2);
    expect(await eco.flush()).toBe(0);
  });

  test("a namespaced instance flushes only its namespace", async () => {
    const sqlitePath = join(up.dir, "ns-flush.db");
    const a = up.eco({ sqlitePath, namespace: "a" });
    const b = up.eco({ sqlitePath, namespace: "b" });
    await a.chat.completions.create(ask("shared question"));
    await b.chat.completions.create(ask("shared question"));
    expect(await a.flush()).toBe(1);
    const before = up.sim.count();
    await b.chat.completions.create(ask("shared question"));
    expect(up.sim.count()).toBe(before);
  });

  test("works on the memory store too", async () => {
    const eco = up.eco({ storage: "memory" });
    await eco.chat.completions.create(ask("memory refund"));
    await eco.chat.completions.create(ask("memory other"));
    expect(await eco.flush({ pattern: "*REFUND*" })).toBe(1);
    expect(await eco.flush({ model: "gpt-4o" })).toBe(1);
  });

  test("an empty pattern is refused with a clear message", async () => {
    const eco = up.eco();
    await expect(eco.flush({ pattern: "" })).rejects.toThrow(/Invalid pattern "" \(from flush\(\) argument\)/);
  });
});
