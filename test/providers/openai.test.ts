import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI, { AzureOpenAI } from "openai";
import { Stream } from "openai/core/streaming";
import { ChatCompletionStream } from "openai/lib/ChatCompletionStream";
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { openDatabase } from "../../src/sqlite/database.ts";
import { SIM_MARKERS } from "../../src/simulator/index.ts";
import { ask, CHAT_ROUTE, recordingLogger, TEST_API_KEY, useUpstream } from "../harness.ts";
import { OPENAI_SDK } from "./openai-sdk.ts";
import { FOREIGN_ANSWERS } from "./suite-answers.ts";
import { isJson, runProviderSuite, type Surface } from "./suite.ts";
import { bothHalves, runStreamSuite, type StreamSurface } from "./suite-streams.ts";

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

/** The completion a chunk stream adds up to, assembled by the SDK's own `ChatCompletionStream`. */
function finalOf(stream: Stream<ChatCompletionChunk>): { chunks: Promise<ChatCompletionChunk[]>; final: Promise<ChatCompletion> } {
  const [mine, theirs] = stream.tee();
  const final = ChatCompletionStream.fromReadableStream(theirs.toReadableStream()).finalChatCompletion();
  return { chunks: Array.fromAsync(mine), final };
}

/** Streamed requests ask for the usage chunk, so a caller can read what the stream cost. */
const withUsage = ({ stream: _stream, ...request }: ChatCompletionCreateParamsNonStreaming) => ({ ...request, stream_options: { include_usage: true } });

const chatStream: StreamSurface<OpenAI, ChatCompletionCreateParamsNonStreaming, ChatCompletion> = {
  ...chat,
  name: "openai chat.completions.create({ stream: true })",
  async open(client, request, { ecoai, signal }) {
    return client.chat.completions.create({ ...withUsage(request), stream: true }, { ...(ecoai && { ecoai }), ...(signal && { signal }) });
  },
  async call(client, request, ecoai) {
    const stream = await client.chat.completions.create({ ...withUsage(request), stream: true }, ecoai && { ecoai });
    expect(stream).toBeInstanceOf(Stream);
    const { chunks, final } = finalOf(stream);
    return bothHalves(chunks, final);
  },
  read: ({ final }) => chat.read(final),
  receivedOnly: [],
  nonAnswers: chat.nonAnswers.map((outcome) => ({ ...outcome, is: ({ final }) => outcome.is(final) })),
  answers: chat.answers.map((outcome) => ({ ...outcome, is: ({ final }) => outcome.is(final) })),
};

const chatStreamHelper: StreamSurface<OpenAI, ChatCompletionCreateParamsNonStreaming, ChatCompletion> = {
  ...chatStream,
  name: "openai chat.completions.stream()",
  async open(client, request, { ecoai, signal }) {
    return client.chat.completions.stream(withUsage(request), { ...(ecoai && { ecoai }), ...(signal && { signal }) });
  },
  async call(client, request, ecoai) {
    const runner = client.chat.completions.stream(withUsage(request), ecoai && { ecoai });
    expect(runner).toBeInstanceOf(ChatCompletionStream);
    const events: unknown[] = [];
    runner.on("chunk", (chunk) => events.push(chunk));
    runner.on("content.delta", ({ delta }) => events.push({ contentDelta: delta }));
    return { final: await runner.finalChatCompletion(), events };
  },
};

for (const surface of [chatStream, chatStreamHelper]) {
  runProviderSuite(up, surface);
  runStreamSuite(up, surface, chat);
}

describe("OpenAI chat completion streams", () => {
  test("the usage chunk ecoai asks for is hidden from a caller who did not, and the stream is logged with its tokens", async () => {
    const eco = up.eco();
    for (let round = 0; round < 2; round++) {
      const chunks = await Array.fromAsync(await eco.chat.completions.create({ ...ask("hide my usage"), stream: true }));
      expect(chunks.every((chunk) => !("usage" in chunk))).toBe(true);
      expect(chunks.every((chunk) => chunk.choices.length > 0)).toBe(true);
      const asked = await Array.fromAsync(await eco.chat.completions.create({ ...ask("hide my usage"), stream: true, stream_options: { include_usage: true } }));
      expect(asked.at(-1)!.usage!.completion_tokens).toBeGreaterThan(0);
      expect(asked.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    }
    const sent = up.sim.requests.findLast((request) => request.route === CHAT_ROUTE)!;
    expect((sent.body as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true });
    const rows = await eco.history();
    expect(rows).toHaveLength(4);
    expect(rows.every((row) => row.outputTokens > 0 && row.inputTokens > 0)).toBe(true);
  });

  test("bypass and a disabled cache still stream through the SDK and log the stream's tokens", async () => {
    for (const eco of [up.eco(), up.eco({ cachingEnabled: false })]) {
      const options = eco.client === undefined ? undefined : { ecoai: { bypass: true } };
      const before = up.sim.count(CHAT_ROUTE);
      for (let round = 0; round < 2; round++) {
        const stream = await eco.chat.completions.create({ ...ask("pass my stream"), stream: true }, options);
        expect(stream).toBeInstanceOf(Stream);
        expect((await Array.fromAsync(stream)).length).toBeGreaterThan(2);
      }
      expect(up.sim.count(CHAT_ROUTE) - before).toBe(2);
      const rows = await eco.history();
      expect(rows.map((row) => [row.cacheHit, row.outputTokens > 0])).toEqual([
        [false, true],
        [false, true],
      ]);
    }
  });

  test("an AzureOpenAI stream is sent to its deployment, and cached", async () => {
    const eco = up.wrap(new AzureOpenAI({ endpoint: up.sim.url, apiKey: TEST_API_KEY, apiVersion: "2024-10-21", deployment: "gpt-35-turbo", maxRetries: 0 }));
    const before = up.sim.count("azure.chat.completions");
    const live = await Array.fromAsync(await eco.chat.completions.create({ ...ask("azure stream"), stream: true }));
    const sent = up.sim.requests.at(-1)!;
    expect([sent.route, sent.path]).toEqual(["azure.chat.completions", expect.stringContaining("/deployments/gpt-35-turbo/")]);
    expect(await Array.fromAsync(await eco.chat.completions.create({ ...ask("azure stream"), stream: true }))).toEqual(live);
    expect(up.sim.count("azure.chat.completions") - before).toBe(1);
  });

  test("a hit's Stream is the SDK's: toReadableStream(), tee() and its controller work", async () => {
    const eco = up.eco();
    const live = await Array.fromAsync(await eco.chat.completions.create({ ...ask("sdk stream parts"), stream: true }));
    const hit = await eco.chat.completions.create({ ...ask("sdk stream parts"), stream: true });
    expect(hit.controller).toBeInstanceOf(AbortController);
    const [a, b] = hit.tee();
    expect(await Array.fromAsync(a)).toEqual(live);
    const again = Stream.fromReadableStream<ChatCompletionChunk>(b.toReadableStream(), new AbortController());
    expect(await Array.fromAsync(again)).toEqual(live);
  });
});
