import { DASHBOARD_HELP } from "../../src/cli/dashboard.ts";
import { DEMO_HELP } from "../../src/cli/demo.ts";
import { FLUSH_HELP } from "../../src/cli/flush.ts";
import { PRUNE_HELP } from "../../src/cli/prune.ts";
import { SIMULATE_HELP } from "../../src/cli/simulate.ts";
import { STATS_HELP } from "../../src/cli/stats.ts";

/** Every command's --help text, by command name. */
export const HELP: Record<string, string> = {
  demo: DEMO_HELP,
  dashboard: DASHBOARD_HELP,
  stats: STATS_HELP,
  flush: FLUSH_HELP,
  prune: PRUNE_HELP,
  simulate: SIMULATE_HELP,
};
