import { expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createDashboardApp } from "../../src/dashboard/app.ts";
import { openDatabase } from "../../src/sqlite/database.ts";
import { ask, useUpstream } from "../harness.ts";
import { getJson } from "../dashboard/request.ts";
import { HELP } from "./help.ts";
import { seedUsageLog } from "../dashboard/seed.ts";

const CLI = join(import.meta.dir, "..", "..", "src", "cli", "index.ts");
const ctx = useUpstream();

async function ecoai(args: string[], env: Record<string, string> = {}) {
  const child = Bun.spawn([process.execPath, CLI, ...args], { stdout: "pipe", stderr: "pipe", cwd: ctx.dir, env: { PATH: process.env.PATH ?? "", HOME: ctx.dir, ...env } });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { stdout, stderr, code };
}

test("ecoai stats prints the usage log's totals, the numbers of eco.summary()", async () => {
  const logPath = join(ctx.dir, "stats-usage.db");
  const eco = ctx.eco({ logPath });
  for (const content of ["one", "one", "two", "one"]) await eco.chat.completions.create(ask(content));
  const summary = await eco.summary();
  const json = await ecoai(["stats", "--db", logPath, "--json"]);
  expect(json.code).toBe(0);
  expect(JSON.parse(json.stdout)).toEqual(summary);
  const text = await ecoai(["stats"], { ECOAI_DB_PATH: logPath });
  expect(text.code).toBe(0);
  expect(text.stdout).toContain(`Usage log: ${logPath}`);
  expect(text.stdout).toMatch(/Calls\s+4\n/);
  expect(text.stdout).toMatch(/Cache hits\s+2 \(50\.0%\): 2 exact, 0 semantic/);
  const missing = await ecoai(["stats", "--db", join(ctx.dir, "none.db")]);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain("no usage log at");
  expect(existsSync(join(ctx.dir, "none.db"))).toBe(false);
});

