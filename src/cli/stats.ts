import { parseArgs } from "node:util";
import { co2Equivalences } from "../usage/energy-equivalences.ts";
import { querySummary } from "../usage/queries.ts";
import { openUsageLog, usageDbPath } from "./options.ts";

export const STATS_HELP = `Usage: ecoai stats [options]

Prints the totals of the usage log: calls, cache hits, tokens, dollars and grams of CO₂e saved
with their low–high range (the numbers of eco.summary()).

Options:
  --db PATH          Usage log (default: $ECOAI_DB_PATH or .ecoai/usage.db)
  --json             Print the summary as JSON
  -h, --help         Show this help`;

export async function runStats(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { db: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(STATS_HELP);
    return 0;
  }
  const path = usageDbPath(values.db);
  const db = openUsageLog(path);
  try {
    const s = querySummary(db);
    if (values.json) {
      console.log(JSON.stringify(s, null, 2));
      return 0;
    }
    const int = (n: number) => n.toLocaleString("en-US");
    const rows: [string, string][] = [
      ["Calls", int(s.totalCalls)],
      ["Cache hits", `${int(s.cacheHits)} (${(s.hitRate * 100).toFixed(1)}%): ${int(s.cacheHits - s.semanticHits)} exact, ${int(s.semanticHits)} semantic`],
      ["Cache misses", int(s.cacheMisses)],
      ["Tokens saved", int(s.tokensSaved)],
      ["Cost saved", `$${s.costSavedUsd.toFixed(4)}`],
      ["CO₂e saved", `${s.co2SavedG.toFixed(3)} g, central estimate (≈ ${co2Equivalences(s.co2SavedG).carKm.toFixed(3)} km by car)`],
      ["  range", `${s.footprint.co2eSavedG.low.toFixed(3)}–${s.footprint.co2eSavedG.high.toFixed(3)} g; energy ${s.footprint.energySavedWh.central.toFixed(2)} Wh (${s.footprint.energySavedWh.low.toFixed(2)}–${s.footprint.energySavedWh.high.toFixed(2)})`],
      ...(s.unpricedCalls > 0 ? ([["Unpriced", `${int(s.unpricedCalls)} calls of ${s.unpricedModels.join(", ")}: no list price, left out of dollars`]] as [string, string][]) : []),
      ...(s.footprint.callsUnderEarlierMethods > 0 ? ([["Earlier method", `${int(s.footprint.callsUnderEarlierMethods)} calls computed by an earlier method (no range); run "ecoai recompute"`]] as [string, string][]) : []),
    ];
    console.log(`Usage log: ${path}\n`);
    for (const [label, value] of rows) console.log(`  ${label.padEnd(14)}${value}`);
    return 0;
  } finally {
    db.close();
  }
}
