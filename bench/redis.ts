/**
 * ecoai on Redis, against baselines measured in the same run with a private `redis-server`:
 *
 *  1. Hit latency through the real OpenAI SDK (Redis store, usage log on and off) against the
 *     floor: the canonical hash of the same request + one `GET` of the same body with an ioredis
 *     client configured like the store's + JSON.parse.
 *  2. Miss latency while Redis is up (lookup, cross-process lock, write) against a direct SDK call.
 *  3. Added latency per call while Redis is down (killed), and while it is frozen (SIGSTOP: the
 *     connection stays open and nothing answers), against a direct SDK call, interleaved pair by pair.
 *
 * Run: `bun bench/redis.ts` (or `npm run bench:redis`). Prints; asserts nothing.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import OpenAI from "openai";
import { EcoAI, hashCacheKey } from "../src/index.ts";
import { clientOptions } from "../src/stores/redis-client.ts";
import { startRedisServer } from "../test/redis-server.ts";
import { startSimulator } from "../src/simulator/index.ts";
import { formatMicros, formatRatio, median, summarize, table, toMicros } from "./stats.ts";

const MODEL = "gpt-4o-mini";
const DISTINCT_HITS = 64;
const CHOICES = 6;
const HIT_ROUNDS = 20;
const HIT_BATCH = 250;
const HIT_WARMUP = 1_000;
const MISS_PAIRS = 1_000;
const REALISTIC_DELAY_MS = 20;
const REALISTIC_PAIRS = 300;
const DOWN_PAIRS = 1_500;
const FROZEN_PAIRS = 500;
const PAIR_WARMUP = 50;

function chatRequest(seed: string) {
  return {
    model: MODEL,
    n: CHOICES,
    temperature: 0.2,
    messages: [
      { role: "system" as const, content: "You are a concise assistant for an online bookshop. Cite the relevant policy when you refer to one." },
      { role: "user" as const, content: `Request ${seed}: my parcel with two hardcover novels is delayed; the tracking number shows no update since Monday. What should I do?` },
    ],
  };
}

interface Variant {
  name: string;
  samples: number[];
  run(index: number): Promise<unknown>;
}

/** Interleaved rounds: every round times a batch of each variant, in a rotating order. */
async function runInterleaved(variants: Variant[]): Promise<void> {
  for (const variant of variants) for (let i = 0; i < HIT_WARMUP; i++) await variant.run(i);
  for (let round = 0; round < HIT_ROUNDS; round++) {
    for (let k = 0; k < variants.length; k++) {
      const variant = variants[(round + k) % variants.length] as Variant;
      for (let i = 0; i < HIT_BATCH; i++) {
        const t0 = performance.now();
        await variant.run(round * HIT_BATCH + i);
        variant.samples.push(performance.now() - t0);
      }
    }
  }
}

let unique = 0;
/** Direct SDK call and ecoai call on new prompts, alternating which goes first; samples in µs. */
async function pairs(count: number, direct: OpenAI, wrapped: EcoAI<OpenAI>) {
  const d: number[] = [];
  const w: number[] = [];
  for (let p = 0; p < PAIR_WARMUP + count; p++) {
    for (const side of p % 2 === 0 ? ["direct", "eco"] : ["eco", "direct"]) {
      const request = chatRequest(`miss-${unique++}`);
      const t0 = performance.now();
      await (side === "direct" ? direct.chat.completions.create(request) : wrapped.chat.completions.create(request));
      const elapsed = toMicros(performance.now() - t0);
      if (p >= PAIR_WARMUP) (side === "direct" ? d : w).push(elapsed);
    }
  }
  return { direct: summarize(d), eco: summarize(w), paired: median(w.map((x, i) => x - (d[i] as number))), meanAdded: summarize(w).mean - summarize(d).mean };
}

const startedAt = performance.now();
const dir = mkdtempSync(join(tmpdir(), "ecoai-bench-redis-"));
const sim = await startSimulator();
const server = await startRedisServer();
const client = new OpenAI({ baseURL: sim.openaiBaseURL, apiKey: "sk-bench", maxRetries: 0 });
const baseURL = sim.openaiBaseURL.replace(/\/+$/, "");
const floorClient = new Redis(server.url, clientOptions());
floorClient.on("error", () => {});
const opened: { close(): Promise<void> }[] = [];
const warnings: string[] = [];

function eco(name: string, logUsage: boolean) {
  const instance = new EcoAI({
    client,
    storage: "redis",
    redisUrl: server.url,
    redisKeyPrefix: `bench-${name}:`,
    logUsage,
    logPath: join(dir, `${name}.usage.db`),
    settingsPath: join(dir, `${name}.settings.json`),
    logger: { warn: (message, error) => void warnings.push(`${message}${error instanceof Error ? ` (${error.message})` : ""}`) },
  });
  opened.push(instance);
  return instance;
}

