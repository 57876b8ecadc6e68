/**
 * The cold start of `bench/semantic.ts`: the first search of a new process loads a scope of
 * 100,000 vectors from a SQLite file and from a private `redis-server`; later searches read the
 * survivors' exact vectors back from the store, timed against an index that keeps them in memory.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSemanticIndex } from "../src/cache/semantic-index.ts";
import { openDatabase } from "../src/sqlite/database.ts";
import { createRedisStore } from "../src/stores/redis.ts";
import { createSqliteStore } from "../src/stores/sqlite.ts";
import { LIST_CODES } from "../src/stores/sqlite-vectors.ts";
import type { CacheEntry, Store } from "../src/stores/store.ts";
import { startRedisServer } from "../test/redis-server.ts";
import { DIMS, keyOf, promptVector, queryVector } from "./semantic-data.ts";
import { machineLoad, summarize, table } from "./stats.ts";

const THRESHOLD = 0.95;
const FLOOR = 0.85;
const SEARCHES = 50;
/** Entries written over the past day, so a top-up after the load lists nothing. */
const START = Date.now() - 86_400_000;

/** Entry `n` of the benchmark's scope, with `vector` as its prompt embedding. */
export function entryFor(n: number, vector: Float32Array): CacheEntry {
  return {
    key: keyOf(n),
    body: '{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},"finish_reason":"stop"}]}',
    createdAt: START + n,
    provider: "openai",
    endpoint: "chat.completions",
    model: "gpt-4o",
    namespace: "",
    prompt: `prompt ${n}`,
    promptType: "text",
    usage: { inputTokens: 10, cachedInputTokens: 0, outputTokens: 10 },
    semantic: { scope: "scope", vector },
  };
}

/** First search (the load) and the p50 of later ones (engine's search: to FLOOR, best 8) through `store`. */
async function loadAndSearch(store: Store, size: number): Promise<{ loadMs: number; loadCpuMs: number; filledMs: number; found: boolean; p50: number }> {
  const index = createSemanticIndex(store);
  const first = queryVector(0, size);
  const cpu = process.cpuUsage();
  let t = performance.now();
  await index.search("scope", first, THRESHOLD, 1);
  const loadMs = performance.now() - t;
  // This process's CPU time over the load: what a busy machine's other work does not add to.
  const used = process.cpuUsage(cpu);
  const loadCpuMs = (used.user + used.system) / 1000;
  // A store that lists the codes' headers first reads the rest in the background.
  await index.filled();
  const filledMs = performance.now() - t;
  const times: number[] = [];
  for (let q = 0; q < SEARCHES; q++) {
    t = performance.now();
    await index.search("scope", queryVector(q, size), FLOOR, 8);
    times.push(performance.now() - t);
  }
  return { loadMs, loadCpuMs, filledMs, found: index.size === size, p50: summarize(times).p50 };
}

/** A store the cold start is timed from. */
export type ColdStore = "sqlite" | "redis";

/**
 * Writes `size` entries to each of `stores` and times the first search (the load) of new indexes
 * over them, `loads` times each; the SQLite rows are also read with one plain SELECT, the floor.
 */
export async function coldStart(size: number, goalMs: number, stores: readonly ColdStore[] = ["sqlite", "redis"], loads = 1): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "ecoai-bench-semantic-"));
  const path = join(dir, "cache.db");
  const redis = await startRedisServer();
  const rows: string[][] = [];
  const writes: string[] = [];
  const notes: string[] = [];
  let rawMs: number | undefined;
  try {
    if (stores.includes("sqlite")) {
      const sqlite = createSqliteStore({ path });
      const t = performance.now();
      for (let n = 0; n < size; n++) await sqlite.set(entryFor(n, promptVector(n)));
      writes.push(`${((performance.now() - t) / 1000).toFixed(0)} s to SQLite`);
      await sqlite.close();

      // The floor: the same rows (key, write time, code) read with one SELECT, nothing built from them;
      // and what loading read before codes were kept, the float32 vectors from the entries' rows.
      const db = openDatabase(path);
      let started = performance.now();
      const raw = db.prepare(LIST_CODES).all("scope", 0);
      rawMs = performance.now() - started;
      started = performance.now();
      db.prepare("SELECT key, vector, created_at FROM cache_entries WHERE scope = ? AND created_at >= ? ORDER BY created_at").all("scope", 0);
      const float32Ms = performance.now() - started;
      db.close();
      const rawMb = raw.reduce((sum, row) => sum + (row.code as Uint8Array).byteLength, 0) / 2 ** 20;
      notes.push(`One SELECT of the same rows from the SQLite file (key, write time, code; ${rawMb.toFixed(0)} MB of codes), nothing built: ${rawMs.toFixed(0)} ms.`);
      notes.push(`The float32 vectors alone, read from the entries' rows as loading did before codes: ${float32Ms.toFixed(0)} ms.`);
    }
    if (stores.includes("redis")) {
      // Written with a long command timeout: a busy machine must not fail the set-up.
      const shared = createRedisStore({ url: redis.url, prefix: "bench:", commandTimeoutMs: 30_000 });
      const t = performance.now();
      for (let n = 0; n < size; n += 50) await Promise.all(Array.from({ length: Math.min(50, size - n) }, (_, i) => shared.set(entryFor(n + i, promptVector(n + i)))));
      writes.push(`${((performance.now() - t) / 1000).toFixed(0)} s to Redis`);
      await shared.close();
    }

    const kept = createSemanticIndex({});
    for (let n = 0; n < size; n++) kept.add("scope", keyOf(n), promptVector(n), START + n);
    const keptTimes: number[] = [];
    for (let q = 0; q < SEARCHES; q++) {
      const t = performance.now();
      await kept.search("scope", queryVector(q, size), FLOOR, 8);
      keptTimes.push(performance.now() - t);
    }
    const keptP50 = summarize(keptTimes).p50;

    // Loaded with a 10 s command timeout: on a busy machine one listing command may take more than the default 0.5 s.
    const opens = { sqlite: ["SQLite file", () => createSqliteStore({ path })], redis: ["redis-server", () => createRedisStore({ url: redis.url, prefix: "bench:", commandTimeoutMs: 10_000 })] } as const;
    for (const [name, open] of stores.map((store) => opens[store])) {
      for (let load = 0; load < loads; load++) {
        const store = open();
        const { loadMs, loadCpuMs, filledMs, found, p50 } = await loadAndSearch(store, size);
        await store.close();
        const vsSelect = rawMs === undefined ? "—" : `${(loadMs / rawMs).toFixed(2)}×`;
        rows.push([name, `${loadMs.toFixed(0)} ms`, `${loadCpuMs.toFixed(0)} ms`, vsSelect, `${filledMs.toFixed(0)} ms`, found ? "all" : "NOT ALL", `${p50.toFixed(2)} ms`, `${keptP50.toFixed(2)} ms`, `${(loadMs / goalMs).toFixed(2)}× the goal`]);
      }
    }
    console.log(`\nCold start, ${size.toLocaleString("en")} vectors of ${DIMS} dims in one scope (written in ${writes.join(", ")}; ${machineLoad()}):\n`);
    console.log(table(["loaded from", "first search (load)", "its CPU time (all threads)", "vs one SELECT", "all bytes read in", "vectors", "later searches p50 (read back)", "same, vectors kept in memory", `load vs ${goalMs / 1000} s`], rows));
    for (const note of notes) console.log(`\n${note}`);
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
