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

export const COMMANDS: Record<string, Command> = {
  demo: {
    summary: "Play a short cached session against the local simulator (offline) and print what it saved",
    load: async () => {
      const { DEMO_HELP, runDemo } = await import("./demo.ts");
      return { help: DEMO_HELP, run: runDemo };
    },
  },
  dashboard: {
    summary: "Serve the local dashboard (overview, prompts, settings) over the usage log",
    load: async () => {
      const { DASHBOARD_HELP, runDashboard } = await import("./dashboard.ts");
      return { help: DASHBOARD_HELP, run: runDashboard };
    },
  },
  stats: {
    summary: "Print the usage log's totals: calls, hits, tokens, $ and g CO₂ saved",
    load: async () => {
      const { STATS_HELP, runStats } = await import("./stats.ts");
      return { help: STATS_HELP, run: runStats };
    },
  },
  flush: {
    summary: "Remove cache entries: --all, or by --model / --pattern / --namespace",
    load: async () => {
      const { FLUSH_HELP, runFlush } = await import("./flush.ts");
      return { help: FLUSH_HELP, run: runFlush };
    },
  },
  prune: {
    summary: "Delete usage-log rows older than a duration (--older-than 30d)",
    load: async () => {
      const { PRUNE_HELP, runPrune } = await import("./prune.ts");
      return { help: PRUNE_HELP, run: runPrune };
    },
  },
  simulate: {
    summary: "Serve the local simulator of the OpenAI, Anthropic and Gemini APIs, to try ecoai offline",
    load: async () => {
      const { SIMULATE_HELP, runSimulate } = await import("./simulate.ts");
      return { help: SIMULATE_HELP, run: runSimulate };
    },
  },
};
