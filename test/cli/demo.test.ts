import { expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../../src/sqlite/database.ts";
import { tempDir } from "../temp.ts";

const CLI = join(import.meta.dir, "..", "..", "src", "cli", "index.ts");
const dir = tempDir();

async function ecoai(...args: string[]) {
  const child = Bun.spawn([process.execPath, CLI, ...args], { stdout: "pipe", stderr: "pipe", cwd: dir });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { stdout, stderr, code };
}

/** A demo run plays several calls at the simulator's 350 ms latency. */
const DEMO_TIMEOUT_MS = 30_000;

test("ecoai demo plays an offline session, prints hits and misses, and writes the usage log", async () => {
  const db = join(dir, "demo-usage.db");
  const { stdout, stderr, code } = await ecoai("demo", "--db", db, "--cache", join(dir, "demo-cache.db"));
  expect(stderr).toBe("");
  expect(code).toBe(0);
  const rows = stdout.split("\n").filter((line) => / (HIT|MISS) /.test(line));
  expect(rows.map((line) => line.includes(" HIT ") ? "HIT" : "MISS")).toEqual(["MISS", "HIT", "HIT", "MISS", "MISS", "HIT", "MISS", "MISS", "HIT", "MISS", "MISS", "HIT"]);
  expect(stdout).toContain("removed 1 entry");
  expect(stdout).toMatch(/This session: 12 calls, 5 hits \(42%\)/);
  expect(stdout).toMatch(/Upstream requests made: 7 /);
  expect(stdout).toContain(`ecoai dashboard --db ${db}`);
  const log = openDatabase(db);
  expect(Number(log.prepare("SELECT count(*) AS n FROM usage_log").get()!.n)).toBe(12);
  expect(Number(log.prepare("SELECT count(*) AS n FROM usage_log WHERE cache_hit = 1 AND cost_saved_usd > 0").get()!.n)).toBe(5);
  expect(Number(log.prepare("SELECT count(*) AS n FROM usage_log WHERE semantic_hit = 1").get()!.n)).toBe(1);
  log.close();
}, DEMO_TIMEOUT_MS);

test("a second demo run starts from a clean cache and gives the same rows", async () => {
  const args = ["demo", "--db", join(dir, "again-usage.db"), "--cache", join(dir, "again-cache.db")];
  await ecoai(...args);
  const { stdout, code } = await ecoai(...args);
  expect(code).toBe(0);
  expect(stdout).toMatch(/This session: 12 calls, 5 hits/);
  expect(stdout).toMatch(/Usage log \(all runs\): 24 calls/);
}, DEMO_TIMEOUT_MS);

test("--help answers on every command; unknown commands and options exit 2 with a hint", async () => {
  const main = await ecoai("--help");
  expect(main.code).toBe(0);
  expect(main.stdout).toContain("Usage: ecoai <command>");
  const demo = await ecoai("demo", "--help");
  expect(demo.code).toBe(0);
  expect(demo.stdout).toContain("--live");
  const unknown = await ecoai("nope");
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('unknown command "nope"');
  const badOption = await ecoai("demo", "--bogus");
  expect(badOption.code).toBe(2);
  expect(badOption.stderr).toContain("Unknown option '--bogus'");
});
