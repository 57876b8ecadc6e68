/** `EcoAICache` behind real `@langchain/openai` and `@langchain/anthropic` chat models pointed at the simulator. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ChatAnthropic } from "@langchain/anthropic";
import { AIMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { EcoAICache, type EcoAICacheOptions } from "../../../src/adapters/langchain/index.ts";
import { createDashboardApp } from "../../../src/dashboard/app.ts";
import { startSimulator, type Simulator } from "../../../src/simulator/index.ts";
import { openDatabase } from "../../../src/sqlite/database.ts";
import { getJson } from "../../dashboard/request.ts";
import { filesNamed, TEST_API_KEY } from "../../harness.ts";
import { tempDir } from "../../temp.ts";

let sim: Simulator;
const dir = tempDir();
const opened: { close(): unknown }[] = [];
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await Promise.all(opened.map((item) => item.close()));
  await sim.close();
});

function ecoCache(name = Math.random().toString(36).slice(2), options: EcoAICacheOptions = {}): EcoAICache {
  const cache = new EcoAICache({
    ...filesNamed(dir, name),
    // ChatAnthropic leaves its endpoint out of what LangChain hands a cache: the cache names it.
    baseURL: sim.anthropicBaseURL,
    ...options,
  });
  opened.push(cache);
  return cache;
}

const MODELS = {
  "@langchain/openai": {
    route: "openai.chat.completions",
    model: (cache: EcoAICache, apiKey = TEST_API_KEY) => new ChatOpenAI({ model: "gpt-4o", apiKey, configuration: { baseURL: sim.openaiBaseURL }, maxRetries: 0, cache }),
  },
  "@langchain/anthropic": {
    route: "anthropic.messages",
    model: (cache: EcoAICache, apiKey = TEST_API_KEY) => new ChatAnthropic({ model: "claude-sonnet-4-5", apiKey, anthropicApiUrl: sim.anthropicBaseURL, maxRetries: 0, cache }),
  },
} as const;

const weather = { type: "function" as const, function: { name: "weather", description: "The weather in a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } };
const forecast = { ...weather, function: { ...weather.function, name: "forecast" } };

describe.each(Object.keys(MODELS) as (keyof typeof MODELS)[])("%s", (name) => {
  const { route, model } = MODELS[name];

  test("a repeated invoke makes no request and returns the same message", async () => {
    const chat = model(ecoCache());
    sim.reset();
    const live = await chat.invoke([["system", "Be brief."], ["human", `Name three prime numbers (${name}).`]]);
    const hit = await chat.invoke([["system", "Be brief."], ["human", `Name three prime numbers (${name}).`]]);
    expect(sim.count(route)).toBe(1);
    expect(hit).toBeInstanceOf(AIMessage);
    expect(hit.content).toEqual(live.content);
    expect(hit.id).toBe(live.id!);
    expect(hit.response_metadata).toEqual(live.response_metadata);
    expect(String(live.content)).toContain("Name three prime numbers");
  });

  test("the same prompt with other bound tools is another entry, and tool calls come back", async () => {
    const cache = ecoCache();
    const chat = model(cache);
    sim.reset();
    const prompt = `What is the weather in Paris? [sim:tool-call] (${name})`;
    const live = await chat.bindTools([weather]).invoke(prompt);
    await chat.bindTools([forecast]).invoke(prompt);
    const hit = await chat.bindTools([weather]).invoke(prompt);
    expect(sim.count(route)).toBe(2);
    expect(live.tool_calls?.[0]?.name).toBe("weather");
    expect(hit.tool_calls).toEqual(live.tool_calls!);
    const rows = await cache.history();
    expect(rows.map((row) => [row.cacheHit, row.promptType])).toEqual([[true, "tool"], [false, "tool"], [false, "tool"]]);
  });

  test("another API key reads the same entries: credentials are not in the key", async () => {
    const cache = ecoCache();
    sim.reset();
    await model(cache).invoke(`Define entropy (${name}).`);
    await model(cache, "sk-test-another-key-0123456789").invoke(`Define entropy (${name}).`);
    expect(sim.count(route)).toBe(1);
  });
});

test("models of one cache keep their entries apart, more models than the cache keeps read at once included", async () => {
  const cache = ecoCache();
  const chat = (temperature: number) => new ChatOpenAI({ model: "gpt-4o", temperature, apiKey: TEST_API_KEY, configuration: { baseURL: sim.openaiBaseURL }, maxRetries: 0, cache });
  const temperatures = Array.from({ length: 70 }, (_, i) => i / 100);
  sim.reset();
  for (const temperature of temperatures) await chat(temperature).invoke("Name a river.");
  expect(sim.count("openai.chat.completions")).toBe(70);
  for (const temperature of [0, 0.01, 0.69, 0]) await chat(temperature).invoke("Name a river.");
  expect(sim.count("openai.chat.completions")).toBe(70);
  const rows = await cache.history({ limit: 4 });
  expect(rows.map((row) => row.cacheHit)).toEqual([true, true, true, true]);
});

test("cachingEnabled: false sends every call upstream and still logs each one with its tokens", async () => {
  const cache = ecoCache(undefined, { cachingEnabled: false });
  const chat = MODELS["@langchain/anthropic"].model(cache);
  sim.reset();
  await chat.invoke("Name a bird.");
  await chat.invoke("Name a bird.");
  expect(sim.count()).toBe(2);
  const rows = await cache.history();
  expect(rows.map((row) => row.cacheHit)).toEqual([false, false]);
  expect(rows.every((row) => row.tokensSaved === 0 && row.model === "claude-sonnet-4-5")).toBe(true);
});

test("a miss is logged with the time the generation took, from the lookup to the stored answer", async () => {
  const cache = ecoCache();
  sim.delayMs = 60;
  try {
    await MODELS["@langchain/openai"].model(cache).invoke("Name a desert.");
  } finally {
    sim.delayMs = 0;
  }
  const [row] = await cache.history();
  expect(row!.cacheHit).toBe(false);
  expect(row!.latencyMs).toBeGreaterThanOrEqual(60);
});

describe(".stream(), as docs/langchain.md says", () => {
  test("a model that streams streams from the provider every time: LangChain does not consult its cache", async () => {
    const cache = ecoCache();
    const chat = MODELS["@langchain/openai"].model(cache);
    sim.reset();
    for (let run = 0; run < 2; run++) for await (const _chunk of await chat.stream("Name a mountain.")) void _chunk;
    expect(sim.count()).toBe(2);
    expect(await cache.history()).toEqual([]);
  });

  test("with disableStreaming: true, .stream() is answered through invoke, and so from the cache", async () => {
    const cache = ecoCache();
    const chat = new ChatOpenAI({ model: "gpt-4o", apiKey: TEST_API_KEY, configuration: { baseURL: sim.openaiBaseURL }, maxRetries: 0, cache, disableStreaming: true });
    sim.reset();
    const texts: string[] = [];
    for (let run = 0; run < 2; run++) {
      let text = "";
      for await (const chunk of await chat.stream("Name a lake.")) text += String(chunk.content);
      texts.push(text);
    }
    expect(sim.count()).toBe(1);
    expect(texts[1]).toBe(texts[0]!);
    expect((await cache.history()).map((row) => row.cacheHit)).toEqual([true, false]);
  });
});

test("usage rows carry each provider, model and token count; the dashboard adds up the raw rows", async () => {
  const cache = ecoCache("usage");
  const asked: [keyof typeof MODELS, string][] = [
    ["@langchain/openai", "What is a vector database?"],
    ["@langchain/openai", "What is a vector database?"],
    ["@langchain/anthropic", "Name three sorting algorithms."],
    ["@langchain/anthropic", "Name three sorting algorithms."],
    ["@langchain/anthropic", "Name three sorting algorithms."],
  ];
  const live: AIMessage[] = [];
  for (const [name, prompt] of asked) live.push(await MODELS[name].model(cache).invoke(prompt));
  await cache.close();

  const db = openDatabase(join(dir, "usage-usage.db"));
  const rows = db.prepare("SELECT provider, model, cache_hit, prompt, input_tokens, output_tokens, tokens_saved, cost_saved_usd, co2_saved_g, latency_ms FROM usage_log ORDER BY id").all() as Record<string, any>[];
  db.close();
  expect(rows.map((row) => [row.provider, row.model, row.cache_hit, row.prompt])).toEqual([
    ["openai", "gpt-4o", 0, "What is a vector database?"],
    ["openai", "gpt-4o", 1, "What is a vector database?"],
    ["anthropic", "claude-sonnet-4-5", 0, "Name three sorting algorithms."],
    ["anthropic", "claude-sonnet-4-5", 1, "Name three sorting algorithms."],
    ["anthropic", "claude-sonnet-4-5", 1, "Name three sorting algorithms."],
  ]);
  // A miss logs what the provider reported; a hit logs the tokens it saved (LangChain reports 0 for a cached message).
  for (const index of [0, 2]) {
    expect(rows[index]!.input_tokens).toBe(live[index]!.usage_metadata!.input_tokens);
    expect(rows[index]!.output_tokens).toBe(live[index]!.usage_metadata!.output_tokens);
    expect(rows[index]!.output_tokens).toBeGreaterThan(0);
  }
  for (const index of [1, 3, 4]) {
    const miss = rows[index === 1 ? 0 : 2]!;
    expect([rows[index]!.input_tokens, rows[index]!.output_tokens, rows[index]!.tokens_saved]).toEqual([miss.input_tokens, miss.output_tokens, miss.output_tokens]);
    expect(live[index]!.usage_metadata?.output_tokens).toBe(0);
  }

  const sum = (column: string) => rows.reduce((total, row) => total + row[column], 0);
  const app = await createDashboardApp({ dbPath: join(dir, "usage-usage.db"), settingsPath: join(dir, "usage-settings.json") });
  opened.push(app);
  const summary = (await getJson(app, "/api/summary")).body;
  expect(summary).toMatchObject({ totalCalls: 5, cacheHits: 3, cacheMisses: 2, tokensSaved: sum("tokens_saved") });
  expect(summary.costSavedUsd).toBeCloseTo(sum("cost_saved_usd"), 12);
  expect(summary.co2SavedG).toBeCloseTo(sum("co2_saved_g"), 12);
  const byProvider = (await getJson(app, "/api/overview")).body.byProvider.map((p: { key: string; calls: number; hits: number }) => [p.key, p.calls, p.hits]);
  expect(byProvider.sort()).toEqual([["anthropic", 3, 2], ["openai", 2, 1]]);
});
