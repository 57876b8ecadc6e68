/**
 * How long a call waits on others, against baselines measured in the same run:
 *
 *  1. Waiter give-up latency, for each SDK: a call waiting on an identical call in flight (a slow
 *     upstream) gives up at its own timeout or when its signal aborts. Measured from its deadline
 *     (or the abort) to its rejection, against a direct SDK call with the same timeout (or signal)
 *     against the same slow upstream, in the same round; with a small prompt and a 100 KB one.
 *  2. Dead-peer wait on Redis: a holder process takes the miss lock and is killed with SIGKILL;
 *     the time from the kill until the identical call waiting in this process has its answer,
 *     against the lock's lifetime. And a live holder whose call outlasts that lifetime: the
 *     waiter still gets the holder's answer, with no request of its own.
 *
 * Run: `bun bench/waiting.ts`. Prints; asserts nothing.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import { GoogleGenerativeAI } from "@google/generative-ai";
import OpenAI from "openai";
import { MISS_LOCK_TTL_MS } from "../src/cache/peer-coalescing.ts";
import { EcoAI, type SupportedClient } from "../src/index.ts";
import { startSimulator, type Simulator } from "../src/simulator/index.ts";
import { startRedisServer } from "../test/redis-server.ts";
import { median, table } from "./stats.ts";

const ROUNDS = 12;
const UPSTREAM_DELAY_MS = 400;
const TIMEOUT_MS = 100;
const ABORT_AFTER_MS = 60;
const DEAD_PEER_ROUNDS = 3;
const KEY = "sk-bench-waiting";

interface Limits {
  signal?: AbortSignal;
  timeout?: number;
}

interface Sdk {
  name: string;
  client(sim: Simulator): SupportedClient;
  call(client: object, prompt: string, limits?: Limits): Promise<unknown>;
}

const SDKS: Sdk[] = [
  {
    name: "openai",
    client: (sim) => new OpenAI({ baseURL: sim.openaiBaseURL, apiKey: KEY, maxRetries: 0 }),
    call: (client, prompt, limits = {}) => (client as OpenAI).chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: prompt }] }, limits),
  },
  {
    name: "@anthropic-ai/sdk",
    client: (sim) => new Anthropic({ baseURL: sim.anthropicBaseURL, apiKey: KEY, maxRetries: 0 }),
    call: (client, prompt, limits = {}) =>
      (client as Anthropic).messages.create({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: prompt }] }, limits),
  },
  {
    name: "@google/genai",
    client: (sim) => new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: sim.geminiBaseURL } }),
    call: (client, prompt, { signal, timeout } = {}) =>
      (client as GoogleGenAI).models.generateContent({
        model: "gemini-2.5-flash",
        contents: prompt,
        config: { ...(signal ? { abortSignal: signal } : {}), ...(timeout ? { httpOptions: { timeout } } : {}) },
      }),
  },
  {
    name: "@google/generative-ai",
    client: (sim) => new GoogleGenerativeAI(KEY).getGenerativeModel({ model: "gemini-1.5-flash" }, { baseUrl: sim.geminiBaseURL }),
    call: (client, prompt, limits = {}) => (client as ReturnType<GoogleGenerativeAI["getGenerativeModel"]>).generateContent(prompt, limits),
  },
];

const dir = mkdtempSync(join(tmpdir(), "ecoai-bench-waiting-"));
const sim = await startSimulator({ delayMs: UPSTREAM_DELAY_MS });

/** Milliseconds from `from` until `promise` rejects (NaN if it resolves). */
async function rejectionAfter(promise: Promise<unknown>, from: () => number): Promise<number> {
  try {
    await promise;
    return Number.NaN;
  } catch {
    return performance.now() - from();
  }
}

/** One round: a leader in flight, then a waiter and a direct call with the same timeout, and a waiter and a direct call that abort. */
async function round(sdk: Sdk, eco: object, direct: object, prompt: string) {
  const before = sim.count();
  const leader = sdk.call(eco, prompt).catch(() => undefined);
  while (sim.count() === before) await Bun.sleep(1);
  const start = performance.now();
  const deadline = () => start + TIMEOUT_MS;
  const waiterAbort = new AbortController();
  const directAbort = new AbortController();
  let abortedAt = Number.NaN;
  setTimeout(() => {
    abortedAt = performance.now();
    waiterAbort.abort();
    directAbort.abort();
  }, ABORT_AFTER_MS);
  const [waiterTimeout, directTimeout, waiterAborted, directAborted] = await Promise.all([
    rejectionAfter(sdk.call(eco, prompt, { timeout: TIMEOUT_MS }), deadline),
    rejectionAfter(sdk.call(direct, prompt, { timeout: TIMEOUT_MS }), deadline),
    rejectionAfter(sdk.call(eco, prompt, { signal: waiterAbort.signal }), () => abortedAt),
    rejectionAfter(sdk.call(direct, prompt, { signal: directAbort.signal }), () => abortedAt),
  ]);
  await leader;
  return { waiterTimeout, directTimeout, waiterAborted, directAborted };
}

