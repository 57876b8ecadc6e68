/**
 * Hit latency of the framework adapters, each beside the cache its framework users reach for
 * today, measured in one run through the real packages:
 *
 *  1. AI SDK `generateText` on a wrapped model: `ecoaiMiddleware` (memory store; SQLite store
 *     with the usage log) against the caching recipe of the AI SDK docs, written here as its
 *     in-memory equivalent (a Map keyed by `JSON.stringify(params)`, dates restored on a hit).
 *     Also `streamText` read to its end: ecoai's replay against the recipe's
 *     `simulateReadableStream` of stored parts (no delay).
 *  2. LangChain `ChatOpenAI.invoke`: `EcoAICache` (memory; SQLite with the usage log) against
 *     LangChain's own `InMemoryCache`.
 *
 * Each row is the latency of one whole framework call answered from its cache (the framework's
 * own work included), in rounds interleaving the variants of a group; the ratio is against the
 * baseline of its group.
 * Run: `bun bench/frameworks.ts` (or `npm run bench:frameworks`). Prints; asserts nothing.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOpenAI } from "@ai-sdk/openai";
import { InMemoryCache } from "@langchain/core/caches";
import { ChatOpenAI } from "@langchain/openai";
import { generateText, simulateReadableStream, streamText, wrapLanguageModel, type LanguageModelMiddleware } from "ai";
import { ecoaiMiddleware } from "../src/adapters/ai-sdk/index.ts";
import { EcoAICache } from "../src/adapters/langchain/index.ts";
import { startSimulator } from "../src/simulator/index.ts";
import { formatMicros, formatRatio, summarize, table, toMicros, type Summary } from "./stats.ts";

// ── Parameters ────────────────────────────────────────────────────────────────────────────────
const DISTINCT_PROMPTS = 32;
const ROUNDS = 10;
const BATCH = 100; // per variant per round → 1,000 measured hits per variant
const WARMUP = 200;

const dir = mkdtempSync(join(tmpdir(), "ecoai-bench-frameworks-"));
const sim = await startSimulator();
const prompts = Array.from({ length: DISTINCT_PROMPTS }, (_, i) => `Request ${i}: summarise the shipping policy for order ${1000 + i} in two sentences.`);

// ── The AI SDK docs' caching recipe, in memory ────────────────────────────────────────────────
type WrapGenerate = NonNullable<LanguageModelMiddleware["wrapGenerate"]>;
type WrapStream = NonNullable<LanguageModelMiddleware["wrapStream"]>;
type GenerateResult = Awaited<ReturnType<WrapGenerate>>;
type StreamPart = Awaited<ReturnType<WrapStream>>["stream"] extends ReadableStream<infer P> ? P : never;

/** The recipe's shape: the key is the JSON of the call options; values go through JSON as a key-value store keeps them. */
function recipeMiddleware(): LanguageModelMiddleware {
  const store = new Map<string, string>();
  return {
    specificationVersion: "v4",
    wrapGenerate: async ({ doGenerate, params }) => {
      const key = JSON.stringify(params);
      const cached = store.get(key);
      if (cached !== undefined) {
        const result = JSON.parse(cached) as GenerateResult;
        return { ...result, response: { ...result.response, timestamp: result.response?.timestamp ? new Date(result.response.timestamp) : undefined } };
      }
      const result = await doGenerate();
      store.set(key, JSON.stringify(result));
      return result;
    },
    wrapStream: async ({ doStream, params }) => {
      const key = JSON.stringify(params);
      const cached = store.get(key);
      if (cached !== undefined) {
        const chunks = (JSON.parse(cached) as StreamPart[]).map((part) => (part.type === "response-metadata" && part.timestamp ? { ...part, timestamp: new Date(part.timestamp) } : part));
        // No delay between parts: the recipe's replay at its fastest, as ecoai's default replay is.
        return { stream: simulateReadableStream({ initialDelayInMs: null, chunkDelayInMs: null, chunks }) };
      }
      const { stream, ...rest } = await doStream();
      const parts: StreamPart[] = [];
      const recording = new TransformStream<StreamPart, StreamPart>({
        transform(part, controller) {
          parts.push(part);
          controller.enqueue(part);
        },
        flush: () => void store.set(key, JSON.stringify(parts)),
      });
      return { stream: stream.pipeThrough(recording), ...rest };
    },
  };
}

// ── Variants ──────────────────────────────────────────────────────────────────────────────────
interface Variant {
  group: string;
  name: string;
  baseline?: boolean;
  call(prompt: string): Promise<unknown>;
  close?(): Promise<void>;
}

const openai = createOpenAI({ baseURL: sim.openaiBaseURL, apiKey: "sk-bench" });
const aiSdkModel = (middleware: LanguageModelMiddleware) => wrapLanguageModel({ model: openai("gpt-4o-mini"), middleware });
const files = (name: string) => ({ sqlitePath: join(dir, `${name}-cache.db`), logPath: join(dir, `${name}-usage.db`), settingsPath: join(dir, `${name}-settings.json`) });

