/**
 * Hit and miss latency of ecoai through the real OpenAI SDK, against baselines measured in the
 * same run:
 *
 *  1. Hits (memory store; SQLite store with and without usage logging) against the floor: one
 *     canonical hash of the same key parts + one SQLite point read by primary key + JSON.parse
 *     of the stored body. Target: SQLite hit (usage logging on) within 5× of the floor.
 *  2. Misses (every call a new prompt: upstream call, cache write, usage row) against the same
 *     SDK client called directly, interleaved pair by pair, at 0 ms and at a realistic upstream
 *     delay. Target: overhead under 5%.
 *
 * Run: `bun bench/hit-latency.ts` (or `npm run bench`). Prints; asserts nothing.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { EcoAI, hashCacheKey } from "../src/index.ts";
import { openDatabase } from "../src/sqlite/database.ts";
import { startSimulator } from "../src/simulator/index.ts";
import { formatMicros, formatPercent, formatRatio, median, summarize, table, toMicros, type Summary } from "./stats.ts";

// ── Parameters ────────────────────────────────────────────────────────────────────────────────
const MODEL = "gpt-4o-mini";
/** Distinct cached requests the hit loops cycle through. */
const DISTINCT_HITS = 64;
/**
 * Choices per answer. The simulator's answer to one choice is ~50 tokens (it quotes the first
 * 80 characters of the prompt), so `n` choices give a realistic few-hundred-token response body.
 */
const CHOICES = 6;
const HIT_ROUNDS = 20;
const HIT_BATCH = 250; // per variant per round → 5,000 measured hits per variant
const HIT_WARMUP = 1_000;
const REALISTIC_DELAY_MS = 20;
const MISS_PAIRS: Record<number, number> = { 0: 1_500, [REALISTIC_DELAY_MS]: 300 };
const MISS_WARMUP_PAIRS = 50;
const HIT_TARGET = 5;
const MISS_TARGET = 0.05;

// ── Request shapes ────────────────────────────────────────────────────────────────────────────
const SYSTEM_PROMPT =
  "You are a careful assistant for an online bookshop. Answer questions about orders, shipping, returns and " +
  "book recommendations. Be concise and friendly, cite the relevant policy section when you refer to one, and " +
  "never invent order numbers, prices or delivery dates. If you do not know something, say so and suggest how " +
  "the customer can find out. Policies: returns within 30 days in original condition; refunds within 5 business " +
  "days of receipt; free shipping over 35 EUR within the EU; gift wrapping 3 EUR per item; pre-orders ship on the " +
  "publication date; damaged items are replaced at no cost when reported within 14 days with a photo.";

const WORDS = (
  "order shipping parcel delayed tracking number customer novel hardcover paperback edition author refund " +
  "return policy warehouse courier address invoice discount voucher gift wrapping delivery weekend express " +
  "signature damaged replacement photo chapter series translation bookshop recommendation mystery history"
).split(" ");

/** A user prompt of ~250 tokens (~1,000 characters), deterministic per `seed`. */
function userPrompt(seed: string): string {
  let state = 2166136261;
  for (const ch of seed) state = Math.imul(state ^ ch.charCodeAt(0), 16777619) >>> 0;
  const words: string[] = [];
  while (words.join(" ").length < 950) {
    state = Math.imul(state ^ (state >>> 15), 2246822507) >>> 0;
    words.push(WORDS[state % WORDS.length] as string);
  }
  return `Request ${seed}: ${words.join(" ")}. What should I do?`;
}

function chatRequest(seed: string) {
  return {
    model: MODEL,
    n: CHOICES,
    temperature: 0.2,
    max_tokens: 800,
    messages: [
      { role: "system" as const, content: SYSTEM_PROMPT },
      { role: "user" as const, content: userPrompt(seed) },
    ],
  };
}

// ── Timing ────────────────────────────────────────────────────────────────────────────────────
interface HitVariant {
  name: string;
  /** Samples in ms. */
  samples: number[];
  run(index: number): Promise<void> | void;
  async: boolean;
}

async function timeBatch(variant: HitVariant, start: number, count: number, record: boolean): Promise<void> {
  if (variant.async) {
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      await variant.run(start + i);
      const t1 = performance.now();
      if (record) variant.samples.push(t1 - t0);
    }
  } else {
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      variant.run(start + i);
      const t1 = performance.now();
      if (record) variant.samples.push(t1 - t0);
    }
  }
}

/** Interleaved rounds: every round runs a batch of each variant, in a rotating order. */
async function runInterleaved(variants: HitVariant[]): Promise<void> {
  for (const variant of variants) await timeBatch(variant, 0, HIT_WARMUP, false);
  for (let round = 0; round < HIT_ROUNDS; round++) {
    for (let k = 0; k < variants.length; k++) {
      const variant = variants[(round + k) % variants.length] as HitVariant;
      await timeBatch(variant, round * HIT_BATCH, HIT_BATCH, true);
    }
  }
}