let sink: unknown;
try {
  console.log(`ecoai on Redis — Bun ${Bun.version}, ${process.platform}/${process.arch}, private redis-server on ${server.url}\n`);

  // ── 1. Hits ──
  const logged = eco("hits-log", true);
  const unlogged = eco("hits-nolog", false);
  const requests = Array.from({ length: DISTINCT_HITS }, (_, i) => chatRequest(`hit-${i}`));
  for (const request of requests) {
    const response = await logged.chat.completions.create(request);
    await unlogged.chat.completions.create(request);
    const key = hashCacheKey({ provider: "openai", endpoint: "chat.completions", baseURL, params: request });
    await floorClient.set(`floor:${key}`, JSON.stringify(response));
  }
  const upstreamAfterFill = sim.count();
  const pick = (i: number) => requests[i % DISTINCT_HITS] as ReturnType<typeof chatRequest>;
  const variants: Variant[] = [
    {
      name: "floor: hash + one GET (same client options) + JSON.parse",
      samples: [],
      run: async (i) => {
        const key = hashCacheKey({ provider: "openai", endpoint: "chat.completions", baseURL, params: pick(i) });
        sink = JSON.parse((await floorClient.get(`floor:${key}`)) as string);
      },
    },
    { name: "ecoai hit, Redis store, usage log on", samples: [], run: async (i) => (sink = await logged.chat.completions.create(pick(i))) },
    { name: "ecoai hit, Redis store, usage log off", samples: [], run: async (i) => (sink = await unlogged.chat.completions.create(pick(i))) },
  ];
  await runInterleaved(variants);
  const stats = variants.map((v) => ({ name: v.name, s: summarize(v.samples.map(toMicros)) }));
  const floor = stats[0]!.s;
  const body = (await floorClient.get(`floor:${hashCacheKey({ provider: "openai", endpoint: "chat.completions", baseURL, params: pick(0) })}`)) ?? "";
  console.log(`1. Hit latency — ${HIT_ROUNDS} interleaved rounds × ${HIT_BATCH} per row, ${DISTINCT_HITS} distinct requests, body ${body.length.toLocaleString("en")} B`);
  console.log(
    table(
      ["", "p50", "p95", "p99", "p50 / floor", "p95 / floor"],
      stats.map(({ name, s }) => [name, formatMicros(s.p50), formatMicros(s.p95), formatMicros(s.p99), formatRatio(s.p50 / floor.p50), formatRatio(s.p95 / floor.p95)]),
    ),
  );
  console.log(`   check: upstream requests during the hit loops = ${sim.count() - upstreamAfterFill} (expect 0)\n`);

  // ── 2. Misses while Redis is up ──
  const missEco = eco("miss", false);
  const up = await pairs(MISS_PAIRS, client, missEco);
  sim.delayMs = REALISTIC_DELAY_MS;
  const upRealistic = await pairs(REALISTIC_PAIRS, client, missEco);
  sim.delayMs = 0;
  // ── 3. Redis down, then frozen ──
  const downEco = eco("down", false);
  await downEco.chat.completions.create(chatRequest("connect"));
  await server.kill();
  const down = await pairs(DOWN_PAIRS, client, downEco);
  await server.restart();
  const frozenEco = eco("frozen", false);
  await frozenEco.chat.completions.create(chatRequest("connect"));
  server.pause();
  const frozen = await pairs(FROZEN_PAIRS, client, frozenEco);
  server.resume();

  console.log(`2–3. Each call a new prompt, direct SDK call and ecoai (usage log off) interleaved pair by pair, upstream delay 0 ms unless stated`);
  const rows: string[][] = [];
  for (const [label, r, n] of [
    ["Redis up (lookup + lock + write)", up, MISS_PAIRS],
    [`Redis up, upstream delay ${REALISTIC_DELAY_MS} ms`, upRealistic, REALISTIC_PAIRS],
    ["Redis down (killed)", down, DOWN_PAIRS],
    ["Redis frozen (SIGSTOP)", frozen, FROZEN_PAIRS],
  ] as const) {
    rows.push(
      [`direct SDK call (${n} pairs, ${label})`, formatMicros(r.direct.p50), formatMicros(r.direct.p95), formatMicros(r.direct.mean), "", "", ""],
      [`ecoai, ${label}`, formatMicros(r.eco.p50), formatMicros(r.eco.p95), formatMicros(r.eco.mean), formatRatio(r.eco.p50 / r.direct.p50), formatMicros(r.paired), formatMicros(r.meanAdded)],
    );
  }
  console.log(table(["", "p50", "p95", "mean", "p50 / direct", "median added", "mean added"], rows));
  console.log(`   warnings logged: ${warnings.length} (${warnings.map((w) => w.replace(/^\[ecoai\] /, "").slice(0, 140)).join(" | ")})\n`);

  const ecoHit = stats[1]!.s;
  console.log(`elapsed ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
  console.log(`Redis hit / one GET = ${formatRatio(ecoHit.p50 / floor.p50)} at p50 (${formatMicros(ecoHit.p50)} vs ${formatMicros(floor.p50)}), ${formatRatio(ecoHit.p95 / floor.p95)} at p95`);
  console.log(`Redis up, miss: ${formatMicros(up.paired)} median added per call at 0 ms, ${formatMicros(upRealistic.paired)} (${((upRealistic.eco.p50 / upRealistic.direct.p50 - 1) * 100).toFixed(1)}% at p50) at ${REALISTIC_DELAY_MS} ms`);
  console.log(`Redis down: ${formatMicros(down.paired)} median added per call (${formatRatio(down.eco.p50 / down.direct.p50)} of a direct call at p50); frozen: ${formatMicros(frozen.meanAdded)} mean added per call`);
} finally {
  for (const resource of opened.reverse()) await resource.close();
  floorClient.disconnect();
  await server.stop();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
void sink;
