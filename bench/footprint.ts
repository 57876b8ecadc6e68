/**
 * Time per call of the current method's lookups against methodology 1's `savingsFor` (what each
 * usage row costs today), measured in the same run: `costOfCall` (price lookup and cost) and
 * `footprintOfCall` (energy ranges, CO₂e, cost, equivalences), for a short chat on a known model,
 * a long-context call on a dated snapshot id, and a model no table knows (the longest scan).
 *
 * Run: `bun bench/footprint.ts`. Prints; asserts nothing.
 *
 * @module
 */
import { footprintOfCall } from "../src/usage/energy-footprint.ts";
import { costOfCall, savingsFor, type CallUsage } from "../src/usage/pricing.ts";
import { formatMicros, formatRatio, median, table } from "./stats.ts";

const ROUNDS = 15;
const BATCH = 2_000;
const WARMUP = 5_000;

const CASES: { name: string; model: string; usage: CallUsage }[] = [
  { name: "short chat, gpt-4o", model: "gpt-4o", usage: { inputTokens: 100, cachedInputTokens: 0, outputTokens: 300 } },
  { name: "long context, claude-sonnet-4-5-20250929", model: "claude-sonnet-4-5-20250929", usage: { inputTokens: 100_000, cachedInputTokens: 80_000, cacheWriteInputTokens: 5_000, outputTokens: 500 } },
  { name: "unknown model", model: "acme-llm-7b-chat", usage: { inputTokens: 1_000, cachedInputTokens: 0, outputTokens: 300 } },
];

/** Median µs per call of `f` over interleaved rounds. */
function perCall(f: () => unknown): number {
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (let i = 0; i < BATCH; i++) f();
    samples.push(((performance.now() - start) * 1000) / BATCH);
  }
  return median(samples);
}

let sink = 0;
const rows: string[][] = [];
for (const c of CASES) {
  const at = "2026-11-29";
  const variants = {
    "savingsFor (v1)": () => (sink += savingsFor(c.model, c.usage).costSavedUsd),
    costOfCall: () => (sink += costOfCall(c.model, c.usage, { at }).usd ?? 0),
    footprintOfCall: () => (sink += footprintOfCall({ model: c.model, usage: c.usage }, { at }).energyWh.central),
  };
  for (const f of Object.values(variants)) for (let i = 0; i < WARMUP; i++) f();
  const times = Object.fromEntries(Object.entries(variants).map(([name, f]) => [name, perCall(f)]));
  const base = times["savingsFor (v1)"]!;
  for (const [name, us] of Object.entries(times)) rows.push([c.name, name, formatMicros(us), formatRatio(us / base)]);
}
console.log(table(["call", "function", "median per call", "× savingsFor"], rows));
if (Number.isNaN(sink)) console.log("(unreachable)");
