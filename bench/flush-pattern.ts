/**
 * The cost of matching one prompt against a flush pattern, against picomatch's own matcher in the
 * same run: a plain pattern, and patterns whose picomatch expression backtracks exponentially
 * (picomatch is timed on prompts short enough to finish; ecoai on those and on 200 characters,
 * the most a stored prompt holds).
 *
 * Run: `bun bench/flush-pattern.ts`. Prints; asserts nothing.
 *
 * @module
 */
import picomatch from "picomatch";
import { promptMatcher } from "../src/cache/prompt-pattern.ts";
import { table } from "./stats.ts";

/** Microseconds per call of `match(prompt)`, over enough calls to last about 50 ms. */
function microsPerMatch(match: (prompt: string) => boolean, prompt: string): number {
  let calls = 1;
  for (;;) {
    const started = performance.now();
    for (let i = 0; i < calls; i++) match(prompt);
    const elapsed = performance.now() - started;
    if (elapsed > 50 || calls > 1e6) return (elapsed * 1000) / calls;
    calls *= 4;
  }
}

/** picomatch's matcher, on the prompt read on one line as ecoai reads it. */
const picomatchOf = (pattern: string) => {
  const match = picomatch(pattern, { nocase: true, dot: true, bash: true });
  return (prompt: string) => match(prompt.replace(/\s+/g, " "));
};
const us = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(1)} ms` : `${value.toFixed(2)} µs`);
const rows: string[][] = [];
for (const [pattern, prompts] of [
  ["*refund*", ["where is my refund for order 1234", `${"please ".repeat(24)}refund`]],
  ["*a*a*a*a*a*a*a*a*a*a*b", ["a".repeat(20), "a".repeat(24), "a".repeat(28), "a".repeat(200)]],
  ["*?*?*?*?*?*?*?*?*?*?*b", ["a".repeat(20), "a".repeat(24), "a".repeat(200)]],
] as const) {
  const ours = promptMatcher(pattern);
  const theirs = picomatchOf(pattern);
  for (const prompt of prompts) {
    const ecoai = microsPerMatch(ours, prompt);
    // picomatch on the backtracking patterns and 200 characters would not finish.
    const baseline = pattern === "*refund*" || prompt.length <= 40 ? microsPerMatch(theirs, prompt) : Number.NaN;
    rows.push([pattern, String(prompt.length), us(ecoai), Number.isNaN(baseline) ? "(does not finish)" : us(baseline), Number.isNaN(baseline) ? "" : `${(baseline / ecoai).toFixed(1)}×`]);
  }
}
console.log(table(["pattern", "prompt chars", "ecoai", "picomatch", "picomatch / ecoai"], rows));
