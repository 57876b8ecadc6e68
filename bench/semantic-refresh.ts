/**
 * Semantic lookups over a store with many entries: what the refresh before every search costs.
 *
 * 1. Memory store, 50,000 entries of one scope (and as many in another): a lookup (refresh +
 *    search) against the cost of the search alone on an index that needs no refresh.
 * 2. After a bulk write of 5,000 entries: lookups during the first second (the refresh overlap)
 *    and after it, with no write since.
 *
 * Run: `bun bench/semantic-refresh.ts`. Prints; asserts nothing.
 * @module
 */
import { createSemanticIndex } from "../src/cache/semantic-index.ts";
import { unitVector } from "../src/cache/vector-sketch.ts";
import { createMemoryStore } from "../src/stores/memory.ts";
import type { CacheEntry } from "../src/stores/store.ts";
import { summarize, table } from "./stats.ts";

const DIMS = 512;
let seed = 7;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const vector = () => unitVector(Array.from({ length: DIMS }, () => random() * 2 - 1))!;
const entry = (key: string, scope: string, createdAt: number): CacheEntry => ({
  key, body: "{}", createdAt, provider: "openai", endpoint: "chat.completions", model: "gpt-4o", namespace: "", prompt: key, promptType: "text",
  usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1 }, semantic: { scope, vector: vector() },
});

async function timed(runs: number, run: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await run();
    samples.push(performance.now() - t);
  }
  return summarize(samples).p50;
}

const rows: string[][] = [];
for (const size of [1_000, 50_000]) {
  const store = createMemoryStore({ maxEntries: size * 3 });
  const old = Date.now() - 3_600_000;
  for (let i = 0; i < size; i++) {
    await store.set(entry(`a${i}`, "a", old + i));
    await store.set(entry(`b${i}`, "b", old + i));
  }
  const index = createSemanticIndex(store);
  const bare = createSemanticIndex({});
  const listed = await store.vectorsSince!("a", 0);
  for (const v of listed) bare.add("a", v.key, v.vector!, v.createdAt);
  const query = vector();
  await index.search("a", query, 0.9);
  const lookup = await timed(50, () => index.search("a", query, 0.9));
  const search = await timed(50, () => bare.search("a", query, 0.9));
  const listing = await timed(50, () => store.vectorsSince!("a", Date.now() - 1000));
  rows.push([`${size.toLocaleString("en")} per scope, 2 scopes`, `${lookup.toFixed(3)} ms`, `${search.toFixed(3)} ms`, `${listing.toFixed(4)} ms`, `${(lookup / search).toFixed(2)}×`]);
}
console.log("Memory store: a semantic lookup (refresh + search) against the search alone\n");
console.log(table(["entries", "lookup p50", "search alone p50", "listing since 1 s ago", "lookup / search"], rows));

const store = createMemoryStore({ maxEntries: 100_000 });
const now = Date.now();
for (let i = 0; i < 5_000; i++) await store.set(entry(`bulk${i}`, "s", now));
const index = createSemanticIndex(store);
const query = vector();
await index.search("s", query, 0.9);
const during = await timed(20, () => index.search("s", query, 0.9));
await Bun.sleep(1100);
await index.search("s", query, 0.9);
const after = await timed(20, () => index.search("s", query, 0.9));
console.log("\nAfter a bulk write of 5,000 entries, no write since:\n");
console.log(table(["lookups", "p50"], [["within the 1 s overlap", `${during.toFixed(3)} ms`], ["after it", `${after.toFixed(3)} ms`], ["ratio", `${(during / after).toFixed(1)}×`]]));
