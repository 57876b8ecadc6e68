/**
 * ecoai against its peers, timed in one process on the same simulated OpenAI endpoint:
 * LangChain.js (`ChatOpenAI` from `@langchain/openai` with `@langchain/core`'s `InMemoryCache`,
 * and with `@langchain/redis`'s `RedisCache` on the same private `redis-server` ecoai's Redis
 * store uses), ecoai's memory, SQLite and Redis hits, the memory hit with one 96-byte `pread`
 * added (the one system call a SQLite hit makes), and the floor (one canonical hash, one
 * SQLite point read by key, one `JSON.parse` of the same body) and a Redis hit's floor (one `GET`
 * of a value as long as the body, through ioredis and on a bare socket), for a small and a 2.4 KB
 * response. Then what a miss adds at a 0 ms upstream, each call alone (paired with direct calls)
 * and in blocks of consecutive misses (with the cache writes and usage rows they cause), and hits
 * per second with 64 concurrent callers. Prints the goals table with the measured ratios.
 *
 * Run: `bun bench/peers.ts` (or `npm run bench:peers`). Prints; asserts nothing.
 *
 * @module
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InMemoryCache } from "@langchain/core/caches";
import { ChatOpenAI } from "@langchain/openai";
import { RedisCache } from "@langchain/redis";
import OpenAI from "openai";
import { createClient } from "redis";
import { EcoAI, hashCacheKey } from "../src/index.ts";
import { startSimulator } from "../src/simulator/index.ts";
import { CHECKPOINT_WAL_BYTES } from "../src/sqlite/checkpoints.ts";
import { openDatabase } from "../src/sqlite/database.ts";
import { startRedisServer } from "../test/redis-server.ts";
import { redisRoundTrips } from "./redis-round-trip.ts";
import { concurrentHits, missBlocks, missOverhead, preadMicros, runInterleaved, type Variant } from "./peers-timing.ts";
import { formatMicros, formatRatio, machineLoad, summarize, table, toMicros } from "./stats.ts";

const MODEL = "gpt-4o-mini";
const DISTINCT = 64;
const SYSTEM = "You are a concise assistant for an online bookshop.";
/** Sizes of answer: the simulator's own short reply, and one asked (header) to run to about 2.4 KB of JSON. */
const SIZES = [
  { name: "small", headers: {} },
  { name: "2.4 KB", headers: { "x-sim-reply-tokens": "520" } },
] as const;

const startedAt = performance.now();
const dir = mkdtempSync(join(tmpdir(), "ecoai-bench-peers-"));
const sim = await startSimulator();
const server = await startRedisServer();
const baseURL = sim.openaiBaseURL.replace(/\/+$/, "");
const closing: (() => Promise<unknown> | unknown)[] = [];
let sink: unknown;

const prompt = (i: number) => `Question ${i}: where is my parcel?`;
const request = (i: number) => ({ model: MODEL, messages: [{ role: "system" as const, content: SYSTEM }, { role: "user" as const, content: prompt(i % DISTINCT) }] });

function eco(name: string, storage: "memory" | "sqlite" | "redis", headers: Record<string, string>) {
  const instance = new EcoAI({
    client: new OpenAI({ baseURL: sim.openaiBaseURL, apiKey: "sk-bench", maxRetries: 0, defaultHeaders: headers }),
    storage,
    sqlitePath: join(dir, `${name}.cache.db`),
    redisUrl: server.url,
    redisKeyPrefix: `bench-${name}:`,
    logPath: join(dir, `${name}.usage.db`),
    settingsPath: join(dir, `${name}.settings.json`),
  });
  closing.push(() => instance.close());
  return instance;
}

async function langchain(cache: InMemoryCache | RedisCache, headers: Record<string, string>) {
  return new ChatOpenAI({ model: MODEL, apiKey: "sk-bench", maxRetries: 0, cache, configuration: { baseURL: sim.openaiBaseURL, defaultHeaders: headers } });
}

