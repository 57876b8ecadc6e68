/**
 * Small helpers shared by the benchmarks: percentiles over samples, table formatting and the machine's load.
 *
 * @module
 */
import { availableParallelism, loadavg } from "node:os";

/** Summary of a set of samples (same unit as the samples). */
export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

/** The `p`-th percentile (0–100) of `sorted` (ascending), by linear interpolation. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (rank - low);
}

/** p50 / p95 / p99 / mean of `samples` (not modified). */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, x) => sum + x, 0) / (sorted.length || 1);
  return { n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), mean };
}

/** Median of `samples` (not modified). */
export function median(samples: readonly number[]): number {
  return percentile([...samples].sort((a, b) => a - b), 50);
}

/** Microseconds with a sensible number of decimals: `3.42 µs`, `41.7 µs`, `1 234 µs`. */
export function formatMicros(us: number): string {
  if (!Number.isFinite(us)) return "n/a";
  const abs = Math.abs(us);
  const digits = abs < 10 ? 2 : abs < 100 ? 1 : 0;
  return `${us.toFixed(digits)} µs`;
}

/** The 1-minute load average, as the machine reports it (a shared machine skews timings), and its cores. */
export function machineLoad(): string {
  return `1-minute load ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} cores`;
}

/** Milliseconds to microseconds. */
export const toMicros = (ms: number): number => ms * 1000;

/** A ratio such as `3.4×`. */
export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(1)}×` : "n/a";
}

/** A signed percentage such as `+1.3%`. */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return "n/a";
  const pct = fraction * 100;
  return `${pct >= 0 ? "+" : ""}${pct.toFixed(1)}%`;
}

/** A plain-text table: first column left-aligned, the others right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ");
  const rule = widths.map((w) => "─".repeat(w)).join("  ");
  return [line(header), rule, ...rows.map(line)].join("\n");
}
