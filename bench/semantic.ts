/**
 * Semantic lookup at scale: the index ecoai searches (one byte a dimension, sign-sketch prefilter,
 * exact re-scoring of the survivors read back from the store) against an exact scan of the same
 * float32 vectors, at 100,000 and 1,000,000 stored prompts of 1,536 dimensions in one scope.
 *
 * Two searches are timed: at the threshold (0.95, best match only) and as the engine searches
 * when the neighbours guard is on (down to 0.85, best 8). The exact answer of each query is what
 * a scan of every float32 vector finds; recall@1 is how often the index's best match is the
 * same (or both find none), and "top 8 same" how often its whole list is. The vectors are
 * computed from their numbers (`semantic-data.ts`), so the process holds the index alone and
 * its memory is the index's: re-scoring reads a vector back by computing it again, where ecoai
 * reads it from the store (timed below against a real SQLite file).
 *
 * Then the cold start at 100,000: the first search of a new process, which loads the scope from
 * a SQLite file and from a private `redis-server`.
 *
 * Run: `bun bench/semantic.ts [--sizes 100000,1000000] [--queries 200,50] [--cold-only] [--stores sqlite,redis] [--loads 1]`
 * (or `npm run bench:semantic`); `--stores redis` times the cold start from Redis alone (writing
 * 100,000 entries to SQLite takes minutes) and `--loads` how many new indexes load each store. Prints; asserts nothing.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { createSemanticIndex } from "../src/cache/semantic-index.ts";
import type { CacheEntry } from "../src/stores/store.ts";
import { dotAt } from "../src/cache/vector-sketch.ts";
import { coldStart, entryFor, type ColdStore } from "./semantic-cold.ts";
import { DIMS, keyOf, numberOf, promptVector, queryVector } from "./semantic-data.ts";
import { machineLoad, summarize, table } from "./stats.ts";

const THRESHOLD = 0.95;
/** How far down the engine searches for the neighbours guard: the threshold less 0.1. */
const FLOOR = 0.85;
const LIMIT = 8;
const GOALS = { bytesPerVector: 1.6 * 1024, p50AtMillion: 10, rssAtMillionMb: 2048, coldLoadMs: 500 };

const { values: args } = parseArgs({ options: { sizes: { type: "string", default: "100000,1000000" }, queries: { type: "string", default: "200,50" }, "cold-only": { type: "boolean", default: false }, stores: { type: "string", default: "sqlite,redis" }, loads: { type: "string", default: "1" } } });
const sizes = args.sizes!.split(",").map(Number);
const queryCounts = args.queries!.split(",").map(Number);
const coldStores = args.stores!.split(",") as ColdStore[];

const gc = () => (globalThis as { Bun?: { gc(force: boolean): void } }).Bun?.gc(true);
const rssMb = () => process.memoryUsage().rss / 2 ** 20;
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;

interface Exact {
  best: { n: number; score: number };
  /** The best LIMIT at or above FLOOR, best first. */
  top: { n: number; score: number }[];
}

/** One pass over every stored vector, scoring it against every query: what an exact scan finds. */
function exactScan(queries: Float32Array[], size: number): Exact[] {
  const answers: Exact[] = queries.map(() => ({ best: { n: -1, score: -Infinity }, top: [] }));
  const vector = new Float32Array(DIMS);
  for (let n = 0; n < size; n++) {
    promptVector(n, vector);
    for (let q = 0; q < queries.length; q++) {
      const score = dotAt(queries[q]!, vector, 0, DIMS);
      const answer = answers[q]!;
      if (score > answer.best.score) answer.best = { n, score };
      if (score >= FLOOR && (answer.top.length < LIMIT || score > answer.top[LIMIT - 1]!.score)) {
        answer.top.push({ n, score });
        answer.top.sort((a, b) => b.score - a.score);
        answer.top.length = Math.min(LIMIT, answer.top.length);
      }
    }
  }
  return answers;
}