const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : "n/a");
const rows: string[][] = [];
for (const sdk of SDKS) {
  for (const [size, filler] of [["small", ""], ["100 KB", "x".repeat(100_000)]] as const) {
    const eco = new EcoAI({ client: sdk.client(sim), storage: "memory", logPath: join(dir, `${sdk.name.replace(/\W/g, "")}-${size}.db`), settingsPath: join(dir, "settings.json") });
    const direct = sdk.client(sim);
    const samples = { waiterTimeout: [] as number[], directTimeout: [] as number[], waiterAborted: [] as number[], directAborted: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      const result = await round(sdk, eco, direct, `bench waiting ${size} ${i} ${Math.random()} ${filler}`);
      for (const name of Object.keys(samples) as (keyof typeof samples)[]) samples[name].push(result[name]);
    }
    await (eco as { close(): Promise<void> }).close();
    const [wt, dt, wa, da] = [median(samples.waiterTimeout), median(samples.directTimeout), median(samples.waiterAborted), median(samples.directAborted)];
    rows.push([sdk.name, size, ms(wt), ms(dt), ms(wt - dt), ms(wa), ms(da), ms(wa - da)]);
  }
}
console.log(`\n1. A call waiting on an identical call (upstream ${UPSTREAM_DELAY_MS} ms): from its deadline (timeout ${TIMEOUT_MS} ms) or its abort to its rejection, median of ${ROUNDS}`);
console.log(table(["SDK", "prompt", "waiter timeout", "direct timeout", "difference", "waiter abort", "direct abort", "difference"], rows));

// 2. Dead and live peers on Redis.
const redis = await startRedisServer();
const CALLER = join(import.meta.dir, "..", "test", "fixtures", "redis-caller.ts");

/** Starts a caller process on `prefix` and has it call once `prompt`; resolves once its request reached the simulator. */
async function holder(prefix: string, prompt: string, upstreamMs: number) {
  const child = Bun.spawn([process.execPath, CALLER, sim.openaiBaseURL, redis.url, prefix, join(dir, `holder-${prefix}.db`), prompt, "wait"], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  const reader = child.stdout.getReader();
  await reader.read(); // "ready"
  const before = sim.count();
  sim.delayMs = upstreamMs;
  child.stdin.write("go\n");
  await child.stdin.flush();
  while (sim.count() === before) await Bun.sleep(1);
  sim.delayMs = 0;
  return child;
}

function waiter(prefix: string) {
  return new EcoAI({ client: new OpenAI({ baseURL: sim.openaiBaseURL, apiKey: KEY, maxRetries: 0 }), storage: "redis", redisUrl: redis.url, redisKeyPrefix: prefix, logPath: join(dir, `waiter-${prefix}.db`), settingsPath: join(dir, "settings.json") });
}

const deadRows: string[][] = [];
for (let i = 0; i < DEAD_PEER_ROUNDS; i++) {
  const prefix = `bench-dead-${i}-${Math.random().toString(36).slice(2)}:`;
  const prompt = `dead peer ${i}`;
  const child = await holder(prefix, prompt, 60_000);
  const eco = waiter(prefix);
  const before = sim.count();
  const waiting = eco.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: prompt }] });
  await Bun.sleep(700);
  const killedAt = performance.now();
  child.kill("SIGKILL");
  await waiting;
  const delay = performance.now() - killedAt;
  deadRows.push([`round ${i + 1}`, ms(delay), ms(MISS_LOCK_TTL_MS), `${(delay / MISS_LOCK_TTL_MS).toFixed(2)}×`, String(sim.count() - before)]);
  await eco.close();
}
console.log(`\n2a. A holder process killed with SIGKILL while an identical call waits on its Redis lock: from the kill to the waiter's answer`);
console.log(table(["", "kill → answer", "lock lifetime", "ratio", "waiter's requests"], deadRows));

{
  const prefix = `bench-live-${Math.random().toString(36).slice(2)}:`;
  const prompt = "live peer";
  const upstreamMs = 2 * MISS_LOCK_TTL_MS + 500;
  const child = await holder(prefix, prompt, upstreamMs);
  const eco = waiter(prefix);
  const before = sim.count();
  const started = performance.now();
  const answer = await eco.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: prompt }] });
  const waited = performance.now() - started;
  await child.exited;
  const hit = (await eco.history({ limit: 1 }))[0]?.cacheHit;
  console.log(`\n2b. A live holder whose call takes ${upstreamMs} ms (${(upstreamMs / MISS_LOCK_TTL_MS).toFixed(2)}× the lock lifetime): the waiter waited ${ms(waited)}, made ${sim.count() - before} request(s), served from the holder's answer: ${hit} (${answer.choices[0]?.message.content?.slice(0, 20)}…)`);
  await eco.close();
}

await redis.stop();
await sim.close();
rmSync(dir, { recursive: true, force: true });
