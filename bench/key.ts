/**
 * The cost of keying a request, against a baseline measured in the same run: SHA-256 of
 * `JSON.stringify(request)`, the least any key of the bytes sent can cost. `hashCacheKey` sorts
 * keys at every depth, applies `toJSON`, unboxes primitives and hashes binary data; the ratio says
 * what that costs per body shape, from a small chat request to many small objects and large
 * strings.
 *
 * Run: `bun bench/key.ts`. Prints; asserts nothing.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { hashCacheKey } from "../src/cache/key.ts";
import { formatMicros, formatRatio, table, toMicros } from "./stats.ts";

const ROUNDS = 25;
/** Wall time each measurement of one variant aims for. */
const TARGET_MS = 40;
const WARMUP_MS = 300;

const words = (count: number, seed: number) => Array.from({ length: count }, (_, i) => `word${(i * 7919 + seed) % 1000}`).join(" ");
const chat = (turns: number, wordsPerTurn: number) => ({
  model: "gpt-4o-mini",
  temperature: 0.2,
  messages: Array.from({ length: turns }, (_, i) => ({ role: i % 2 === 0 ? "user" : "assistant", content: words(wordsPerTurn, i) })),
});

const BODIES: [string, unknown][] = [
  ["small chat (2 turns, ~1 KB)", chat(2, 60)],
  ["multi-turn chat (40 turns, ~30 KB)", chat(40, 100)],
  ["many small objects (5,000 turns, ~400 KB)", chat(5_000, 8)],
  ["one 1 MB prompt", { model: "gpt-4o-mini", messages: [{ role: "user", content: "x".repeat(1 << 20) }] }],
  ["tool schema (200 nested properties)", { model: "gpt-4o", messages: chat(2, 20).messages, tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`p${i}`, { type: "object", properties: { a: { type: "string" }, b: { type: "number", minimum: i } } }])) } } }] }],
];

const baseline = (body: unknown) => createHash("sha256").update(JSON.stringify(body)).digest("hex");
const keyed = (body: unknown) => hashCacheKey({ provider: "openai", endpoint: "chat.completions", baseURL: "https://api.openai.com/v1", params: body });

/** Microseconds per call of `run(body)` over `iterations` calls. */
function perCall(run: (body: unknown) => string, body: unknown, iterations: number): number {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) run(body);
  return toMicros((performance.now() - start) / iterations);
}

const rows: string[][] = [];
for (const [name, body] of BODIES) {
  // Warm both up (JIT), then size a measurement to take about TARGET_MS.
  for (const started = performance.now(); performance.now() - started < WARMUP_MS; ) {
    baseline(body);
    keyed(body);
  }
  const probe = perCall(keyed, body, 3);
  const iterations = Math.max(3, Math.round((TARGET_MS * 1000) / Math.max(probe, 0.1)));
  const base: number[] = [];
  const key: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    base.push(perCall(baseline, body, iterations));
    key.push(perCall(keyed, body, iterations));
  }
  // The fastest round is the one least disturbed by other processes.
  const b = Math.min(...base);
  const k = Math.min(...key);
  rows.push([name, formatMicros(b), formatMicros(k), formatRatio(k / b)]);
}

console.log(`Keying cost per request: fastest of ${ROUNDS} interleaved rounds\n`);
console.log(table(["body", "sha256(JSON.stringify)", "hashCacheKey", "ratio"], rows));
