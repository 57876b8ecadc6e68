/**
 * A newcomer's first minutes from a clone: the README's two commands as written, then the command
 * the demo printed, and the dashboard's totals are the demo's.
 */
import { beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { NODE, ROOT, installedVersion, run, runOk, scratchDir, startServer, summaryAt, withoutScriptEnv } from "./pack.ts";
import { expectAsShown, readmeSection, shown } from "./readme.ts";

/** `npm install` of the whole development tree, from npm's cache where it can. */
const INSTALL_TIMEOUT_MS = 300_000;
const STEP_TIMEOUT_MS = 60_000;

const clone = join(scratchDir("ecoai-clone-"), "ecoai");
const QUICK_START = readmeSection("From a clone, in a minute");
const INSTALL_AND_DEMO = shown(QUICK_START, "npm install && npm run demo");

/**
 * How this machine installs: from npm's cache first, and better-sqlite3's native build taken from
 * the one this checkout already has (its install script would otherwise download it from GitHub
 * or compile SQLite for minutes). The command itself is the README's, untouched.
 */
async function installEnv(): Promise<Record<string, string | undefined>> {
  const prebuilds = scratchDir("ecoai-prebuilds-");
  const version = installedVersion("better-sqlite3");
  const abi = (await runOk([NODE, "-p", "process.versions.modules"], { cwd: prebuilds })).stdout.trim();
  const libc = (await run([NODE, "-p", "process.report.getReport().header.glibcVersionRuntime ? '' : 'musl'"], { cwd: prebuilds })).stdout.trim();
  const name = `better-sqlite3-v${version}-node-v${abi}-${process.platform}${libc}-${process.arch}.tar.gz`;
  await runOk(["tar", "-czf", join(prebuilds, name), "build/Release/better_sqlite3.node"], { cwd: join(ROOT, "node_modules", "better-sqlite3") });
  return { ...withoutScriptEnv(), npm_config_prefer_offline: "true", npm_config_better_sqlite3_local_prebuilds: prebuilds, npm_config_fund: "false", npm_config_audit: "false" };
}

let printed = "";

beforeAll(async () => {
  mkdirSync(clone, { recursive: true });
  const head = (await runOk(["git", "rev-parse", "HEAD"], { cwd: ROOT })).stdout.trim();
  await runOk(["git", "clone", "--quiet", "--no-checkout", ROOT, clone], { cwd: ROOT });
  await runOk(["git", "checkout", "--quiet", head], { cwd: clone });
  const result = await run(["sh", "-c", INSTALL_AND_DEMO.command], { cwd: clone, env: await installEnv() });
  if (result.code !== 0) throw new Error(`"${INSTALL_AND_DEMO.command}" exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  printed = result.stdout;
}, INSTALL_TIMEOUT_MS);

test("`npm install && npm run demo` prints what the README's Quick start shows, and writes nothing into the clone's .ecoai", () => {
  expectAsShown(printed, INSTALL_AND_DEMO);
  expect(existsSync(join(clone, ".ecoai"))).toBe(false);
});

test("the command the demo printed serves the dashboard there, with the demo's numbers", async () => {
  const next = /^See it in the dashboard: (.+)$/m.exec(printed)?.[1];
  expect(next).toStartWith("npm run dashboard -- --db ");
  const totals = /^Usage log \(all runs\): (\d+) calls, ([\d.]+)% hits, (\d+) tokens, \$([\d.]+) and ([\d.]+) g CO₂ saved\.$/m.exec(printed);
  expect(totals).not.toBeNull();
  const [, calls, hitRate, tokens, dollars, grams] = totals!;

  const dashboard = await startServer(`${next} --port 0 --no-browser`, { cwd: clone, env: withoutScriptEnv() });
  try {
    const summary = await summaryAt(dashboard.url);
    expect(summary).toMatchObject({ totalCalls: Number(calls), cacheHits: 5, cacheMisses: 7, semanticHits: 1, tokensSaved: Number(tokens) });
    expect((summary.hitRate! * 100).toFixed(1)).toBe(hitRate!);
    expect(summary.costSavedUsd!.toFixed(6)).toBe(dollars!);
    expect(summary.co2SavedG!.toFixed(4)).toBe(grams!);
    expect((await fetch(`${dashboard.url}/`)).status).toBe(200);
  } finally {
    dashboard.stop();
  }
}, STEP_TIMEOUT_MS);

test("`npm run demo -- --open` plays the demo, then serves the dashboard over its log", async () => {
  const both = await startServer("npm run demo -- --open --port 0", { cwd: clone, env: withoutScriptEnv() });
  try {
    expect(both.printed()).toMatch(/This session: 12 calls, 5 hits/);
    expect(both.printed()).toContain("Opening the dashboard over the demo's usage log");
    const summary = await summaryAt(both.url);
    expect(summary).toMatchObject({ totalCalls: 12, cacheHits: 5, semanticHits: 1 });
  } finally {
    both.stop();
  }
}, STEP_TIMEOUT_MS);

test("any command runs from the clone's sources through `npm run ecoai --`", async () => {
  const { stdout } = await runOk(["npm", "run", "--silent", "ecoai", "--", "prune", "--help"], { cwd: clone, env: withoutScriptEnv() });
  expect(stdout).toStartWith("Usage: ecoai prune --older-than DURATION");
  const usage = await run(["npm", "run", "--silent", "ecoai", "--", "stats", "--db"], { cwd: clone, env: withoutScriptEnv() });
  expect(usage.code).not.toBe(0);
  // The hint is written for the way the command was run.
  expect(usage.stderr).toContain('Run "npm run ecoai -- stats --help" for its options.');
  const underBun = await run([join(clone, "node_modules", ".bin", "bun"), "run", "ecoai", "stats", "--db"], { cwd: clone, env: withoutScriptEnv() });
  expect(underBun.stderr).toContain('Run "bun run ecoai stats --help" for its options.');
}, STEP_TIMEOUT_MS);
