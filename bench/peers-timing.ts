/**
 * The timing loops of `bench/peers.ts`: interleaved hit rounds, hits per second under 64
 * concurrent callers, what a miss adds to a direct SDK call, and what a system call costs here.
 *
 * @module
 */
import type OpenAI from "openai";
import type { EcoAI } from "../src/index.ts";
import type { Simulator } from "../src/simulator/index.ts";
import { closeSync, openSync, readSync, writeFileSync } from "node:fs";
import { median, summarize, toMicros, type Summary } from "./stats.ts";

const ROUNDS = 20;
const BATCH = 250;
const WARMUP = 1_000;
const CALLERS = 64;
const CONCURRENT_MS = 2_000;
const MISS_PAIRS = 2_000;
const MISS_WARMUP = 100;
const MISS_BLOCKS = 12;
const MISS_BLOCK_CALLS = 250;
/** After each block, time for the writes its last calls handed over to land before the next block starts. */
const MISS_BLOCK_SETTLE_MS = 25;

export interface Variant {
  name: string;
  /** Samples in ms. */
  samples: number[];
  run(index: number): Promise<void>;
}

/** Interleaved rounds: every round times a batch of each variant, in a rotating order. */
export async function runInterleaved(variants: Variant[]): Promise<void> {
  for (const variant of variants) for (let i = 0; i < WARMUP; i++) await variant.run(i);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < variants.length; k++) {
      const variant = variants[(round + k) % variants.length]!;
      for (let i = 0; i < BATCH; i++) {
        const t0 = performance.now();
        await variant.run(round * BATCH + i);
        variant.samples.push(performance.now() - t0);
      }
    }
  }
}

type Request = (i: number) => Parameters<OpenAI["chat"]["completions"]["create"]>[0];

/** Hits per second of each instance with {@link CALLERS} callers looping at once, and of LangChain's in-memory cache. */
export async function concurrentHits(
  instances: Record<string, EcoAI<OpenAI>>,
  langchain: { invoke(messages: [string, string][]): Promise<unknown> },
  request: Request,
  messages: (i: number) => [string, string][],
): Promise<Record<string, number>> {
  const rates: Record<string, number> = {};
  const measure = async (call: (i: number) => Promise<unknown>) => {
    let done = 0;
    const started = performance.now();
    const end = started + CONCURRENT_MS;
    await Promise.all(
      Array.from({ length: CALLERS }, async (_, caller) => {
        for (let i = caller; performance.now() < end; i += CALLERS) {
          await call(i);
          done++;
        }
      }),
    );
    return done / ((performance.now() - started) / 1000);
  };
  for (const [name, instance] of Object.entries(instances)) {
    await measure((i) => instance.chat.completions.create(request(i)) as Promise<unknown>);
    rates[name] = await measure((i) => instance.chat.completions.create(request(i)) as Promise<unknown>);
  }
  await measure((i) => langchain.invoke(messages(i)));
  rates["LangChain InMemoryCache"] = await measure((i) => langchain.invoke(messages(i)));
  return rates;
}

export interface MissOverhead {
  pairs: number;
  direct: Summary;
  eco: Summary;
  /** Per pair, the ecoai miss less the direct call next to it (µs). */
  added: Summary;
  directMax: number;
  ecoMax: number;
  addedMax: number;
  over1ms: number;
  /** Per pair, a second direct call less the first: what the machine's own noise adds to a pair (µs). */
  noise: Summary;
  noiseMax: number;
  noiseOver1ms: number;
}

/**
 * Direct SDK calls and ecoai misses on new prompts at a 0 ms upstream, interleaved in rounds of
 * three in a rotating order: a direct call, an ecoai miss, and a second direct call whose
 * difference to the first is the noise floor of a pair (GC, the simulator sharing the process,
 * the machine), so that the pairs over 1 ms that ecoai causes can be told from those it does not; µs.
 */