async function atScale(size: number, queryCount: number): Promise<string[]> {
  gc();
  const rssBefore = rssMb();
  let reads = 0;
  // The exact vector of an entry, as the store's `get` returns it.
  const store = {
    async get(key: string): Promise<CacheEntry | undefined> {
      reads++;
      const n = numberOf(key);
      return n < size ? entryFor(n, promptVector(n)) : undefined;
    },
  };
  const index = createSemanticIndex(store);
  const vector = new Float32Array(DIMS);
  let started = performance.now();
  for (let n = 0; n < size; n++) index.add("scope", keyOf(n), promptVector(n, vector), n);
  const buildS = (performance.now() - started) / 1000;
  gc();
  const rss = rssMb() - rssBefore;

  const queries = Array.from({ length: queryCount }, (_, q) => queryVector(q, size));
  // Warm-up, untimed: the first searches compile the scan.
  for (let q = 0; q < 20; q++) await index.search("scope", queryVector(queryCount + q, size), FLOOR, LIMIT);
  const timed = async (threshold: number, limit: number) => {
    const times: number[] = [];
    const found: string[][] = [];
    reads = 0;
    for (const query of queries) {
      const t = performance.now();
      const matches = await index.search("scope", query, threshold, limit);
      times.push(performance.now() - t);
      found.push(matches.map((match) => match.key));
    }
    return { times: summarize(times), found, reads: reads / queries.length };
  };
  const atThreshold = await timed(THRESHOLD, 1);
  const asEngine = await timed(FLOOR, LIMIT);

  started = performance.now();
  const exact = exactScan(queries, size);
  const scanMs = (performance.now() - started) / queries.length;
  let agree = 0;
  let matchable = 0;
  let sameTop = 0;
  exact.forEach((answer, q) => {
    const expected = answer.best.score >= THRESHOLD ? keyOf(answer.best.n) : undefined;
    if (expected !== undefined) matchable++;
    if (atThreshold.found[q]![0] === expected) agree++;
    if (answer.top.map((hit) => keyOf(hit.n)).join() === asEngine.found[q]!.join()) sameTop++;
  });
  const bytes = index.bytes / index.size;
  return [
    size.toLocaleString("en"),
    `${(bytes / 1024).toFixed(2)} KB`,
    `${rss.toFixed(0)} MB`,
    `${buildS.toFixed(1)} s`,
    `${ms(atThreshold.times.p50)} / ${ms(atThreshold.times.p95)}`,
    `${ms(asEngine.times.p50)} / ${ms(asEngine.times.p95)}`,
    `${atThreshold.reads.toFixed(1)} / ${asEngine.reads.toFixed(1)}`,
    ms(scanMs),
    `${((agree / queries.length) * 100).toFixed(1)}% (${agree}/${queries.length}, ${matchable} matches)`,
    `${sameTop}/${queries.length}`,
  ];
}

async function main(): Promise<void> {
  console.log(`Semantic lookup, ${DIMS} dims, one scope (${process.versions.bun ? `Bun ${process.versions.bun}` : `Node ${process.versions.node}`}, ${process.platform}/${process.arch}; ${machineLoad()})\n`);
  const rows: string[][] = [];
  if (args["cold-only"]) return coldStart(100_000, GOALS.coldLoadMs, coldStores, Number(args.loads));
  for (const [i, size] of sizes.entries()) rows.push(await atScale(size, queryCounts[i] ?? queryCounts[queryCounts.length - 1]!));
  console.log(
    table(
      ["vectors", "memory/vector", "RSS of index", "build", `p50 / p95 at ${THRESHOLD}, best 1`, `p50 / p95 to ${FLOOR}, best ${LIMIT}`, "vectors read back", "exact scan/query", "recall@1", "top 8 same"],
      rows,
    ),
  );
  const million = rows.find((row) => row[0] === "1,000,000");
  console.log(
    `\nGoals: ≤ ${(GOALS.bytesPerVector / 1024).toFixed(1)} KB a vector; at 1,000,000, p50 ≤ ${GOALS.p50AtMillion} ms in ≤ ${GOALS.rssAtMillionMb / 1024} GB` +
      (million ? ` — measured ${million[1]}, p50 ${million[4]!.split(" / ")[0]} (threshold) and ${million[5]!.split(" / ")[0]} (engine), ${million[2]}.` : "."),
  );
  gc();
  await coldStart(100_000, GOALS.coldLoadMs, coldStores, Number(args.loads));
}

await main();
