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
