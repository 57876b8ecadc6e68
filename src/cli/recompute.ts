import { parseArgs } from "node:util";
import { resetRollup } from "../dashboard/rollup.ts";
import { EcoAIConfigError } from "../errors.ts";
import { loadSettings } from "../settings.ts";
import { gridIntensity } from "../usage/energy-grid.ts";
import { FOOTPRINT_ENV, resolveFootprint, validFootprintOption, type FootprintOption } from "../usage/footprint-config.ts";
import { METHODOLOGY_VERSION } from "../usage/methodology.ts";
import { recomputeLog, type RecomputeReport } from "../usage/recompute.ts";
import { CliUsageError, openUsageLog, settingsPathFor, usageDbPath } from "./options.ts";

export const RECOMPUTE_HELP = `Usage: ecoai recompute [options]

Recomputes the usage log's dollars, energy and CO₂e under the current savings method
(version ${METHODOLOGY_VERSION}) from the token counts each row recorded, and prints what changed:
rows per earlier method, and dollars saved, dollars spent and grams of CO₂e saved before and
after. Token counts, timestamps and prompts are never changed. Rows written by an earlier method
keep their values until this runs; a row priced by a \`pricing\` option (which the log does not
record) keeps its dollars and has only its energy and CO₂e recomputed.

The grid intensity is --grid-intensity or --grid-region, else ${FOOTPRINT_ENV.gridIntensityGPerKwh} /
${FOOTPRINT_ENV.gridRegion}, else the settings file beside the log, else the 2024 world average.

Options:
  --dry-run              Print what would change; write nothing
  --only-earlier         Only rows an earlier method computed (default: every row, so a new
                         grid intensity or price table applies to all of them)
  --grid-intensity G     Grid carbon intensity, g CO₂e per kWh (e.g. 56)
  --grid-region CODE     A country's grid (ISO 3166-1 alpha-3, e.g. FRA), or "provider"
  --embodied             Include the hardware's embodied emissions
  --db PATH              Usage log (default: $ECOAI_DB_PATH or .ecoai/usage.db)
  --settings PATH        Settings file (default: settings.json beside the usage log)
  --json                 Print the report as JSON
  -h, --help             Show this help`;

function describe(report: RecomputeReport, path: string, grid: string): string {
  const money = (usd: number) => `$${usd.toFixed(6)}`;
  const grams = (g: number) => `${g.toFixed(4)} g`;
  const line = (label: string, before: string, after: string) => `  ${label.padEnd(22)}${before.padStart(16)}  →  ${after}`;
  const earlier = Object.entries(report.byEarlierVersion).map(([version, rows]) => `${rows.toLocaleString("en-US")} by method ${version}`);
  return [
    `${report.dryRun ? "Dry run: nothing written. " : ""}Usage log: ${path}`,
    `Method ${report.methodologyVersion}, grid ${grid}.`,
    `${report.rows.toLocaleString("en-US")} rows looked at${earlier.length ? ` (${earlier.join(", ")})` : ""}; ${report.changed.toLocaleString("en-US")} ${report.dryRun ? "would change" : "changed"}.`,
    ...(report.keptPrices > 0 ? [`${report.keptPrices.toLocaleString("en-US")} rows of models the price table does not know kept the dollars they were written with.`] : []),
    "",
    line("", "before", "after"),
    line("Dollars saved (net)", money(report.before.costSavedUsd), money(report.after.costSavedUsd)),
    line("Dollars spent", money(report.before.spentUsd), money(report.after.spentUsd)),
    line("CO₂e saved (central)", grams(report.before.co2SavedG), grams(report.after.co2SavedG)),
    line("Calls without a price", String(report.before.unpricedCalls), String(report.after.unpricedCalls)),
  ].join("\n");
}

export async function runRecompute(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      "dry-run": { type: "boolean" },
      "only-earlier": { type: "boolean" },
      "grid-intensity": { type: "string" },
      "grid-region": { type: "string" },
      embodied: { type: "boolean" },
      db: { type: "string" },
      settings: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(RECOMPUTE_HELP);
    return 0;
  }
  const path = usageDbPath(values.db);
  const settingsPath = settingsPathFor(path, values.settings);
  const flag = <K extends FootprintOption>(name: string, option: K, raw: string | undefined) => {
    if (raw === undefined) return undefined;
    try {
      return validFootprintOption(option, raw, "constructor option", true);
    } catch (error) {
      if (error instanceof EcoAIConfigError) throw new CliUsageError(`${name} ${JSON.stringify(raw)}: ${error.expected}`);
      throw error;
    }
  };
  // Flags win over ECOAI_* variables, which win over the settings file.
  const flags = { gridIntensityGPerKwh: flag("--grid-intensity", "gridIntensityGPerKwh", values["grid-intensity"]), gridRegion: flag("--grid-region", "gridRegion", values["grid-region"]), embodiedEmissions: values.embodied ? true : undefined };
  const footprint = resolveFootprint(flags, process.env, loadSettings(settingsPath).settings ?? {}, settingsPath).config;
  const db = openUsageLog(path);
  try {
    const report = recomputeLog(db, { footprint, dryRun: values["dry-run"] === true, onlyEarlier: values["only-earlier"] === true });
    // The dashboard's aggregates summed the old values: have them rebuilt on its next request.
    if (!report.dryRun && report.changed > 0) resetRollup(db);
    const grid = gridIntensity(footprint, "openai");
    const gridText = `${grid.gPerKwh} g CO₂e/kWh (${grid.basis}${grid.region && grid.basis !== "world-average" ? ` ${grid.region}` : ""})`;
    console.log(values.json ? JSON.stringify({ path, grid, ...report }, null, 2) : describe(report, path, gridText));
    return 0;
  } finally {
    db.close();
  }
}
