/**
 * The commands of `ecoai`, each in its own file and loaded only when run, so `--help` and
 * `--version` answer at once.
 *
 * @module
 */

/** One command: its file's help text and entry point. */
export interface LoadedCommand {
  help: string;
  run(args: string[]): Promise<number>;
}

export interface Command {
  summary: string;
  load(): Promise<LoadedCommand>;
}

/** A command whose file `load` imports; `pick` names its help text and entry point. */
function lazy<M>(summary: string, load: () => Promise<M>, pick: (module: M) => LoadedCommand): Command {
  return { summary, load: async () => pick(await load()) };
}

export const COMMANDS: Record<string, Command> = {
  demo: lazy("Play a short cached session against the local simulator (offline) and print what it saved", () => import("./demo.ts"), (m) => ({ help: m.DEMO_HELP, run: m.runDemo })),
  dashboard: lazy("Serve the local dashboard (overview, prompts, settings) over the usage log", () => import("./dashboard.ts"), (m) => ({ help: m.DASHBOARD_HELP, run: m.runDashboard })),
  stats: lazy("Print the usage log's totals: calls, hits, tokens, $ and g CO₂ saved", () => import("./stats.ts"), (m) => ({ help: m.STATS_HELP, run: m.runStats })),
  flush: lazy("Remove cache entries: --all, or by --model / --pattern / --namespace", () => import("./flush.ts"), (m) => ({ help: m.FLUSH_HELP, run: m.runFlush })),
  prune: lazy("Delete usage-log rows older than a duration (--older-than 30d)", () => import("./prune.ts"), (m) => ({ help: m.PRUNE_HELP, run: m.runPrune })),
  recompute: lazy("Recompute the usage log's dollars, energy and CO₂e under the current savings method (--dry-run first)", () => import("./recompute.ts"), (m) => ({ help: m.RECOMPUTE_HELP, run: m.runRecompute })),
  calibrate: lazy("Measure semantic caching with your embeddings: hit rate, precision, wrong answers per threshold", () => import("./calibrate.ts"), (m) => ({ help: m.CALIBRATE_HELP, run: m.runCalibrate })),
  simulate: lazy("Serve the local simulator of the OpenAI, Anthropic and Gemini APIs, to try ecoai offline", () => import("./simulate.ts"), (m) => ({ help: m.SIMULATE_HELP, run: m.runSimulate })),
};
