/**
 * The rows written since the last fold (the tail), added up for one request in the shapes of the
 * period tables: a request reads a table joined with its tail, so it answers exactly while the
 * fold waits until after the response. The tail is found by rowid, so reading it costs its rows
 * alone.
 * @module
 */
import type { SqlValue } from "../sqlite/database.ts";
import { GRAINS, SUM_EXPRESSIONS, SUM_NAMES, type Grain } from "./rollup-schema.ts";

/** Usage rows `after < id ≤ upTo`: written, not yet folded into the tables. */
export interface Tail {
  after: number;
  upTo: number;
}

/** No tail: the tables hold every row. */
export const NO_TAIL: Tail = { after: 0, upTo: 0 };

/** The period tables a request reads: sums per provider, model and namespace; counts per type too; counts per type alone. */
export type PeriodTable = "sums" | "types" | "all_types";

const COUNTS = ["count(*)", "sum(cache_hit)", "sum(semantic_hit)"];
/** Each table's columns after its period, and what each is of a usage row, added up. */
const SHAPES: Record<PeriodTable, { prefix: string; columns: string[]; sums: string[] }> = {
  sums: { prefix: "", columns: ["provider", "model", "namespace", ...SUM_NAMES], sums: ["provider", "model", "namespace", ...SUM_EXPRESSIONS] },
  types: { prefix: "types_", columns: ["provider", "model", "namespace", "prompt_type", "calls", "hits", "semantic_hits"], sums: ["provider", "model", "namespace", "prompt_type", ...COUNTS] },
  all_types: { prefix: "all_types_", columns: ["prompt_type", "calls", "hits", "semantic_hits"], sums: ["prompt_type", ...COUNTS] },
};

/** The tail's rows added up as a table of the shape holds them, its columns named alike. */
function tailSelect(table: PeriodTable, grain: Grain): string {
  const { columns, sums } = SHAPES[table];
  const groups = columns.filter((_, i) => sums[i] === columns[i]).length + 1;
  const select = columns.map((column, i) => (sums[i] === column ? column : `${sums[i]} AS ${column}`)).join(", ");
  return `SELECT ${GRAINS[grain].period} AS period, ${select} FROM usage_log WHERE id > ? AND id <= ? GROUP BY ${Array.from({ length: groups }, (_, i) => i + 1).join(", ")}`;
}

/** The name of a period table of a grain. */
export function tableOf(table: PeriodTable, grain: Grain): string {
  return `ecoai_dashboard_${SHAPES[table].prefix}${GRAINS[grain].suffix}`;
}

/** The tail's rows added up as a period table of a grain holds them, to read FROM (with its parameters). */
export function tailOnly(table: PeriodTable, grain: Grain, tail: Tail): { from: string; params: SqlValue[] } {
  return { from: `(${tailSelect(table, grain)})`, params: [tail.after, tail.upTo] };
}

/**
 * What to read FROM for a period table of a grain: the table itself when the tail is empty, or
 * the table and the tail added up the same way (parameters first in the statement's).
 */
export function tailed(table: PeriodTable, grain: Grain, tail: Tail): { from: string; params: SqlValue[] } {
  const name = tableOf(table, grain);
  if (tail.upTo <= tail.after) return { from: name, params: [] };
  return { from: `(SELECT period, ${SHAPES[table].columns.join(", ")} FROM ${name} UNION ALL ${tailSelect(table, grain)})`, params: [tail.after, tail.upTo] };
}
