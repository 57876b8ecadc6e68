/**
 * A loop of hits through the wrapped OpenAI SDK (usage log on), for a CPU profile of the hit
 * path: `bun --cpu-prof --cpu-prof-md --cpu-prof-dir=/tmp bench/hit-profile.ts [sqlite|memory|redis]
 * [hits] [callers]` (default: SQLite, 200,000 hits, one caller; Redis on a private
 * `redis-server`). Prints the time of a hit as batch means (min, p25, median: on a shared
 * machine the min is the steadiest); asserts nothing.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { EcoAI } from "../src/index.ts";
import { startSimulator } from "../src/simulator/index.ts";
import { startRedisServer } from "../test/redis-server.ts";

const storage = (process.argv[2] ?? "sqlite") as "sqlite" | "memory" | "redis";
const HITS = Number(process.argv[3] ?? 200_000);
/** Callers looping at once (1: one hit after another). */
const CALLERS = Number(process.argv[4] ?? 1);
const DISTINCT = 64;
const dir = mkdtempSync(join(tmpdir(), "ecoai-hit-profile-"));
const sim = await startSimulator();
const redis = storage === "redis" ? await startRedisServer() : undefined;
const eco = new EcoAI({
  client: new OpenAI({ baseURL: sim.openaiBaseURL, apiKey: "sk-bench", maxRetries: 0 }),
  storage,
  sqlitePath: join(dir, "cache.db"),
  ...(redis ? { redisUrl: redis.url } : {}),
  logPath: join(dir, "usage.db"),
  settingsPath: join(dir, "settings.json"),
});
const request = (i: number) => ({
  model: "gpt-4o-mini",
  messages: [
    { role: "system" as const, content: "You are a concise assistant for an online bookshop." },
    { role: "user" as const, content: `Question ${i % DISTINCT}: where is my parcel?` },
  ],
});
try {
  for (let i = 0; i < DISTINCT; i++) await eco.chat.completions.create(request(i));
  let sink: unknown;
  const BATCH = 500;
  const means: number[] = [];
  for (let done = 0; done < HITS; done += BATCH) {
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CALLERS }, async (_, caller) => {
        for (let i = done + caller; i < done + BATCH; i += CALLERS) sink = await eco.chat.completions.create(request(i));
      }),
    );
    means.push(((performance.now() - t0) * 1000) / BATCH);
  }
  void sink;
  means.sort((a, b) => a - b);
  const at = (q: number) => means[Math.floor(q * (means.length - 1))]!.toFixed(1);
  console.log(`${storage}, ${CALLERS} caller(s): ${HITS} hits in batches of ${BATCH}; µs a hit, batch means: min ${at(0)}, p25 ${at(0.25)}, median ${at(0.5)}`);
} finally {
  await eco.close();
  await sim.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
}