test("ecoai flush removes entries by model and pattern from the configured cache", async () => {
  const sqlitePath = join(ctx.dir, "flush-cache.db");
  const eco = ctx.eco({ sqlitePath });
  await eco.chat.completions.create(ask("Where is my refund?"));
  await eco.chat.completions.create(ask("Where is my REFUND, again?", { model: "gpt-4o-mini" }));
  await eco.chat.completions.create(ask("Shipping times?"));
  await eco.chat.completions.create(ask("Shipping times?", { model: "gpt-4o-mini" }));
  await eco.close();
  expect((await ecoai(["flush", "--cache", sqlitePath, "--pattern", "*refund*", "--model", "gpt-4o-mini"])).stdout).toBe(`Removed 1 entry from the sqlite cache (${sqlitePath}).\n`);
  expect((await ecoai(["flush", "--cache", sqlitePath, "--pattern", "*refund*"])).stdout).toContain("Removed 1 entry");
  expect((await ecoai(["flush", "--cache", sqlitePath, "--all"])).stdout).toContain("Removed 2 entries");
  const bad = await ecoai(["flush", "--all", "--storage", "floppy"]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('Invalid storage "floppy"');
});

test("ecoai prune deletes rows older than the duration, and the dashboard follows", async () => {
  const dbPath = join(ctx.dir, "prune-usage.db");
  const day = 86_400_000;
  seedUsageLog(dbPath, [40, 35, 31, 29, 1, 0].map((age) => ({ timestamp: new Date(Date.now() - age * day).toISOString(), cacheHit: age < 30 })));
  const app = await createDashboardApp({ dbPath });
  expect((await getJson(app, "/api/summary")).body.totalCalls).toBe(6);
  const { stdout, code } = await ecoai(["prune", "--older-than", "30d", "--db", dbPath]);
  expect(code).toBe(0);
  expect(stdout).toMatch(/^Deleted 3 usage rows older than 30 days, logged before \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z, from /);
  expect((await getJson(app, "/api/summary")).body).toMatchObject({ totalCalls: 3, cacheHits: 3, hitRate: 1 });
  expect((await getJson(app, "/api/prompts")).body.prompts[0].calls).toBe(3);
  app.close();
  const db = openDatabase(dbPath);
  expect(Number(db.prepare("SELECT count(*) AS n FROM usage_log").get()!.n)).toBe(3);
  db.close();
  expect((await ecoai(["prune", "--older-than", "60d", "--db", dbPath])).stdout).toContain("Deleted 0 usage rows");
});

test("bad arguments exit 2 with a hint; --help answers on every command", async () => {
  for (const [args, words] of [
    [["prune"], "--older-than is required"],
    [["prune", "--older-than", "30"], "positive duration such as 30d"],
    [["prune", "--older-than", "1m"], '"1m" could be minutes or months: write 1min for minutes, or days such as 30d'],
    [["prune", "--older-than", "3mo"], "months and years vary in length"],
    [["prune", "--older-than", "1y"], "is ambiguous"],
    [["prune", "--older-than", "5s"], "positive duration"],
    [["flush"], "say what to remove: --all for every entry, or --model, --pattern or --namespace"],
    [["flush", "--all", "--model", "gpt-4o"], "--all removes every entry; leave it out to remove only what --model selects"],
    [["demo", "--port", "0"], "--port is the dashboard's, and goes with --open"],
    [["simulate", "--port", "x"], "--port must be a port number"],
    [["prune", "--older-than", "0d"], "positive duration"],
    [["prune", "--older-than=-3d"], "positive duration"],
    [["dashboard", "--port", "http"], "--port must be a port number from 0 to 65535"],
    [["dashboard", "--port", "70000"], "--port must be a port number"],
    [["dashboard", "--verbose"], "Unknown option '--verbose'"],
    [["stats", "--db"], "argument missing"],
    [["flush", "--pattern", ""], "--pattern must not be empty"],
  ] as const) {
    const { code, stderr } = await ecoai([...args]);
    expect(code).toBe(2);
    expect(stderr).toContain(words);
    // Run straight from its file, the hint names the file.
    expect(stderr).toContain(`Run "bun ${CLI} ${args[0]} --help" for its options.`);
  }
  const envPort = await ecoai(["dashboard"], { ECOAI_DASHBOARD_PORT: "abc" });
  expect(envPort.code).toBe(2);
  expect(envPort.stderr).toContain("ECOAI_DASHBOARD_PORT must be a port number");
  for (const [command, words] of [["dashboard", "--no-browser"], ["stats", "--json"], ["flush", "--pattern GLOB"], ["prune", "--older-than D"], ["demo", "--live"], ["simulate", "--delay-ms N"]] as const) {
    const { code, stdout } = await ecoai([command, "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: ecoai ${command}`);
    expect(stdout).toContain(words);
  }
});

test("a file that is not a usage log, a busy port or a dead Redis is one clear line, not a stack trace", async () => {
  const notALog = join(ctx.dir, "notes.txt");
  writeFileSync(notALog, "these are my notes, not a SQLite database\n".repeat(200));
  for (const args of [["stats", "--db", notALog], ["prune", "--older-than", "30d", "--db", notALog], ["dashboard", "--db", notALog, "--port", "0", "--no-browser"]]) {
    const { code, stderr } = await ecoai(args);
    expect(code).toBe(1);
    expect(stderr).toBe(`ecoai ${args[0]}: cannot open the usage log ${notALog}: file is not a database\n`);
  }
  expect(readFileSync(notALog, "utf8")).toStartWith("these are my notes");

  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  const port = String((busy.address() as AddressInfo).port);
  const inUse = await ecoai(["dashboard", "--port", port, "--no-browser", "--db", join(ctx.dir, "busy-usage.db")]);
  busy.close();
  expect(inUse.code).toBe(1);
  expect(inUse.stderr).toContain(`port ${port} is already in use`);
  // A log that does not exist yet is named, so a mistyped --db shows.
  expect(inUse.stdout).toContain(`no calls logged there yet; calls through EcoAI with logPath "${join(ctx.dir, "busy-usage.db")}"`);

  const redis = await ecoai(["flush", "--all", "--storage", "redis", "--redis-url", "redis://127.0.0.1:1"]);
  expect(redis.code).toBe(1);
  expect(redis.stderr).toStartWith("ecoai flush: could not flush the redis cache at 127.0.0.1:1: ");
  expect(redis.stderr).not.toContain("    at ");
});

test("ecoai flush refuses a cache file that does not exist, and a usage log given as the cache", async () => {
  const missing = join(ctx.dir, "no-such-dir", "c.db");
  const absent = await ecoai(["flush", "--all", "--cache", missing]);
  expect(absent.code).toBe(1);
  expect(absent.stderr).toBe(`ecoai flush: no cache file at ${missing}; nothing was removed. Pass --cache with the path of an existing cache (EcoAI's sqlitePath, .ecoai/cache.db by default).\n`);
  expect(existsSync(join(ctx.dir, "no-such-dir"))).toBe(false);

  const logPath = join(ctx.dir, "flush-log-usage.db");
  const eco = ctx.eco({ logPath });
  await eco.chat.completions.create(ask("a logged call"));
  await eco.close();
  const wrongFile = await ecoai(["flush", "--all", "--cache", logPath]);
  expect(wrongFile.code).toBe(1);
  expect(wrongFile.stderr).toContain(`${logPath} is an ecoai usage log, not a cache; nothing was removed.`);
  expect(tables(logPath)).not.toContain("cache_entries");
});

test("ecoai stats and prune pointed at a cache file say so instead of reporting 0 calls", async () => {
  const sqlitePath = join(ctx.dir, "stats-cache.db");
  const eco = ctx.eco({ sqlitePath });
  await eco.chat.completions.create(ask("a cached call"));
  await eco.close();
  for (const args of [["stats", "--db", sqlitePath], ["prune", "--older-than", "1d", "--db", sqlitePath]]) {
    const { code, stdout, stderr } = await ecoai(args);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(`ecoai ${args[0]}: ${sqlitePath} is an ecoai cache file (EcoAI's sqlitePath), not a usage log. Pass --db with the usage log (EcoAI's logPath, .ecoai/usage.db by default).\n`);
  }
  expect(tables(sqlitePath)).not.toContain("usage_log");
});

test("ecoai prune takes unambiguous units in words too, and says how far back it cut", async () => {
  const dbPath = join(ctx.dir, "prune-units-usage.db");
  const minute = 60_000;
  seedUsageLog(dbPath, [200, 100, 70, 5].map((age) => ({ timestamp: new Date(Date.now() - age * minute).toISOString() })));
  const started = Date.now();
  const { stdout, code } = await ecoai(["prune", "--older-than", "90min", "--db", dbPath]);
  expect(code).toBe(0);
  const cutoff = /logged before (\S+), from /.exec(stdout)![1]!;
  expect(stdout).toStartWith("Deleted 2 usage rows older than 90 minutes, logged before ");
  expect(Math.abs(Date.parse(cutoff) - (started - 90 * minute))).toBeLessThan(10_000);
  expect((await ecoai(["prune", "--older-than", "2 weeks", "--db", dbPath])).stdout).toStartWith("Deleted 0 usage rows older than 2 weeks");
  expect((await ecoai(["prune", "--older-than", "1h", "--db", dbPath])).stdout).toStartWith("Deleted 1 usage row older than 1 hour");
});

test("--version prints the package's version; help <command> prints that command's help", async () => {
  const { version } = JSON.parse(readFileSync(join(import.meta.dir, "..", "..", "package.json"), "utf8")) as { version: string };
  for (const flag of ["--version", "-v"]) expect(await ecoai([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  for (const [name, help] of Object.entries(HELP)) {
    expect(await ecoai(["help", name])).toEqual({ code: 0, stdout: `${help}\n`, stderr: "" });
    expect((await ecoai([name, "--help"])).stdout).toBe(`${help}\n`);
  }
  const main = await ecoai(["help"]);
  expect(main.code).toBe(0);
  expect(main.stdout).toContain("Usage: ecoai <command> [options]");
  expect(main.stdout).toContain("--version");
  const unknown = await ecoai(["help", "nope"]);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain(`ecoai help: unknown command "nope"; the commands are ${Object.keys(HELP).join(", ")}.`);
});

test("installed on PATH (a global install), the hints name plain ecoai", async () => {
  const bin = join(ctx.dir, "global-bin");
  mkdirSync(bin, { recursive: true });
  symlinkSync(CLI, join(bin, "ecoai"));
  const child = Bun.spawn([process.execPath, join(bin, "ecoai"), "prune"], { stdout: "pipe", stderr: "pipe", cwd: ctx.dir, env: { PATH: `${bin}:${process.env.PATH}`, HOME: ctx.dir } });
  const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
  expect(code).toBe(2);
  expect(stderr).toContain('Run "ecoai prune --help" for its options.');
});

function tables(path: string): string[] {
  const db = openDatabase(path);
  try {
    return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((row) => String(row.name));
  } finally {
    db.close();
  }
}