const aiMemory = ecoaiMiddleware({ ...files("ai-memory"), storage: "memory", logUsage: false });
const aiSqlite = ecoaiMiddleware({ ...files("ai-sqlite") });
const recipe = aiSdkModel(recipeMiddleware());
const readStream = async (result: ReturnType<typeof streamText>) => {
  for await (const _part of result.fullStream);
  return result.text;
};

const lcMemory = new EcoAICache({ ...files("lc-memory"), storage: "memory", logUsage: false });
const lcSqlite = new EcoAICache({ ...files("lc-sqlite") });
const chat = (cache: ChatOpenAI["cache"]) => new ChatOpenAI({ model: "gpt-4o-mini", apiKey: "sk-bench", configuration: { baseURL: sim.openaiBaseURL }, cache });

const variants: Variant[] = [
  { group: "AI SDK generateText", name: "docs recipe, in memory", baseline: true, call: (prompt) => generateText({ model: recipe, prompt }) },
  { group: "AI SDK generateText", name: "ecoaiMiddleware, memory", call: (prompt) => generateText({ model: aiSdkModel(aiMemory), prompt }) },
  { group: "AI SDK generateText", name: "ecoaiMiddleware, SQLite + usage log", call: (prompt) => generateText({ model: aiSdkModel(aiSqlite), prompt }) },
  { group: "AI SDK streamText", name: "docs recipe, in memory", baseline: true, call: (prompt) => readStream(streamText({ model: recipe, prompt: `${prompt} (streamed)` })) },
  { group: "AI SDK streamText", name: "ecoaiMiddleware, memory", call: (prompt) => readStream(streamText({ model: aiSdkModel(aiMemory), prompt: `${prompt} (streamed)` })) },
  { group: "AI SDK streamText", name: "ecoaiMiddleware, SQLite + usage log", call: (prompt) => readStream(streamText({ model: aiSdkModel(aiSqlite), prompt: `${prompt} (streamed)` })) },
  { group: "LangChain invoke", name: "InMemoryCache", baseline: true, call: (prompt) => chat(new InMemoryCache()).invoke(prompt) },
  { group: "LangChain invoke", name: "EcoAICache, memory", call: (prompt) => chat(lcMemory).invoke(prompt) },
  { group: "LangChain invoke", name: "EcoAICache, SQLite + usage log", call: (prompt) => chat(lcSqlite).invoke(prompt) },
];
// LangChain's InMemoryCache is per instance: one shared instance, as an app would keep it.
const sharedInMemory = new InMemoryCache();
variants[6]!.call = (prompt) => chat(sharedInMemory).invoke(prompt);

// ── Measurement ───────────────────────────────────────────────────────────────────────────────
const samples = new Map<Variant, number[]>(variants.map((variant) => [variant, []]));

for (const variant of variants) for (const prompt of prompts) await variant.call(prompt); // fill each cache
const before = sim.count();
for (const variant of variants) for (let i = 0; i < WARMUP; i++) await variant.call(prompts[i % DISTINCT_PROMPTS]!);
// Rounds interleave the variants of one group, so that the background work of one framework's
// calls (a stream's end, usage rows) never lands in another group's timings.
for (const group of new Set(variants.map((variant) => variant.group))) {
  const members = variants.filter((variant) => variant.group === group);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < members.length; k++) {
      const variant = members[(round + k) % members.length]!;
      const times = samples.get(variant)!;
      for (let i = 0; i < BATCH; i++) {
        const started = performance.now();
        await variant.call(prompts[(round * BATCH + i) % DISTINCT_PROMPTS]!);
        times.push(performance.now() - started);
      }
    }
  }
}
const upstreamDuringHits = sim.count() - before;

// ── Report ────────────────────────────────────────────────────────────────────────────────────
const summaries = new Map<Variant, Summary>(variants.map((variant) => [variant, summarize(samples.get(variant)!.map(toMicros))]));
const rows = variants.map((variant) => {
  const summary = summaries.get(variant)!;
  const baseline = summaries.get(variants.find((other) => other.group === variant.group && other.baseline)!)!;
  return [`${variant.group}: ${variant.name}`, formatMicros(summary.p50), formatMicros(summary.p95), variant.baseline ? "baseline" : formatRatio(summary.p50 / baseline.p50)];
});
console.log(`Framework hit latency — ${ROUNDS} interleaved rounds × ${BATCH} = ${ROUNDS * BATCH} hits per row, ${DISTINCT_PROMPTS} distinct prompts, Bun ${Bun.version}`);
console.log(table(["variant (one whole framework call, served from its cache)", "p50", "p95", "p50 vs baseline"], rows));
console.log(`Upstream requests during the measured hits: ${upstreamDuringHits} (0 expected).`);

await Promise.all([aiMemory.close(), aiSqlite.close(), lcMemory.close(), lcSqlite.close()]);
await sim.close();
rmSync(dir, { recursive: true, force: true });