try {
  console.log(`ecoai and its peers — Bun ${Bun.version}, ${process.platform}/${process.arch}; LangChain.js @langchain/core ${version("@langchain/core")}, @langchain/openai ${version("@langchain/openai")}, @langchain/redis ${version("@langchain/redis")}; at the start, ${machineLoad()}`);
  const preadPath = join(dir, "pread.bin");
  console.log(`A 96-byte pread costs ${formatMicros(preadMicros(preadPath))} on this machine (an ecoai SQLite hit from its memo makes one; the floor's point read makes SQLite's own lock calls)\n`);
  // The memory hit with that one system call added: where a SQLite hit lands if the call is all it adds.
  const preadDescriptor = openSync(preadPath, "r");
  closing.push(() => closeSync(preadDescriptor));
  const header = new Uint8Array(96);
  const redisClient = createClient({ url: server.url });
  await redisClient.connect();
  closing.push(() => redisClient.quit());

  const results: Record<string, Record<string, number>> = {};
  for (const size of SIZES) {
    const ecoMemory = eco(`memory-${size.name}`, "memory", size.headers);
    const ecoSqlite = eco(`sqlite-${size.name}`, "sqlite", size.headers);
    const ecoRedis = eco(`redis-${size.name}`, "redis", size.headers);
    const lcMemory = await langchain(new InMemoryCache(), size.headers);
    const lcRedis = await langchain(new RedisCache(redisClient as never), size.headers);
    const messages = (i: number) => request(i).messages.map((m) => [m.role, m.content] as [string, string]);
    for (let i = 0; i < DISTINCT; i++) {
      for (const instance of [ecoMemory, ecoSqlite, ecoRedis]) await instance.chat.completions.create(request(i));
      for (const model of [lcMemory, lcRedis]) await model.invoke(messages(i));
    }

    // The floor: the bodies ecoai's SQLite store holds, under the keys the floor computes itself.
    const cache = openDatabase(join(dir, `sqlite-${size.name}.cache.db`));
    // By prompt: the key ecoai computes also covers the client's behaviour headers (the reply-length one here).
    const bodies = new Map(cache.prepare("SELECT prompt, body FROM cache_entries").all().map((row) => [String(row.prompt), String(row.body)]));
    cache.close();
    const floorDb = openDatabase(join(dir, `floor-${size.name}.db`));
    closing.push(() => floorDb.close());
    floorDb.exec("CREATE TABLE floor (key TEXT PRIMARY KEY, body TEXT) WITHOUT ROWID");
    const keyOf = (i: number) => hashCacheKey({ provider: "openai", endpoint: "chat.completions", baseURL, params: request(i) });
    for (let i = 0; i < DISTINCT; i++) floorDb.prepare("INSERT INTO floor VALUES (?, ?)").run(keyOf(i), bodies.get(prompt(i))!);
    const select = floorDb.prepare("SELECT body FROM floor WHERE key = ?");
    const bodyBytes = Buffer.byteLength(bodies.get(prompt(0))!);
    // A Redis hit's floor: one GET of a value as long as the stored body, on the same server.
    const roundTrips = await redisRoundTrips(server.url, `bench-get-${size.name}`, bodies.get(prompt(0))!);
    closing.push(() => roundTrips.close());

    const variants: Variant[] = [
      { name: "floor", samples: [], run: async (i) => void (sink = JSON.parse(select.get(keyOf(i))!.body as string)) },
      { name: "ecoai memory", samples: [], run: async (i) => void (sink = await ecoMemory.chat.completions.create(request(i))) },
      { name: "ecoai memory + one pread", samples: [], run: async (i) => void (readSync(preadDescriptor, header, 0, header.length, 0), (sink = await ecoMemory.chat.completions.create(request(i)))) },
      { name: "ecoai SQLite", samples: [], run: async (i) => void (sink = await ecoSqlite.chat.completions.create(request(i))) },
      { name: "ecoai Redis", samples: [], run: async (i) => void (sink = await ecoRedis.chat.completions.create(request(i))) },
      { name: "LangChain InMemoryCache", samples: [], run: async (i) => void (sink = await lcMemory.invoke(messages(i))) },
      { name: "LangChain RedisCache", samples: [], run: async (i) => void (sink = await lcRedis.invoke(messages(i))) },
      { name: "Redis GET round trip, ioredis", samples: [], run: async () => void (sink = await roundTrips.ioredis()) },
      { name: "Redis GET round trip, socket", samples: [], run: async () => void (sink = await roundTrips.socket()) },
    ];
    const before = sim.count();
    await runInterleaved(variants);
    const upstream = sim.count() - before;
    const stats = Object.fromEntries(variants.map((v) => [v.name, summarize(v.samples.map(toMicros))]));
    results[size.name] = Object.fromEntries(variants.map((v) => [v.name, stats[v.name]!.p50]));
    const redisFloor = stats["Redis GET round trip, socket"]!.p50;
    const floor = stats.floor!.p50;
    console.log(`Hits, ${size.name} response (${bodyBytes.toLocaleString("en")} B stored body); upstream requests during the timed hits: ${upstream} (expect 0)`);
    console.log(
      table(
        ["", "p50", "p95", "p99", "p50 / floor", "p50 / Redis GET (socket)"],
        variants.map((v) => [
          v.name,
          formatMicros(stats[v.name]!.p50),
          formatMicros(stats[v.name]!.p95),
          formatMicros(stats[v.name]!.p99),
          formatRatio(stats[v.name]!.p50 / floor),
          /Redis/.test(v.name) ? formatRatio(stats[v.name]!.p50 / redisFloor) : "",
        ]),
      ) + "\n",
    );
    if (size.name === "small") {
      const concurrent = await concurrentHits({ "ecoai memory": ecoMemory, "ecoai SQLite": ecoSqlite, "ecoai Redis": ecoRedis }, lcMemory, request, messages);
      results.concurrency = concurrent;
      console.log("Hits per second, one process, 64 concurrent callers (small response):");
      console.log(table(["", "hits/s"], Object.entries(concurrent).map(([name, rate]) => [name, Math.round(rate).toLocaleString("en")])) + "\n");
    }
  }

  const miss = await missOverhead(new OpenAI({ baseURL: sim.openaiBaseURL, apiKey: "sk-bench", maxRetries: 0 }), eco("miss", "sqlite", {}), sim);
  console.log(`Miss at a 0 ms upstream, ${miss.pairs} rounds (direct SDK call, ecoai SQLite miss with usage log, and a second direct call, interleaved):`);
  console.log(
    table(
      ["", "p50", "p99", "max"],
      [
        ["direct SDK call", formatMicros(miss.direct.p50), formatMicros(miss.direct.p99), formatMicros(miss.directMax)],
        ["ecoai miss", formatMicros(miss.eco.p50), formatMicros(miss.eco.p99), formatMicros(miss.ecoMax)],
        ["added by ecoai (paired)", formatMicros(miss.added.p50), formatMicros(miss.added.p99), formatMicros(miss.addedMax)],
        ["second direct call less the first (noise)", formatMicros(miss.noise.p50), formatMicros(miss.noise.p99), formatMicros(miss.noiseMax)],
      ],
    ) + `\n   pairs over 1 ms: ecoai miss less direct call ${miss.over1ms} of ${miss.pairs}; direct call less direct call (the noise floor) ${miss.noiseOver1ms} of ${miss.pairs}\n`,
  );
  const blocks = await missBlocks(new OpenAI({ baseURL: sim.openaiBaseURL, apiKey: "sk-bench", maxRetries: 0 }), eco("miss-blocks", "sqlite", {}), sim);
  console.log(`Misses in blocks of ${blocks.calls} consecutive new prompts (cache writes and usage rows included), median of ${blocks.blocks} blocks a side, interleaved:`);
  console.log(
    table(
      ["", "wall time per call", "CPU time per call (all threads)"],
      [
        ["direct SDK call", formatMicros(blocks.directWall), formatMicros(blocks.directCpu)],
        ["ecoai SQLite miss with usage log", formatMicros(blocks.ecoWall), formatMicros(blocks.ecoCpu)],
        ["added by ecoai", formatMicros(blocks.ecoWall - blocks.directWall), formatMicros(blocks.ecoCpu - blocks.directCpu)],
      ],
    ) + "\n",
  );
  // A WAL that SQLite never starts over grows with every write, and each commit then extends the file.
  const megabytes = (path: string) => ((statSync(path, { throwIfNoEntry: false })?.size ?? 0) / 1e6).toFixed(1);
  const blocksCache = join(dir, "miss-blocks.cache.db");
  console.log(`   after the blocks: the cache file ${megabytes(blocksCache)} MB, its WAL ${megabytes(`${blocksCache}-wal`)} MB (checkpoints start at ${(CHECKPOINT_WAL_BYTES / 1e6).toFixed(1)} MB of WAL)\n`);

  const [small, large, rates] = [results.small!, results["2.4 KB"]!, results.concurrency!];
  // A pair over 1 ms is ecoai's stall only beyond what pairs of two direct calls show. Both counts
  // are of rare events in 2,000 pairs (Poisson-like): two counts of the same rate differ by up to
  // twice the square root of their sum (two standard deviations) as often as not by chance alone.
  const stallMargin = 2 * Math.sqrt(miss.over1ms + miss.noiseOver1ms);
  const noStallsOfItsOwn = miss.over1ms - miss.noiseOver1ms <= stallMargin;
  const stallExcess = `${noStallsOfItsOwn ? "within" : "beyond"} chance: ${miss.over1ms - miss.noiseOver1ms} more, 2σ = ${stallMargin.toFixed(1)}`;
  const goal = (measure: string, now: string, target: string, measured: string, met: boolean) => [measure, now, target, measured, met ? "met" : "NOT MET"];
  const asFast = (peer: number, ours: number) => `${formatRatio(peer / ours)} as fast`;
  console.log("Goals (ratios from this run):");
  console.log(
    table(
      ["measure", "before", "goal", "measured", ""],
      [
        goal("SQLite hit vs LangChain InMemoryCache hit, small", "0.9×", "≥ 3× as fast", asFast(small["LangChain InMemoryCache"]!, small["ecoai SQLite"]!), small["LangChain InMemoryCache"]! / small["ecoai SQLite"]! >= 3),
        goal("SQLite hit vs LangChain InMemoryCache hit, 2.4 KB", "0.9×", "≥ 3× as fast", asFast(large["LangChain InMemoryCache"]!, large["ecoai SQLite"]!), large["LangChain InMemoryCache"]! / large["ecoai SQLite"]! >= 3),
        goal("SQLite hit vs the floor, small", "8.4×", "≤ 2.5×", formatRatio(small["ecoai SQLite"]! / small.floor!), small["ecoai SQLite"]! / small.floor! <= 2.5),
        goal("Redis hit vs LangChain RedisCache hit, small", "—", "≥ 2× as fast", asFast(small["LangChain RedisCache"]!, small["ecoai Redis"]!), small["LangChain RedisCache"]! / small["ecoai Redis"]! >= 2),
        goal("Redis hit vs LangChain RedisCache hit, 2.4 KB", "—", "≥ 2× as fast", asFast(large["LangChain RedisCache"]!, large["ecoai Redis"]!), large["LangChain RedisCache"]! / large["ecoai Redis"]! >= 2),
        ["Redis hit vs one GET round trip (socket / ioredis), small", "", "", `${formatRatio(small["ecoai Redis"]! / small["Redis GET round trip, socket"]!)} / ${formatRatio(small["ecoai Redis"]! / small["Redis GET round trip, ioredis"]!)}`, ""],
        ["Redis hit vs one GET round trip (socket / ioredis), 2.4 KB", "", "", `${formatRatio(large["ecoai Redis"]! / large["Redis GET round trip, socket"]!)} / ${formatRatio(large["ecoai Redis"]! / large["Redis GET round trip, ioredis"]!)}`, ""],
        goal(
          "added to a miss at 0 ms upstream, p50 / p99",
          "~230 µs",
          "≤ 40 µs / no stall > 1 ms",
          `${formatMicros(miss.added.p50)} / ${formatMicros(miss.added.p99)}, ${miss.over1ms} over 1 ms (noise floor ${miss.noiseOver1ms}, ${stallExcess}); in blocks, writes included: ${formatMicros(blocks.ecoWall - blocks.directWall)} a miss`,
          miss.added.p50 <= 40 && noStallsOfItsOwn,
        ),
        goal("hits per second, SQLite, 64 concurrent callers", "—", "≥ 100,000", Math.round(rates["ecoai SQLite"]!).toLocaleString("en"), rates["ecoai SQLite"]! >= 100_000),
      ],
    ),
  );
  console.log("Semantic vectors (memory per vector, 1,000,000-vector search, cold load): `npm run bench:semantic`.");
  console.log(`\nelapsed ${((performance.now() - startedAt) / 1000).toFixed(0)} s; at the end, ${machineLoad()}`);
} finally {
  for (const close of closing.reverse()) await close();
  await sim.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
void sink;

function version(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}
