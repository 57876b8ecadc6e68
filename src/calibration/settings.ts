/**
 * The settings the benchmark compares for one embedder: plain thresholds, the same thresholds
 * with every guard, at the chosen threshold every guard but one (what each guard costs in hits
 * and what it saves in wrong answers), and verified mode at two error bounds.
 * @module
 */
import { GUARD_NAMES } from "../cache/semantic-guards.ts";
import { DEFAULTS } from "../config.ts";
import type { SemanticConfig } from "../types.ts";

export interface BenchSetting {
  label: string;
  semantic: SemanticConfig;
}

/** Error bounds verified mode is measured at. */
export const VERIFIED_BOUNDS = [0.02, 0.05];

export const SWEEP_THRESHOLDS = [0.8, 0.85, 0.88, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98];

/** Settings of one embedder, given by `base` (its `embedFn` or `embedder`); `threshold` is its default. */
export function benchSettings(base: SemanticConfig, threshold: number, thresholds = SWEEP_THRESHOLDS): BenchSetting[] {
  const settings: BenchSetting[] = [];
  for (const t of thresholds) settings.push({ label: `threshold ${t.toFixed(2)}, no guards`, semantic: { ...base, threshold: t, guards: false } });
  for (const t of thresholds) settings.push({ label: `threshold ${t.toFixed(2)}, guards`, semantic: { ...base, threshold: t, guards: true } });
  for (const guard of GUARD_NAMES) {
    settings.push({ label: `threshold ${threshold.toFixed(2)}, guards but ${guard}`, semantic: { ...base, threshold, guards: { [guard]: false } } });
  }
  for (const bound of VERIFIED_BOUNDS) {
    settings.push({ label: `verified, maxErrorRate ${bound}`, semantic: { ...base, maxErrorRate: bound, threshold: Math.round((threshold - DEFAULTS.verifiedThresholdDrop) * 100) / 100 } });
  }
  return settings;
}

/** A verified setting's label. */
export function isVerified(setting: BenchSetting): boolean {
  return setting.semantic.maxErrorRate !== undefined;
}

/** An `embedFn` that embeds each distinct text once: the benchmark asks the same questions under many settings. */
export function memoised(embed: (text: string) => Promise<ArrayLike<number>>): (text: string) => Promise<Float32Array> {
  const vectors = new Map<string, Promise<Float32Array>>();
  return (text) => {
    let vector = vectors.get(text);
    if (!vector) vectors.set(text, (vector = embed(text).then((values) => Float32Array.from(values))));
    return vector;
  };
}
