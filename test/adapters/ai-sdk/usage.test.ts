/** Usage rows of AI SDK calls, and the dashboard's totals over them, checked against the raw rows. */
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { generateText } from "ai";
import { createDashboardApp } from "../../../src/dashboard/app.ts";
import { openDatabase } from "../../../src/sqlite/database.ts";
import { getJson } from "../../dashboard/request.ts";
import { useAiSdk, type ProviderName } from "./context.ts";

const ctx = useAiSdk();
const apps: { close(): void }[] = [];
afterAll(() => apps.forEach((app) => app.close()));

test("each call is a row under the provider and model the AI SDK reports, with its tokens; the dashboard adds up the rows", async () => {
  const cache = ctx.middleware({}, "usage");
  const calls: [ProviderName, string, string][] = [
    ["openai", "gpt-4o", "What is a vector database?"],
    ["openai", "gpt-4o", "What is a vector database?"],
    ["anthropic", "claude-sonnet-4-5", "Name three sorting algorithms."],
    ["anthropic", "claude-sonnet-4-5", "Name three sorting algorithms."],
    ["google", "gemini-2.5-flash", "What is a heap?"],
    ["google", "gemini-2.5-flash", "What is a heap?"],
    ["google", "gemini-2.5-flash", "What is a heap?"],
  ];
  const results: Awaited<ReturnType<typeof generateText>>[] = [];
  for (const [provider, id, prompt] of calls) results.push(await generateText({ model: ctx.model(provider, cache, id), prompt }));
  const summary = await cache.summary();
  await cache.close();

  const db = openDatabase(join(ctx.dir, "usage-usage.db"));
  const rows = db.prepare("SELECT provider, model, cache_hit, prompt, prompt_type, input_tokens, output_tokens, tokens_saved, cost_saved_usd, co2_saved_g FROM usage_log ORDER BY id").all() as Record<string, any>[];
  db.close();
  expect(rows.map((row) => [row.provider, row.model, row.cache_hit, row.prompt, row.prompt_type])).toEqual(
    calls.map(([provider, id, prompt], index) => [{ openai: "openai", anthropic: "anthropic", google: "gemini" }[provider as string], id, index === 0 || index === 2 || index === 4 ? 0 : 1, prompt, "text"]),
  );
  rows.forEach((row, index) => {
    // What the AI SDK reported for the call, hit or miss.
    expect(row.input_tokens).toBe(results[index]!.usage.inputTokens);
    expect(row.output_tokens).toBe(results[index]!.usage.outputTokens);
    expect(row.tokens_saved).toBe(row.cache_hit ? row.output_tokens : 0);
    if (row.cache_hit) expect(row.cost_saved_usd).toBeGreaterThan(0);
  });

  const sum = (column: string) => rows.reduce((total, row) => total + row[column], 0);
  const hits = rows.filter((row) => row.cache_hit === 1).length;
  expect(summary).toMatchObject({ totalCalls: rows.length, cacheHits: hits, cacheMisses: rows.length - hits, tokensSaved: sum("tokens_saved") });
  expect(summary.costSavedUsd).toBeCloseTo(sum("cost_saved_usd"), 12);

  const app = await createDashboardApp({ dbPath: join(ctx.dir, "usage-usage.db"), settingsPath: join(ctx.dir, "usage-settings.json") });
  apps.push(app);
  const served = (await getJson(app, "/api/summary")).body;
  expect(served).toMatchObject({ totalCalls: rows.length, cacheHits: hits, tokensSaved: sum("tokens_saved") });
  expect(served.costSavedUsd).toBeCloseTo(sum("cost_saved_usd"), 12);
  expect(served.co2SavedG).toBeCloseTo(sum("co2_saved_g"), 12);
  const byProvider = (await getJson(app, "/api/overview")).body.byProvider.map((p: { key: string; calls: number; hits: number }) => [p.key, p.calls, p.hits]);
  expect(byProvider.sort()).toEqual([["anthropic", 2, 1], ["gemini", 3, 2], ["openai", 2, 1]]);
});
