import { parseArgs } from "node:util";
import { resetRollup } from "../dashboard/rollup.ts";
import { CliUsageError, describeDuration, openUsageLog, parseDuration, usageDbPath } from "./options.ts";

export const PRUNE_HELP = `Usage: ecoai prune --older-than DURATION [options]

Deletes usage-log rows older than DURATION and prints how many, with the cut-off date. Units:
min, h, d, w (or minutes, hours, days, weeks): 90min, 12h, 30d, 2w. "m", months and years
are refused as ambiguous. The cache itself is untouched (see "ecoai flush").

Options:
  --older-than D     Required: age of the rows to delete, e.g. 30d
  --db PATH          Usage log (default: $ECOAI_DB_PATH or .ecoai/usage.db)
  -h, --help         Show this help`;

export async function runPrune(args: string[], now: () => number = Date.now): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { "older-than": { type: "string" }, db: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(PRUNE_HELP);
    return 0;
  }
  if (values["older-than"] === undefined) throw new CliUsageError("--older-than is required, e.g. --older-than 30d");
  const age = parseDuration(values["older-than"], "--older-than");
  const cutoff = new Date(now() - age).toISOString();
  const path = usageDbPath(values.db);
  const db = openUsageLog(path);
  try {
    const deleted = db.transaction(() => db.prepare("DELETE FROM usage_log WHERE timestamp < ?").run(cutoff));
    // The dashboard's aggregates counted those rows: have them rebuilt on its next request.
    if (deleted > 0) resetRollup(db);
    console.log(`Deleted ${deleted} usage row${deleted === 1 ? "" : "s"} older than ${describeDuration(age)}, logged before ${cutoff}, from ${path}.`);
    return 0;
  } finally {
    db.close();
  }
}
