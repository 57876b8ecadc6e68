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
import { summarize, table } from "./stats.ts";

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
async function loadAndSearch(store: Store, size: number): Promise<{ loadMs: number; filledMs: number; found: boolean; p50: number }> {
  const index = createSemanticIndex(store);
  const first = queryVector(0, size);
  let t = performance.now();
  await index.search("scope", first, THRESHOLD, 1);
  const loadMs = performance.now() - t;
  // A store that lists the codes' headers first reads the rest in the background.
  await index.filled();
  const filledMs = performance.now() - t;
  const times: number[] = [];
  for (let q = 0; q < SEARCHES; q++) {
    t = performance.now();
    await index.search("scope", queryVector(q, size), FLOOR, 8);
    times.push(performance.now() - t);
  }
  return { loadMs, filledMs, found: index.size === size, p50: summarize(times).p50 };
}

export async function coldStart(size: number, goalMs: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "ecoai-bench-semantic-"));
  const path = join(dir, "cache.db");
  const redis = await startRedisServer();
  const rows: string[][] = [];
  try {
    const sqlite = createSqliteStore({ path });
    // Written with a long command timeout: a busy machine must not fail the set-up.
    const shared = createRedisStore({ url: redis.url, prefix: "bench:", commandTimeoutMs: 30_000 });
    let t = performance.now();
    for (let n = 0; n < size; n++) await sqlite.set(entryFor(n, promptVector(n)));
    const sqliteWriteS = (performance.now() - t) / 1000;
    t = performance.now();
    for (let n = 0; n < size; n += 50) await Promise.all(Array.from({ length: Math.min(50, size - n) }, (_, i) => shared.set(entryFor(n + i, promptVector(n + i)))));
    const redisWriteS = (performance.now() - t) / 1000;
    await sqlite.close();
    await shared.close();

    // The floor: the same rows (key, write time, code) read with one SELECT, nothing built from them;
    // and what loading read before codes were kept, the float32 vectors from the entries' rows.
    const db = openDatabase(path);
    t = performance.now();
    const raw = db.prepare(LIST_CODES).all("scope", 0);
    const rawMs = performance.now() - t;
    t = performance.now();
    db.prepare("SELECT key, vector, created_at FROM cache_entries WHERE scope = ? AND created_at >= ? ORDER BY created_at").all("scope", 0);
    const float32Ms = performance.now() - t;
    db.close();
    const rawMb = raw.reduce((sum, row) => sum + (row.code as Uint8Array).byteLength, 0) / 2 ** 20;

    const kept = createSemanticIndex({});
    for (let n = 0; n < size; n++) kept.add("scope", keyOf(n), promptVector(n), START + n);
    const keptTimes: number[] = [];
    for (let q = 0; q < SEARCHES; q++) {
      t = performance.now();
      await kept.search("scope", queryVector(q, size), FLOOR, 8);
      keptTimes.push(performance.now() - t);
    }
    const keptP50 = summarize(keptTimes).p50;

    for (const [name, open] of [
      ["SQLite file", () => createSqliteStore({ path })],
      ["redis-server", () => createRedisStore({ url: redis.url, prefix: "bench:" })],
    ] as const) {
      const store = open();
      const { loadMs, filledMs, found, p50 } = await loadAndSearch(store, size);
      await store.close();
      rows.push([name, `${loadMs.toFixed(0)} ms`, `${(loadMs / rawMs).toFixed(2)}×`, `${filledMs.toFixed(0)} ms`, found ? "all" : "NOT ALL", `${p50.toFixed(2)} ms`, `${keptP50.toFixed(2)} ms`, `${(loadMs / goalMs).toFixed(2)}× the goal`]);
    }
    console.log(`\nCold start, ${size.toLocaleString("en")} vectors of ${DIMS} dims in one scope (written in ${sqliteWriteS.toFixed(0)} s to SQLite, ${redisWriteS.toFixed(0)} s to Redis):\n`);
    console.log(table(["loaded from", "first search (load)", "vs one SELECT", "all bytes read in", "vectors", "later searches p50 (read back)", "same, vectors kept in memory", `load vs ${goalMs / 1000} s`], rows));
    console.log(`\nOne SELECT of the same rows from the SQLite file (key, write time, code; ${rawMb.toFixed(0)} MB of codes), nothing built: ${rawMs.toFixed(0)} ms.`);
    console.log(`The float32 vectors alone, read from the entries' rows as loading did before codes: ${float32Ms.toFixed(0)} ms.`);
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
