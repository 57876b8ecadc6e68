import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { openDatabase } from "../../src/sqlite/database.ts";
import { SIM_MARKERS } from "../../src/simulator/index.ts";
import { ask, CHAT_ROUTE, recordingLogger, TEST_API_KEY, useUpstream } from "../harness.ts";
import { OPENAI_SDK } from "./openai-sdk.ts";
import { FOREIGN_ANSWERS } from "./suite-answers.ts";
import { isJson, runProviderSuite, type Surface } from "./suite.ts";

const up = useUpstream();

const TOOLS: OpenAI.ChatCompletionTool[] = [
  { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } },
];
const JSON_MODE = { response_format: { type: "json_object" as const } };
const first = (completion: ChatCompletion) => completion.choices[0]!;

const chat: Surface<OpenAI, ChatCompletionCreateParamsNonStreaming, ChatCompletion> = {
  name: "openai chat.completions.create",
  ...OPENAI_SDK,
  route: CHAT_ROUTE,
  model: "gpt-4o",
  promptType: "text",
  request: (prompt) => ask(prompt),
  call: (client, request, ecoai) => client.chat.completions.create(request, ecoai && { ecoai }),
  read: (completion) => ({
    id: completion.id,
    text: first(completion).message.content ?? "",
    toolCalls: (first(completion).message.tool_calls ?? []).flatMap((call) => (call.type === "function" ? [{ name: call.function.name, arguments: JSON.parse(call.function.arguments) as unknown }] : [])),
    finishReason: first(completion).finish_reason,
    usage: {
      inputTokens: completion.usage!.prompt_tokens,
      cachedInputTokens: completion.usage!.prompt_tokens_details?.cached_tokens ?? 0,
      outputTokens: completion.usage!.completion_tokens,
    },
  }),
  nonAnswers: [
    { name: "content filter", request: (prompt) => ask(`${SIM_MARKERS.contentFilter} ${prompt}`), is: (r) => first(r).finish_reason === "content_filter" },
    { name: "refusal", request: (prompt) => ask(`${SIM_MARKERS.refusal} ${prompt}`), is: (r) => first(r).message.refusal !== null && first(r).message.content === null },
    { name: "invalid JSON in JSON mode", request: (prompt) => ask(`${SIM_MARKERS.invalidJson} ${prompt}`, JSON_MODE), is: (r) => !isJson(first(r).message.content) },
  ],
  answers: [
    { name: "length stop", request: (prompt) => ask(prompt, { max_tokens: 2 }), is: (r) => first(r).finish_reason === "length" },
    { name: "valid JSON in JSON mode", request: (prompt) => ask(prompt, JSON_MODE), is: (r) => isJson(first(r).message.content) },
    { name: "tool call", request: (prompt) => ask(`${SIM_MARKERS.toolCall} ${prompt}`, { tools: TOOLS }), is: (r) => first(r).finish_reason === "tool_calls" },
  ],
  foreign: FOREIGN_ANSWERS.anthropicMessage,
  promptCache: true,
};

runProviderSuite(up, chat);

describe("OpenAI chat completions through the real SDK", () => {
  test("the same request with its keys in another order is a hit", async () => {
    const eco = up.eco();
    const before = up.sim.count(CHAT_ROUTE);
    await eco.chat.completions.create({ model: "gpt-4o", temperature: 0, messages: [{ role: "user", content: "order" }] });
    await eco.chat.completions.create({ messages: [{ content: "order", role: "user" }], temperature: 0, model: "gpt-4o" });
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
  });

  test("a changed parameter, model or message misses", async () => {
    const eco = up.eco();
    const before = up.sim.count(CHAT_ROUTE);
    await eco.chat.completions.create(ask("Name a colour", { temperature: 0 }));
    await eco.chat.completions.create(ask("Name a colour", { temperature: 1 }));
    await eco.chat.completions.create(ask("Name a colour", { temperature: 0, model: "gpt-4o-mini" }));
    await eco.chat.completions.create(ask("Name a color", { temperature: 0 }));
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(4);
  });

  test("fields that cannot change the answer (end-user ids, prompt-cache key, metadata) share one entry", async () => {
    const eco = up.eco();
    const before = up.sim.count(CHAT_ROUTE);
    const first = await eco.chat.completions.create(ask("Who wrote Hamlet?", { user: "user-a", safety_identifier: "hash-a", prompt_cache_key: "a", metadata: { trace: "1" } }));
    const second = await eco.chat.completions.create(ask("Who wrote Hamlet?", { user: "user-b", safety_identifier: "hash-b", prompt_cache_key: "b", metadata: { trace: "2" } }));
    await eco.chat.completions.create(ask("Who wrote Hamlet?"));
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
    expect(second.id).toBe(first.id);
  });

  test("a stream of a request answered plainly before is served from the same entry", async () => {
    const eco = up.eco();
    const plain = await eco.chat.completions.create(ask("stream this"));
    const before = up.sim.count(CHAT_ROUTE);
    for (let round = 0; round < 2; round++) {
      const stream = await eco.chat.completions.create({ ...ask("stream this"), stream: true });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
      expect(text).toBe(plain.choices[0]!.message.content!);
    }
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(0);
  });

  test("stream: false is the same request as no stream field", async () => {
    const eco = up.eco();
    const before = up.sim.count(CHAT_ROUTE);
    await eco.chat.completions.create(ask("explicit non-stream"));
    await eco.chat.completions.create({ ...ask("explicit non-stream"), stream: false });
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
  });

  test("every other client property is forwarded unchanged", async () => {
    const eco = up.eco();
    const models = await eco.models.list();
    expect(models.data.length).toBeGreaterThan(0);
    const embedding = await eco.embeddings.create({ model: "text-embedding-3-small", input: "hello" });
    expect(embedding.data[0]!.embedding.length).toBeGreaterThan(0);
    expect(eco.baseURL).toBe(up.sim.openaiBaseURL);
    expect(eco.client).toBeInstanceOf(OpenAI);
    expect(up.sim.count("openai.models")).toBeGreaterThan(0);
  });

  test("the API key is written to no file", async () => {
    const eco = up.eco({ storage: "sqlite" });
    await eco.chat.completions.create(ask("secret check"));
    await eco.chat.completions.create(ask("secret check"));
    await eco.close();
    for (const name of readdirSync(up.dir)) {
      expect(readFileSync(join(up.dir, name)).includes(TEST_API_KEY)).toBe(false);
    }
  });
});

