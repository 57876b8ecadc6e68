import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DASHBOARD_HELP } from "../../src/cli/dashboard.ts";
import { DEMO_HELP } from "../../src/cli/demo.ts";
import { FLUSH_HELP } from "../../src/cli/flush.ts";
import { PRUNE_HELP } from "../../src/cli/prune.ts";
import { STATS_HELP } from "../../src/cli/stats.ts";
import { CALIBRATE_HELP } from "../../src/cli/calibrate.ts";

const README = readFileSync(join(import.meta.dir, "..", "..", "README.md"), "utf8");
const HELP: Record<string, string> = { dashboard: DASHBOARD_HELP, stats: STATS_HELP, flush: FLUSH_HELP, prune: PRUNE_HELP, demo: DEMO_HELP, calibrate: CALIBRATE_HELP };
const flags = (text: string) => new Set([...text.matchAll(/--[a-z][a-z-]*/g)].map((match) => match[0]).filter((flag) => flag !== "--help"));

test("the README's command-line section lists each command with exactly the options its --help lists", () => {
  const section = README.slice(README.indexOf("## Command line"));
  const block = section.slice(section.indexOf("```sh"), section.indexOf("```", section.indexOf("```sh") + 5));
  for (const [command, help] of Object.entries(HELP)) {
    const line = block.split("\n").find((text) => text.startsWith(`ecoai ${command} `) || text === `ecoai ${command}`);
    expect(line, `README line for ecoai ${command}`).toBeDefined();
    const listed = [...flags(line!.split("#")[0]!)].sort();
    const options = [...flags(help.slice(help.indexOf("Options:")))].sort();
    expect(`${command}: ${listed.join(" ")}`).toBe(`${command}: ${options.join(" ")}`);
  }
});