export async function missOverhead(direct: OpenAI, eco: EcoAI<OpenAI>, sim: Simulator): Promise<MissOverhead> {
  sim.delayMs = 0;
  const sides = ["direct", "eco", "control"] as const;
  const samples: Record<(typeof sides)[number], number[]> = { direct: [], eco: [], control: [] };
  for (let p = 0; p < MISS_WARMUP + MISS_PAIRS; p++) {
    for (let k = 0; k < sides.length; k++) {
      const side = sides[(p + k) % sides.length]!;
      const body = { model: "gpt-4o-mini", messages: [{ role: "user" as const, content: `A new question, number ${p} (${side}).` }] };
      const t0 = performance.now();
      await (side === "eco" ? eco.chat.completions.create(body) : direct.chat.completions.create(body));
      const elapsed = toMicros(performance.now() - t0);
      if (p >= MISS_WARMUP) samples[side].push(elapsed);
    }
    if (p % 500 === 499) sim.reset();
  }
  const { direct: d, eco: w, control: c } = samples;
  const added = w.map((x, i) => x - d[i]!);
  const noise = c.map((x, i) => x - d[i]!);
  return {
    pairs: MISS_PAIRS,
    direct: summarize(d),
    eco: summarize(w),
    added: summarize(added),
    directMax: Math.max(...d),
    ecoMax: Math.max(...w),
    addedMax: Math.max(...added),
    over1ms: added.filter((x) => x > 1000).length,
    noise: summarize(noise),
    noiseMax: Math.max(...noise),
    noiseOver1ms: noise.filter((x) => x > 1000).length,
  };
}

export interface MissBlocks {
  blocks: number;
  calls: number;
  /** Median over blocks of the mean wall time per call (µs). */
  directWall: number;
  ecoWall: number;
  /** Median over blocks of the process's CPU time per call, every thread included (µs). */
  directCpu: number;
  ecoCpu: number;
}

/**
 * What a miss costs in all, the cache write and the usage row included: the pairs of
 * {@link missOverhead} time each call alone, and the writes a miss hands over (a batch every few
 * misses, after the delay that gathers it) land in whichever call is running then, a direct one
 * two times in three. Here blocks of consecutive new prompts, direct and through ecoai in turn,
 * are timed whole: the mean wall time per call, with the writes that land within the block, and
 * the CPU time the process spent per call on every thread (the writes of a block's last calls,
 * which land in the pause after it, included).
 */
export async function missBlocks(direct: OpenAI, eco: EcoAI<OpenAI>, sim: Simulator): Promise<MissBlocks> {
  sim.delayMs = 0;
  const sides = ["direct", "eco"] as const;
  const wall: Record<(typeof sides)[number], number[]> = { direct: [], eco: [] };
  const cpu: Record<(typeof sides)[number], number[]> = { direct: [], eco: [] };
  let prompt = 0;
  for (let block = 0; block < MISS_BLOCKS + 2; block++) {
    for (let k = 0; k < sides.length; k++) {
      const side = sides[(block + k) % sides.length]!;
      const client = side === "eco" ? eco : direct;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < MISS_BLOCK_CALLS; i++) {
        await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user" as const, content: `A question in a block, number ${prompt++}.` }] });
      }
      const elapsed = performance.now() - t0;
      await new Promise((resolve) => setTimeout(resolve, MISS_BLOCK_SETTLE_MS));
      const used = process.cpuUsage(cpu0);
      // The first blocks warm both sides up.
      if (block < 2) continue;
      wall[side].push(toMicros(elapsed / MISS_BLOCK_CALLS));
      cpu[side].push((used.user + used.system) / MISS_BLOCK_CALLS);
    }
    sim.reset();
  }
  return { blocks: MISS_BLOCKS, calls: MISS_BLOCK_CALLS, directWall: median(wall.direct), ecoWall: median(wall.eco), directCpu: median(cpu.direct), ecoCpu: median(cpu.eco) };
}

/**
 * What one system call costs on this machine: a 96-byte `pread` of a file in the page cache (an
 * ecoai SQLite hit served from its memo makes one, to see whether the file changed), median of
 * batches. It differs several-fold between machines (kernel mitigations, virtualisation), and
 * the SQLite figures move with it while LangChain's in-memory cache makes none.
 */
export function preadMicros(path: string): number {
  writeFileSync(path, new Uint8Array(4096));
  const descriptor = openSync(path, "r");
  const into = new Uint8Array(96);
  const perCall: number[] = [];
  try {
    for (let batch = 0; batch < 21; batch++) {
      const started = performance.now();
      for (let i = 0; i < 2_000; i++) readSync(descriptor, into, 0, into.length, 0);
      perCall.push(toMicros((performance.now() - started) / 2_000));
    }
  } finally {
    closeSync(descriptor);
  }
  return median(perCall);
}