describe("per-call options", () => {
  test("request options beside ecoai still reach the SDK", async () => {
    const eco = up.eco();
    await eco.chat.completions.create(ask("headers"), { ecoai: { bypass: true }, headers: { "x-custom": "kept" } });
    expect(up.sim.requests.at(-1)!.headers["x-custom"]).toBe("kept");
  });
});

describe("modes and expiry", () => {
  test("prod mode: an entry older than ttlByModel for its model is a miss and is replaced", async () => {
    const eco = up.eco({ mode: "prod", ttl: 3600, ttlByModel: { "gpt-4o-mini": 0.05 } });
    const mini = ask("expiry", { model: "gpt-4o-mini" });
    const big = ask("expiry");
    const miniFirst = await eco.chat.completions.create(mini);
    const bigFirst = await eco.chat.completions.create(big);
    await Bun.sleep(80);
    const miniSecond = await eco.chat.completions.create(mini);
    const bigSecond = await eco.chat.completions.create(big);
    expect(miniSecond.id).not.toBe(miniFirst.id);
    expect(bigSecond.id).toBe(bigFirst.id);
    expect((await eco.chat.completions.create(mini)).id).toBe(miniSecond.id);
  });

  test("dev mode ignores age; setMode switches to prod expiry", async () => {
    const eco = up.eco({ ttl: 0.02 });
    const first = await eco.chat.completions.create(ask("dev forever"));
    await Bun.sleep(40);
    expect((await eco.chat.completions.create(ask("dev forever"))).id).toBe(first.id);
    eco.setMode("prod");
    expect(eco.mode).toBe("prod");
    expect((await eco.chat.completions.create(ask("dev forever"))).id).not.toBe(first.id);
  });

  test("cachingEnabled: false sends every call upstream and still logs it", async () => {
    const eco = up.eco({ cachingEnabled: false });
    const before = up.sim.count(CHAT_ROUTE);
    await eco.chat.completions.create(ask("no cache"));
    await eco.chat.completions.create(ask("no cache"));
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(2);
    const summary = await eco.summary();
    expect(summary.totalCalls).toBe(2);
    expect(summary.cacheHits).toBe(0);
  });
});

describe("storage faults", () => {
  test("a cache file that cannot be opened turns into pass-through with one warning", async () => {
    const blocker = join(up.dir, "not-a-folder");
    writeFileSync(blocker, "x");
    const logger = recordingLogger();
    const eco = up.eco({ sqlitePath: join(blocker, "cache.db"), logger });
    const before = up.sim.count(CHAT_ROUTE);
    await eco.chat.completions.create(ask("no store"));
    await eco.chat.completions.create(ask("no store"));
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(2);
    expect(logger.messages.filter((message) => message.includes("could not open"))).toHaveLength(1);
  });

  test("a store that fails mid-run passes calls through and warns once per outage", async () => {
    const sqlitePath = join(up.dir, "dropped-cache.db");
    const logger = recordingLogger();
    const eco = up.eco({ sqlitePath, logger });
    await eco.chat.completions.create(ask("outage"));
    const db = openDatabase(sqlitePath);
    db.exec("DROP TABLE cache_entries");
    db.close();
    const before = up.sim.count(CHAT_ROUTE);
    for (let i = 0; i < 3; i++) await eco.chat.completions.create(ask("outage"));
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(3);
    expect(logger.messages.filter((message) => message.includes("failed"))).toHaveLength(1);
  });
});
