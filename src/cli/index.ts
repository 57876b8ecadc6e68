#!/usr/bin/env node
/**
 * The `ecoai` command: one file per command in this folder, dispatched here.
 * @module
 */
import { EcoAIConfigError, errorMessage } from "../errors.ts";
import { runCalibrate } from "./calibrate.ts";
import { runDashboard } from "./dashboard.ts";
import { runDemo } from "./demo.ts";
import { runFlush } from "./flush.ts";
import { CliUsageError } from "./options.ts";
import { runPrune } from "./prune.ts";
import { runStats } from "./stats.ts";

const COMMANDS: Record<string, { summary: string; run: (args: string[]) => Promise<number> }> = {
  dashboard: { summary: "Serve the local dashboard (overview, prompts, settings) over the usage log", run: runDashboard },
  stats: { summary: "Print the usage log's totals: calls, hits, tokens, $ and g CO₂ saved", run: runStats },
  flush: { summary: "Remove cache entries, all or by --model / --pattern", run: runFlush },
  prune: { summary: "Delete usage-log rows older than a duration (--older-than 30d)", run: runPrune },
  calibrate: { summary: "Measure semantic caching with your embeddings: hit rate, precision, wrong answers per threshold", run: runCalibrate },
  demo: { summary: "Play a short cached session against a local simulator (offline) and print what it saved", run: runDemo },
};

export const MAIN_HELP = `Usage: ecoai <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`)
  .join("\n")}

Run "ecoai <command> --help" for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(MAIN_HELP);
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`ecoai: unknown command "${name}"\n\n${MAIN_HELP}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    // parseArgs rejects unknown or malformed options with a code; say so plainly instead of a stack trace.
    if (error instanceof CliUsageError || String((error as { code?: unknown }).code ?? "").startsWith("ERR_PARSE_ARGS")) {
      console.error(`ecoai ${name}: ${(error as Error).message}\nRun "ecoai ${name} --help" for its options.`);
      return 2;
    }
    if (error instanceof EcoAIConfigError) {
      console.error(`ecoai ${name}: ${errorMessage(error)}`);
      return 2;
    }
    // A missing file, a dead Redis: the message says it; a stack trace would only bury it.
    console.error(`ecoai ${name}: ${errorMessage(error)}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
