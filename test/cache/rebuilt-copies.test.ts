/**
 * A method whose rebuild is costly and gives data (`copiesRebuilt`, as the AI SDK's results) is
 * rebuilt once per stored answer; every hit still gets its own response.
 */
import { afterEach, expect, test } from "bun:test";
import { createCacheEngine } from "../../src/cache/engine.ts";
import type { CachedCall } from "../../src/cache/cached-call.ts";
import { DEFAULTS } from "../../src/defaults.ts";
import type { CachedMethod } from "../../src/providers/adapter.ts";
import { createMemoryStore } from "../../src/stores/memory.ts";

const engines: ReturnType<typeof createCacheEngine>[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.close();
});

function engine() {
  const created = createCacheEngine({
    store: createMemoryStore(),
    usageLog: undefined,
    logger: { warn: () => {} },
    settings: () => ({ mode: DEFAULTS.mode, ttl: DEFAULTS.ttl, ttlByModel: {}, cachingEnabled: true, namespace: "", replay: DEFAULTS.replay }),
  });
  engines.push(created);
  return created;
}

/** A method whose stored answer is `{ text, at }` and whose rebuild makes `at` a date, counting its rebuilds. */
function datedMethod(copiesRebuilt: boolean) {
  const counts = { rebuilds: 0 };
  const method: CachedMethod = {
    path: ["create"],
    endpoint: "test.dated",
    bypass: () => false,
    model: () => "m",
    promptText: (params) => String(params.prompt),
    promptType: () => "text",
    keyParams: (params) => params,
    isResponse: (stored) => typeof (stored as { text?: unknown } | null)?.text === "string",
    isAnswer: () => true,
    usage: () => ({ inputTokens: 1, cachedInputTokens: 0, outputTokens: 1 }),
    rebuild(stored) {
      counts.rebuilds++;
      const { text, at } = stored as { text: string; at: number };
      return { text, at: new Date(at), note: undefined };
    },
    copiesRebuilt,
  };
  return { method, counts };
}

const call = (method: CachedMethod, prompt: string): CachedCall => ({
  provider: "openai",
  baseURL: "",
  wire: {},
  method,
  params: { prompt },
  options: {},
  send: async () => ({ text: `answer to ${prompt}`, at: 1_796_063_317_000 }),
});

test("later hits are copies of the response rebuilt once, each the caller's own", async () => {
  const cache = engine();
  const { method, counts } = datedMethod(true);
  await cache.call(call(method, "dated"));
  await cache.writePending();
  const hits = [];
  for (let i = 0; i < 4; i++) hits.push((await cache.call(call(method, "dated"))) as { text: string; at: Date; note: undefined });
  expect(counts.rebuilds).toBe(1);
  for (const hit of hits) {
    expect(hit).toStrictEqual({ text: "answer to dated", at: new Date(1_796_063_317_000), note: undefined });
    expect(Object.keys(hit)).toEqual(["text", "at", "note"]);
  }
  hits[0]!.at.setTime(0);
  hits[0]!.text = "changed by its caller";
  const next = (await cache.call(call(method, "dated"))) as { text: string; at: Date };
  expect(next.at.getTime()).toBe(1_796_063_317_000);
  expect(next.text).toBe("answer to dated");
});

test("a method that does not opt in is rebuilt for every hit", async () => {
  const cache = engine();
  const { method, counts } = datedMethod(false);
  await cache.call(call(method, "rebuilt each time"));
  await cache.writePending();
  for (let i = 0; i < 3; i++) await cache.call(call(method, "rebuilt each time"));
  expect(counts.rebuilds).toBe(3);
});
