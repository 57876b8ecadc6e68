/**
 * Semantic lookup speed and accuracy: the index ecoai searches (sign-sketch prefilter, exact
 * rerank) against a plain linear scan of the same vectors, at 1k, 10k and 100k stored prompts of
 * 1,536 dimensions in one scope.
 *
 * The vectors imitate real embeddings: a direction every text shares, 200 topics, and noise, so
 * unrelated prompts score about 0.15 and prompts of one topic about 0.5 (as OpenAI embeddings
 * do). Queries are near-duplicates of stored prompts at cosine 0.90–0.99 (about half above the
 * 0.95 threshold) plus unrelated prompts. The exact answer of each query is the linear scan's
 * best match at or above the threshold, or none; recall@1 is how often the index gives the same.
 *
 * Then the cold start: the first search of a new process, which loads the scope's vectors from a
 * SQLite cache file.
 *
 * Run: `bun bench/semantic.ts` (or `npm run bench:semantic`). Prints; asserts nothing.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSemanticIndex } from "../src/cache/semantic-index.ts";
import { createSqliteStore } from "../src/stores/sqlite.ts";
import { dotAt } from "../src/cache/vector-sketch.ts";
import { summarize, table } from "./stats.ts";

const DIMS = 1536;
const THRESHOLD = 0.95;
const TOPICS = 200;
const SIZES = [1_000, 10_000, 100_000];
/** Queries per size; the linear scan is slow at 100k, so fewer there. */
const QUERIES: Record<number, number> = { 1_000: 400, 10_000: 400, 100_000: 100 };
const TARGET_P50_MS = 5;

let seed = 0x2545f491;
function uniform(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
}

/** A random direction (uniform coordinates are enough: the sketch and dot products see sums of them). */
function randomUnit(): Float32Array {
  const vector = new Float32Array(DIMS);
  let norm = 0;
  for (let i = 0; i < DIMS; i++) {
    const value = uniform() * 2 - 1;
    vector[i] = value;
    norm += value * value;
  }
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < DIMS; i++) vector[i]! *= scale;
  return vector;
}

function normalise(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < vector.length; i++) vector[i]! *= scale;
  return vector;
}

const common = randomUnit();
const topics = Array.from({ length: TOPICS }, randomUnit);

/** A prompt-like embedding: shared direction + topic + its own noise. */
function promptVector(): Float32Array {
  const topic = topics[Math.floor(uniform() * TOPICS)]!;
  const noise = randomUnit();
  const out = new Float32Array(DIMS);
  for (let i = 0; i < DIMS; i++) out[i] = 0.55 * common[i]! + 0.9 * topic[i]! + noise[i]!;
  return normalise(out);
}

/** A vector at cosine `cosine` from the unit vector `source`. */
function nearDuplicate(source: Float32Array, cosine: number): Float32Array {
  const noise = randomUnit();
  // Remove the noise's component along the source so the angle is exact.
  const along = dotAt(source, noise, 0, DIMS);
  for (let i = 0; i < DIMS; i++) noise[i]! -= along * source[i]!;
  normalise(noise);
  const sine = Math.sqrt(1 - cosine * cosine);
  const out = new Float32Array(DIMS);
  for (let i = 0; i < DIMS; i++) out[i] = cosine * source[i]! + sine * noise[i]!;
  return out;
}

function linearScan(data: Float32Array, count: number, query: Float32Array): { slot: number; score: number } {
  let best = -1;
  let bestScore = -Infinity;
  for (let slot = 0; slot < count; slot++) {
    const score = dotAt(query, data, slot * DIMS, DIMS);
    if (score > bestScore) {
      bestScore = score;
      best = slot;
    }
  }
  return { slot: best, score: bestScore };
}

const rssMb = () => process.memoryUsage().rss / 2 ** 20;