let sink: unknown;

// ── Main ──────────────────────────────────────────────────────────────────────────────────────
const startedAt = performance.now();
const dir = mkdtempSync(join(tmpdir(), "ecoai-bench-"));
const sim = await startSimulator();
const client = new OpenAI({ baseURL: sim.openaiBaseURL, apiKey: "sk-bench", maxRetries: 0 });
const baseURL = sim.openaiBaseURL.replace(/\/+$/, "");
const opened: { close(): Promise<void> | void }[] = [];

function eco(name: string, options: { storage: "memory" | "sqlite"; logUsage: boolean }) {
  const instance = new EcoAI({
    client,
    storage: options.storage,
    sqlitePath: join(dir, `${name}.cache.db`),
    logPath: join(dir, `${name}.usage.db`),
    settingsPath: join(dir, `${name}.settings.json`),
    logUsage: options.logUsage,
  });
  opened.push(instance);
  return instance;
}

try {
  console.log(`ecoai hit/miss latency — Bun ${Bun.version}, ${process.platform}/${process.arch}\n`);

  // ── 1. Hits ──
  const memory = eco("memory", { storage: "memory", logUsage: true });
  const sqlite = eco("sqlite", { storage: "sqlite", logUsage: true });
  const sqliteNoLog = eco("sqlite-nolog", { storage: "sqlite", logUsage: false });
  const wrapped = [memory, sqlite, sqliteNoLog];

  const hitRequests = Array.from({ length: DISTINCT_HITS }, (_, i) => chatRequest(`hit-${i}`));
  for (const request of hitRequests) for (const instance of wrapped) await instance.chat.completions.create(request);
  const upstreamAfterFill = sim.count();

  // The floor's table holds exactly the bodies the SQLite store holds, under keys the floor computes itself.
  const stored = openDatabase(join(dir, "sqlite.cache.db"));
  const storedBodies = new Map(stored.prepare("SELECT key, body FROM cache_entries").all().map((row) => [String(row.key), String(row.body)]));
  stored.close();
  const floorDb = openDatabase(join(dir, "floor.db"));
  opened.push(floorDb);
  floorDb.exec("CREATE TABLE floor (key TEXT PRIMARY KEY, body TEXT) WITHOUT ROWID");
  const insert = floorDb.prepare("INSERT INTO floor (key, body) VALUES (?, ?)");
  let keysMatch = true;
  for (const request of hitRequests) {
    const key = hashCacheKey({ provider: "openai", endpoint: "chat.completions", baseURL, params: request });
    const body = storedBodies.get(key);
    if (body === undefined) keysMatch = false;
    insert.run(key, body ?? JSON.stringify(await client.chat.completions.create(request)));
  }
  const selectBody = floorDb.prepare("SELECT body FROM floor WHERE key = ?");
  const sampleBody = [...storedBodies.values()][0] ?? "";
  const sampleResponse = JSON.parse(sampleBody) as { usage?: { prompt_tokens?: number; completion_tokens?: number } };

  const pick = (i: number) => hitRequests[i % DISTINCT_HITS] as ReturnType<typeof chatRequest>;
  const variants: HitVariant[] = [
    {
      name: "floor: hash + SQLite point read + JSON.parse",
      samples: [],
      async: false,
      run(i) {
        const key = hashCacheKey({ provider: "openai", endpoint: "chat.completions", baseURL, params: pick(i) });
        sink = JSON.parse(selectBody.get(key)!.body as string);
      },
    },
    { name: "ecoai hit, memory store, usage log on", samples: [], async: true, run: async (i) => void (sink = await memory.chat.completions.create(pick(i))) },
    { name: "ecoai hit, SQLite store, usage log on", samples: [], async: true, run: async (i) => void (sink = await sqlite.chat.completions.create(pick(i))) },
    { name: "ecoai hit, SQLite store, usage log off", samples: [], async: true, run: async (i) => void (sink = await sqliteNoLog.chat.completions.create(pick(i))) },
  ];
  await runInterleaved(variants);
  const upstreamDuringHits = sim.count() - upstreamAfterFill;

  const hitStats = variants.map((v) => ({ name: v.name, stats: summarize(v.samples.map(toMicros)) }));
  const floor = (hitStats[0] as { stats: Summary }).stats;
  console.log(
    `1. Hit latency — ${HIT_ROUNDS} interleaved rounds × ${HIT_BATCH} = ${HIT_ROUNDS * HIT_BATCH} hits per row ` +
      `(after ${HIT_WARMUP} warm-up), ${DISTINCT_HITS} distinct cached requests; stored body ${sampleBody.length.toLocaleString("en")} B ` +
      `(${sampleResponse.usage?.prompt_tokens ?? "?"} prompt + ${sampleResponse.usage?.completion_tokens ?? "?"} completion tokens)`,
  );
  console.log(
    table(
      ["", "p50", "p95", "p99", "mean", "p50 / floor", "p95 / floor"],
      hitStats.map(({ name, stats }) => [
        name,
        formatMicros(stats.p50),
        formatMicros(stats.p95),
        formatMicros(stats.p99),
        formatMicros(stats.mean),
        formatRatio(stats.p50 / floor.p50),
        formatRatio(stats.p95 / floor.p95),
      ]),
    ),
  );
  console.log(
    `   checks: upstream requests during the hit loops = ${upstreamDuringHits} (expect 0); ` +
      `floor keys = engine keys: ${keysMatch ? "yes" : "NO (floor hashes other parts than the engine)"}\n`,
  );

  // ── 2. Misses ──
  const missEco = eco("miss", { storage: "sqlite", logUsage: true });
  let unique = 0;
  let notRealMisses = 0;
  const missRows: string[][] = [];
  const overheads: Record<number, { fraction: number; micros: number; pairedMicros: number }> = {};
  for (const [delayText, pairs] of Object.entries(MISS_PAIRS)) {
    const delay = Number(delayText);
    sim.delayMs = delay;
    const direct: number[] = [];
    const wrappedMiss: number[] = [];
    const total = MISS_WARMUP_PAIRS + pairs;
    for (let p = 0; p < total; p++) {
      const record = p >= MISS_WARMUP_PAIRS;
      // Alternate which goes first, so neither side always runs on a freshly used connection.
      for (const side of p % 2 === 0 ? ["direct", "eco"] : ["eco", "direct"]) {
        const request = chatRequest(`miss-${unique++}`);
        const countBefore = sim.count();
        const t0 = performance.now();
        if (side === "direct") sink = await client.chat.completions.create(request);
        else sink = await missEco.chat.completions.create(request);
        const t1 = performance.now();
        if (side === "eco" && sim.count() !== countBefore + 1) notRealMisses++;
        if (record) (side === "direct" ? direct : wrappedMiss).push(toMicros(t1 - t0));
      }
      if (p % 200 === 199) sim.reset();
    }
    const d = summarize(direct);
    const w = summarize(wrappedMiss);
    const paired = median(wrappedMiss.map((x, i) => x - (direct[i] as number)));
    overheads[delay] = { fraction: (w.p50 - d.p50) / d.p50, micros: w.p50 - d.p50, pairedMicros: paired };
    missRows.push(
      [`direct SDK call, upstream delay ${delay} ms`, formatMicros(d.p50), formatMicros(d.p95), formatMicros(d.p99), formatMicros(d.mean), "", ""],
      [
        `ecoai miss (SQLite + usage log), delay ${delay} ms`,
        formatMicros(w.p50),
        formatMicros(w.p95),
        formatMicros(w.p99),
        formatMicros(w.mean),
        `${formatPercent((w.p50 - d.p50) / d.p50)} (${formatMicros(w.p50 - d.p50)})`,
        formatMicros(paired),
      ],
    );
  }
  sim.delayMs = 0;
  console.log(
    `2. Miss latency — every call a new prompt (upstream call, cache write, usage row), direct and ecoai interleaved pair by pair; ` +
      Object.entries(MISS_PAIRS)
        .map(([delay, pairs]) => `${pairs} pairs at ${delay} ms`)
        .join(", "),
  );
  console.log(table(["", "p50", "p95", "p99", "mean", "p50 overhead", "median paired Δ"], missRows));
  console.log(`   check: ecoai calls that did not reach upstream = ${notRealMisses} (expect 0)\n`);

  // ── Summary ──
  const sqliteHit = (hitStats[2] as { stats: Summary }).stats;
  const hitRatio = sqliteHit.p50 / floor.p50;
  const realistic = overheads[REALISTIC_DELAY_MS] as { fraction: number; micros: number; pairedMicros: number };
  const zero = overheads[0] as { fraction: number; micros: number; pairedMicros: number };
  console.log(`elapsed ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
  console.log(
    `SQLite hit / floor = ${formatRatio(hitRatio)} (target ≤ ${HIT_TARGET}×) — p50 ${formatMicros(sqliteHit.p50)} vs ${formatMicros(floor.p50)}` +
      `${hitRatio <= HIT_TARGET ? "" : " — TARGET MISSED"}`,
  );
  console.log(
    `miss overhead = ${(realistic.fraction * 100).toFixed(1)}% (target < ${MISS_TARGET * 100}%) at a ${REALISTIC_DELAY_MS} ms upstream ` +
      `(${formatMicros(realistic.micros)}); ${(zero.fraction * 100).toFixed(1)}% (${formatMicros(zero.micros)}) at 0 ms` +
      `${zero.fraction < MISS_TARGET ? "" : " (over target)"}${realistic.fraction < MISS_TARGET ? "" : " — TARGET MISSED"}`,
  );
} finally {
  for (const resource of opened.reverse()) await resource.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
void sink;
