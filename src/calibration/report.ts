/**
 * The benchmark's table: one row per setting, the rates a user weighs before turning semantic
 * caching on.
 * @module
 */
import { wilsonInterval, type Outcome } from "./measure.ts";

export const REPORT_HEADER = ["setting", "queries", "true repeats", "hit rate", "precision", "wrong answers / query (95% CI)", "recall on repeats"] as const;

const percent = (fraction: number, digits = 1) => `${(fraction * 100).toFixed(digits)}%`;

/** One row of the table. */
export function reportRow(setting: string, outcome: Outcome): string[] {
  const [low, high] = wilsonInterval(outcome.wrong, outcome.queries);
  return [
    setting,
    String(outcome.queries),
    String(outcome.repeats),
    percent(outcome.hits / Math.max(1, outcome.queries)),
    outcome.hits === 0 ? "–" : percent(outcome.correct / outcome.hits),
    `${percent(outcome.wrong / Math.max(1, outcome.queries), 2)} (${percent(low, 2)}–${percent(high, 2)})`,
    percent(outcome.correct / Math.max(1, outcome.repeats)),
  ];
}

/** Columns padded to their widest cell, as a text table. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

/** What thresholds of one kind serve at an error rate: the best recall within it, else the lowest-error setting's. */
export interface ThresholdComparison {
  /** Recall of the best threshold setting whose wrong-answer rate is within `error`; undefined when none is. */
  recall?: number;
  /** When none is within it: the lowest wrong-answer rate measured, and that setting's recall. */
  lowest?: { error: number; recall: number };
}

/**
 * The most true repeats a threshold setting of the same run serves while giving at most `error`
 * wrong answers per query; when none gets that low, the setting that gets lowest.
 */
export function thresholdsAtError(error: number, thresholds: readonly Outcome[]): ThresholdComparison {
  let recall: number | undefined;
  let lowest: { error: number; recall: number } | undefined;
  for (const outcome of thresholds) {
    const rate = outcome.wrong / Math.max(1, outcome.queries);
    const served = outcome.correct / Math.max(1, outcome.repeats);
    if (rate <= error) recall = Math.max(recall ?? 0, served);
    if (!lowest || rate < lowest.error || (rate === lowest.error && served > lowest.recall)) lowest = { error: rate, recall: served };
  }
  return recall === undefined ? { lowest } : { recall };
}

function comparison(kind: string, recall: number, error: number, thresholds: readonly Outcome[]): string {
  const found = thresholdsAtError(error, thresholds);
  if (found.recall !== undefined) return `${kind} at that error serve ${percent(found.recall)}${found.recall > 0 ? ` (${(recall / found.recall).toFixed(1)}×)` : ""}`;
  if (found.lowest) return `no ${kind} gets that low (the lowest, ${percent(found.lowest.error, 2)} wrong, serves ${percent(found.lowest.recall)})`;
  return `no ${kind} measured`;
}

/**
 * One line on a verified setting: its error against its bound, what it served beside plain
 * thresholds and thresholds with guards at the same error, and its verification calls.
 */
export function verifiedNote(label: string, bound: number, verified: Outcome, plain: readonly Outcome[], guarded: readonly Outcome[]): string {
  const error = verified.wrong / Math.max(1, verified.queries);
  const recall = verified.correct / Math.max(1, verified.repeats);
  return [
    `${label}: ${percent(error, 2)} wrong per query (${error <= bound ? "within" : "OVER"} the bound ${percent(bound, 0)}), ${percent(recall)} of true repeats served`,
    comparison("plain thresholds", recall, error, plain),
    comparison("thresholds with guards", recall, error, guarded),
    `${verified.checked ?? 0} verification calls (${percent((verified.checked ?? 0) / Math.max(1, verified.queries))} of queries)`,
  ].join("; ");
}