async function main(): Promise<void> {
  const maxSize = SIZES[SIZES.length - 1]!;
  console.log(`Semantic lookup, ${DIMS} dims, threshold ${THRESHOLD}, one scope (${process.versions.bun ? `Bun ${process.versions.bun}` : `Node ${process.versions.node}`})\n`);
  const startedAt = performance.now();
  const data = new Float32Array(maxSize * DIMS);
  for (let slot = 0; slot < maxSize; slot++) data.set(promptVector(), slot * DIMS);
  console.log(`generated ${maxSize.toLocaleString("en")} vectors in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);

  const rows: string[][] = [];
  for (const size of SIZES) {
    const index = createSemanticIndex({});
    const loadStart = performance.now();
    for (let slot = 0; slot < size; slot++) index.add("scope", `k${slot}`, data.subarray(slot * DIMS, (slot + 1) * DIMS));
    const loadMs = performance.now() - loadStart;

    const indexTimes: number[] = [];
    const scanTimes: number[] = [];
    let agree = 0;
    let matchable = 0;
    let matchableAgree = 0;
    const queries = QUERIES[size]!;
    for (let q = 0; q < queries; q++) {
      // Three in four queries paraphrase a stored prompt; the rest are new prompts.
      const source = Math.floor(uniform() * size);
      const query = q % 4 === 3 ? promptVector() : nearDuplicate(data.subarray(source * DIMS, (source + 1) * DIMS), 0.9 + uniform() * 0.09);
      let t = performance.now();
      const exact = linearScan(data, size, query);
      scanTimes.push(performance.now() - t);
      t = performance.now();
      const [found] = await index.search("scope", query, THRESHOLD, 1);
      indexTimes.push(performance.now() - t);
      const expected = exact.score >= THRESHOLD ? `k${exact.slot}` : undefined;
      if (expected !== undefined) matchable++;
      if (found?.key === expected) {
        agree++;
        if (expected !== undefined) matchableAgree++;
      }
    }
    const fast = summarize(indexTimes);
    const scan = summarize(scanTimes);
    rows.push([
      size.toLocaleString("en"),
      `${fast.p50.toFixed(3)} ms`,
      `${fast.p95.toFixed(3)} ms`,
      `${scan.p50.toFixed(2)} ms`,
      `${scan.p95.toFixed(2)} ms`,
      `${(scan.p50 / fast.p50).toFixed(0)}×`,
      `${((agree / queries) * 100).toFixed(2)}% (${agree}/${queries})`,
      `${matchableAgree}/${matchable}`,
      `${loadMs.toFixed(0)} ms`,
      `${(index.bytes / 2 ** 20).toFixed(0)} MB`,
    ]);
  }
  console.log(
    "\n" +
      table(["vectors", "index p50", "index p95", "scan p50", "scan p95", "speed-up", "recall@1 (all queries)", "matches found", "index build", "index memory"], rows),
  );
  const last = rows[rows.length - 1]!;
  console.log(`\nTarget: p50 ≤ ${TARGET_P50_MS} ms at ${maxSize.toLocaleString("en")} vectors — measured ${last[1]}. Process RSS ${rssMb().toFixed(0)} MB (bench data included).`);
  // The in-memory indexes above are garbage now; collect them so they do not weigh on what follows.
  (globalThis as { Bun?: { gc(force: boolean): void } }).Bun?.gc(true);
  await coldStart(data);
}

/** First search of a new process: the scope's vectors come from a SQLite file. */
async function coldStart(data: Float32Array): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "ecoai-bench-semantic-"));
  const path = join(dir, "cache.db");
  const rows: string[][] = [];
  try {
    const writer = createSqliteStore({ path });
    const startOfDay = Date.now() - 86_400_000;
    let written = 0;
    for (const size of SIZES) {
      for (; written < size; written++) {
        await writer.set({
          key: `k${written}`,
          body: '{"choices":[]}',
          // Written over the past day: a top-up then lists only what is new (nothing, here).
          createdAt: startOfDay + written * 500,
          provider: "openai",
          endpoint: "chat.completions",
          model: "gpt-4o",
          namespace: "",
          prompt: `prompt ${written}`,
          promptType: "text",
          usage: { inputTokens: 10, cachedInputTokens: 0, outputTokens: 10 },
          semantic: { scope: "scope", vector: data.subarray(written * DIMS, (written + 1) * DIMS) },
        });
      }
      const reader = createSqliteStore({ path });
      const index = createSemanticIndex(reader);
      const query = data.slice(0, DIMS);
      let t = performance.now();
      const [first] = await index.search("scope", query, THRESHOLD, 1);
      const firstMs = performance.now() - t;
      const next: number[] = [];
      for (let i = 0; i < 20; i++) {
        t = performance.now();
        await index.search("scope", data.subarray(i * DIMS, (i + 1) * DIMS), THRESHOLD, 1);
        next.push(performance.now() - t);
      }
      const nextMs = summarize(next).p50;
      rows.push([size.toLocaleString("en"), `${firstMs.toFixed(0)} ms`, `${nextMs.toFixed(2)} ms`, first?.key === "k0" ? "yes" : "NO"]);
      await reader.close();
    }
    await writer.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log("\nCold start from a SQLite cache file (new process, first search loads the scope):\n");
  console.log(table(["vectors", "first search", "later searches, p50 (top-up + search)", "found"], rows));
}

await main();
