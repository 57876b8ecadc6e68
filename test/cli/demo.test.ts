import { expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../src/sqlite/database.ts";
import { startServer, summaryAt, withoutScriptEnv } from "../package/pack.ts";
import { tempDir } from "../temp.ts";

const CLI = join(import.meta.dir, "..", "..", "src", "cli", "index.ts");
const dir = tempDir();
/** The demo's temporary folders go under this one, removed with it. */
const tmp = join(dir, "tmp");
mkdirSync(tmp);
/** The environment of a user's shell (no npm script variables of the test run), its TMPDIR ours. */
const ENV = { ...withoutScriptEnv(), TMPDIR: tmp };

async function ecoai(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const child = Bun.spawn([process.execPath, CLI, ...args], { stdout: "pipe", stderr: "pipe", cwd: options.cwd ?? dir, env: { ...ENV, ...options.env } });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { stdout, stderr, code };
}

/** HIT or MISS per row the demo printed. */
const results = (stdout: string): string[] => stdout.split("\n").filter((line) => / (HIT|MISS) /.test(line)).map((line) => (line.includes(" HIT ") ? "HIT" : "MISS"));
const SESSION = ["MISS", "HIT", "HIT", "MISS", "MISS", "HIT", "MISS", "MISS", "HIT", "MISS", "MISS", "HIT"];

/** A demo run plays several calls at the simulator's 350 ms latency. */
const DEMO_TIMEOUT_MS = 30_000;

test("ecoai demo plays offline in a temporary folder of its own, and the dashboard command it prints shows its numbers", async () => {
  const project = join(dir, "project");
  mkdirSync(project);
  const { stdout, stderr, code } = await ecoai(["demo"], { cwd: project });
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(results(stdout)).toEqual(SESSION);
  expect(stdout).toContain("removed 1 entry");
  expect(stdout).toMatch(/This session: 12 calls, 5 hits \(42%\)/);
  expect(stdout).toMatch(/Upstream requests made: 7 /);
  // Nothing in the project's own .ecoai/.
  expect(existsSync(join(project, ".ecoai"))).toBe(false);
  const files = /^Files: (\S+) \(a temporary folder; --dir \.ecoai would use this project's\)$/m.exec(stdout)?.[1];
  expect(files).toStartWith(join(tmp, "ecoai-demo-"));

  const log = openDatabase(join(files!, "usage.db"));
  expect(Number(log.prepare("SELECT count(*) AS n FROM usage_log").get()!.n)).toBe(12);
  expect(Number(log.prepare("SELECT count(*) AS n FROM usage_log WHERE cache_hit = 1 AND cost_saved_usd > 0").get()!.n)).toBe(5);
  expect(Number(log.prepare("SELECT count(*) AS n FROM usage_log WHERE semantic_hit = 1").get()!.n)).toBe(1);
  log.close();

  // Run from its file, the demo names the same file to run the dashboard.
  const next = /^See it in the dashboard: (.+)$/m.exec(stdout)?.[1];
  expect(next).toBe(`bun ${CLI} dashboard --db ${files}/usage.db`);
  const dashboard = await startServer(`${next!.replace(/^bun /, `${process.execPath} `)} --port 0 --no-browser`, { cwd: project, env: ENV });
  try {
    const summary = await summaryAt(dashboard.url);
    expect(summary).toMatchObject({ totalCalls: 12, cacheHits: 5, cacheMisses: 7, semanticHits: 1 });
    expect(dashboard.printed()).toContain(`settings: ${files}/settings.json`);
  } finally {
    dashboard.stop();
  }
}, DEMO_TIMEOUT_MS);

test("--dir keeps the demo's files there: a second run starts from a clean cache and adds to the log", async () => {
  const args = ["demo", "--dir", join(dir, "again")];
  await ecoai(args);
  const { stdout, code } = await ecoai(args);
  expect(code).toBe(0);
  expect(stdout).toContain(`Files: ${join(dir, "again")}\n`);
  expect(results(stdout)).toEqual(SESSION);
  expect(stdout).toMatch(/Usage log \(all runs\): 24 calls/);
}, DEMO_TIMEOUT_MS);

test("--dir .ecoai uses the project's folder when asked, unmoved by its settings file and ECOAI_* variables", async () => {
  const project = join(dir, "asked");
  mkdirSync(join(project, ".ecoai"), { recursive: true });
  writeFileSync(join(project, ".ecoai", "settings.json"), JSON.stringify({ cachingEnabled: false, mode: "prod", ttl: 0, semanticEnabled: false }));
  const env = { ECOAI_STORAGE: "memory", ECOAI_CACHING_ENABLED: "false", ECOAI_MODE: "prod", ECOAI_TTL: "0" };
  const { stdout, stderr, code } = await ecoai(["demo", "--dir", ".ecoai"], { cwd: project, env });
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(results(stdout)).toEqual(SESSION);
  expect(existsSync(join(project, ".ecoai", "usage.db"))).toBe(true);
  expect(existsSync(join(project, ".ecoai", "cache.db"))).toBe(true);
  // The project's usage log is the dashboard's default: no --db to type.
  expect(stdout).toContain(`See it in the dashboard: bun ${CLI} dashboard\n`);
}, DEMO_TIMEOUT_MS);

test("ecoai demo --open plays the demo, then serves the dashboard over its log until stopped", async () => {
  const both = await startServer(`${process.execPath} ${CLI} demo --open --port 0`, { cwd: dir, env: ENV });
  try {
    expect(results(both.printed())).toEqual(SESSION);
    expect(both.printed()).toContain("Opening the dashboard over the demo's usage log…");
    expect(both.printed()).not.toContain("See it in the dashboard:");
    const summary = await summaryAt(both.url);
    expect(summary).toMatchObject({ totalCalls: 12, cacheHits: 5, semanticHits: 1 });
  } finally {
    both.stop();
  }
}, DEMO_TIMEOUT_MS);

test("--help answers on every command; unknown commands and options exit 2 with a hint", async () => {
  const main = await ecoai(["--help"]);
  expect(main.code).toBe(0);
  expect(main.stdout).toContain("Usage: ecoai <command>");
  const demo = await ecoai(["demo", "--help"]);
  expect(demo.code).toBe(0);
  expect(demo.stdout).toContain("--live");
  const unknown = await ecoai(["nope"]);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('unknown command "nope"');
  const badOption = await ecoai(["demo", "--bogus"]);
  expect(badOption.code).toBe(2);
  expect(badOption.stderr).toContain("Unknown option '--bogus'");
});
