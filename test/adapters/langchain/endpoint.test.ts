/** The endpoint each chat model calls is part of the key: real `@langchain/*` models against two simulators. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { ChatAnthropic } from "@langchain/anthropic";
import { AzureChatOpenAI, ChatOpenAI } from "@langchain/openai";
import { EcoAICache, type EcoAICacheOptions } from "../../../src/adapters/langchain/index.ts";
import { EcoAIConfigError } from "../../../src/errors.ts";
import { startSimulator, type Simulator } from "../../../src/simulator/index.ts";
import { filesNamed, TEST_API_KEY } from "../../harness.ts";
import { tempDir } from "../../temp.ts";

let first: Simulator;
let second: Simulator;
const dir = tempDir();
const opened: EcoAICache[] = [];
beforeAll(async () => {
  [first, second] = await Promise.all([startSimulator(), startSimulator()]);
});
afterAll(async () => {
  await Promise.all(opened.map((cache) => cache.close()));
  await Promise.all([first.close(), second.close()]);
});

/** A cache over the files named `name`: caches given the same name share one store. */
function ecoCache(name: string, options: EcoAICacheOptions = {}): EcoAICache {
  const cache = new EcoAICache({ ...filesNamed(dir, name), ...options });
  opened.push(cache);
  return cache;
}

const claude = (sim: Simulator, cache: EcoAICache) => new ChatAnthropic({ model: "claude-sonnet-4-5", apiKey: TEST_API_KEY, anthropicApiUrl: sim.anthropicBaseURL, maxRetries: 0, cache });

test("ChatAnthropic at two endpoints: the same prompt makes a request to each and two entries in the shared store", async () => {
  const atFirst = ecoCache("anthropic", { baseURL: first.anthropicBaseURL, logPath: join(dir, "first-usage.db") });
  const atSecond = ecoCache("anthropic", { baseURL: second.anthropicBaseURL, logPath: join(dir, "second-usage.db") });
  first.reset();
  second.reset();
  for (let run = 0; run < 2; run++) {
    await claude(first, atFirst).invoke("Name three prime numbers.");
    await claude(second, atSecond).invoke("Name three prime numbers.");
  }
  expect([first.count("anthropic.messages"), second.count("anthropic.messages")]).toEqual([1, 1]);
  expect((await atFirst.history()).map((row) => row.cacheHit)).toEqual([true, false]);
  expect((await atSecond.history()).map((row) => row.cacheHit)).toEqual([true, false]);
  expect(await atFirst.flush()).toBe(2);
});

test("a cache without baseURL refuses ChatAnthropic's calls, naming the option, rather than let endpoints share answers", async () => {
  const cache = ecoCache("unscoped");
  first.reset();
  const error = await claude(first, cache).invoke("Name a river.").catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(EcoAIConfigError);
  expect(error).toMatchObject({ code: "ECOAI_LANGCHAIN_ENDPOINT_UNKNOWN", option: "baseURL" });
  expect((error as Error).message).toContain('new EcoAICache({ baseURL: "https://api.anthropic.com" })');
  expect(first.count()).toBe(0);
});

test("AzureChatOpenAI, whose llm string names neither instance nor deployment, is refused without baseURL too", async () => {
  const azure = new AzureChatOpenAI({ model: "gpt-4o", azureOpenAIApiKey: TEST_API_KEY, azureOpenAIEndpoint: first.url, azureOpenAIApiDeploymentName: "gpt-4o", azureOpenAIApiVersion: "2024-10-21", maxRetries: 0, cache: ecoCache("azure") });
  first.reset();
  expect(await azure.invoke("Name a river.").catch((caught: unknown) => caught)).toMatchObject({ code: "ECOAI_LANGCHAIN_ENDPOINT_UNKNOWN" });
  expect(first.count()).toBe(0);
});

test("ChatOpenAI names its endpoint to the cache: one cache, two endpoints, two requests and two entries", async () => {
  const cache = ecoCache("openai");
  const gpt = (sim: Simulator) => new ChatOpenAI({ model: "gpt-4o", apiKey: TEST_API_KEY, configuration: { baseURL: sim.openaiBaseURL }, maxRetries: 0, cache });
  first.reset();
  second.reset();
  for (let run = 0; run < 2; run++) {
    await gpt(first).invoke("Name three prime numbers.");
    await gpt(second).invoke("Name three prime numbers.");
  }
  expect([first.count("openai.chat.completions"), second.count("openai.chat.completions")]).toEqual([1, 1]);
  expect(await cache.flush()).toBe(2);
});

test("a baseURL that is not a non-empty string is a config error at construction", () => {
  for (const baseURL of ["", "  ", 42]) {
    expect(() => new EcoAICache({ baseURL: baseURL as string, storage: "memory", logUsage: false })).toThrow(EcoAIConfigError);
  }
});
