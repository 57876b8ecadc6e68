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

/**
 * How verified mode compares with thresholds at the same error: the most true repeats any
 * threshold setting measured in the same run serves (with or without guards) while giving at most
 * the verified setting's share of wrong answers. 0 when no threshold gets that low.
 */
export function thresholdRecallAtError(verified: Outcome, thresholds: readonly Outcome[]): number {
  const error = verified.wrong / Math.max(1, verified.queries);
  let best = 0;
  for (const outcome of thresholds) {
    if (outcome.wrong / Math.max(1, outcome.queries) <= error) best = Math.max(best, outcome.correct / Math.max(1, outcome.repeats));
  }
  return best;
}

/** One line on a verified setting: its bound, what it served beside the best threshold at its error, and its verification calls. */
export function verifiedNote(label: string, bound: number, verified: Outcome, thresholds: readonly Outcome[]): string {
  const error = verified.wrong / Math.max(1, verified.queries);
  const recall = verified.correct / Math.max(1, verified.repeats);
  const best = thresholdRecallAtError(verified, thresholds);
  const versus = best === 0 ? "no threshold measured gets its error that low" : `the best threshold at that error serves ${percent(best)} (${(recall / best).toFixed(1)}×)`;
  return `${label}: ${percent(error, 2)} wrong per query (${error <= bound ? "within" : "OVER"} the bound ${percent(bound, 0)}), ${percent(recall)} of true repeats served; ${versus}; ${verified.checked ?? 0} verification calls (${percent((verified.checked ?? 0) / Math.max(1, verified.queries))} of queries)`;
}
