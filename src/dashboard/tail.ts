/**
 * The rows written since the last fold (the tail), added up for one request in the shapes of the
 * period tables: a request reads a table joined with its tail, so it answers exactly while the
 * fold waits until after the response. The tail is found by rowid, so reading it costs its rows
 * alone.
 * @module
 */
import type { SqlValue } from "../sqlite/database.ts";
import { GRAINS, SUM_NAMES, SUM_SELECT, type Grain } from "./rollup-schema.ts";

/** Usage rows `after < id ≤ upTo`: written, not yet folded into the tables. */
export interface Tail {
  after: number;
  upTo: number;
}

/** No tail: the tables hold every row. */
export const NO_TAIL: Tail = { after: 0, upTo: 0 };

/** The period tables a request reads: sums per provider, model and namespace; counts per type too; counts per type alone. */
export type PeriodTable = "sums" | "types" | "all_types";

const COUNTS = "count(*), sum(cache_hit), sum(semantic_hit)";
const SHAPES: Record<PeriodTable, { prefix: string; columns: string; select: string; groups: number }> = {
  sums: { prefix: "", columns: `period, provider, model, namespace, ${SUM_NAMES.join(", ")}`, select: `provider, model, namespace, ${SUM_SELECT}`, groups: 4 },
  types: { prefix: "types_", columns: "period, provider, model, namespace, prompt_type, calls, hits, semantic_hits", select: `provider, model, namespace, prompt_type, ${COUNTS}`, groups: 5 },
  all_types: { prefix: "all_types_", columns: "period, prompt_type, calls, hits, semantic_hits", select: `prompt_type, ${COUNTS}`, groups: 2 },
};

/**
 * What to read FROM for a period table of a grain: the table itself when the tail is empty, or
 * the table and the tail added up the same way (parameters first in the statement's).
 */
export function tailed(table: PeriodTable, grain: Grain, tail: Tail): { from: string; params: SqlValue[] } {
  const { suffix, period } = GRAINS[grain];
  const shape = SHAPES[table];
  const name = `ecoai_dashboard_${shape.prefix}${suffix}`;
  if (tail.upTo <= tail.after) return { from: name, params: [] };
  const groups = Array.from({ length: shape.groups }, (_, i) => i + 1).join(", ");
  return {
    from: `(SELECT ${shape.columns} FROM ${name} UNION ALL SELECT ${period}, ${shape.select} FROM usage_log WHERE id > ? AND id <= ? GROUP BY ${groups})`,
    params: [tail.after, tail.upTo],
  };
}
