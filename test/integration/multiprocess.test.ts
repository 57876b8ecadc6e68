import { expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../../src/sqlite/database.ts";
import { CHAT_ROUTE, useUpstream } from "../harness.ts";

const up = useUpstream();
const HAMMER = join(import.meta.dir, "..", "fixtures", "hammer.ts");

async function runHammers(count: number, args: string[]): Promise<void> {
  const children = Array.from({ length: count }, () =>
    Bun.spawn([process.execPath, HAMMER, ...args], { stdout: "pipe", stderr: "pipe" }),
  );
  const results = await Promise.all(children.map(async (child) => ({ code: await child.exited, stderr: await new Response(child.stderr).text() })));
  for (const result of results) {
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  }
}

test("two processes hammering one SQLite cache and usage log lose no rows and raise no errors", async () => {
  const sqlitePath = join(up.dir, "shared-cache.db");
  const logPath = join(up.dir, "shared-usage.db");
  const before = up.sim.count(CHAT_ROUTE);
  await runHammers(2, [up.sim.openaiBaseURL, sqlitePath, logPath, "300", "20", "close"]);

  const log = openDatabase(logPath);
  const rows = Number(log.prepare("SELECT count(*) AS n FROM usage_log").get()!.n);
  const hits = Number(log.prepare("SELECT count(*) AS n FROM usage_log WHERE cache_hit = 1").get()!.n);
  log.close();
  const cache = openDatabase(sqlitePath);
  const entries = Number(cache.prepare("SELECT count(*) AS n FROM cache_entries").get()!.n);
  cache.close();

  const upstream = up.sim.count(CHAT_ROUTE) - before;
  expect(rows).toBe(600);
  expect(entries).toBe(20);
  // Each prompt goes upstream at most once per process; everything else is served from the shared file.
  expect(upstream).toBeGreaterThanOrEqual(20);
  expect(upstream).toBeLessThanOrEqual(40);
  expect(hits).toBe(600 - upstream);
});

test("a process that exits without close() still writes every usage row", async () => {
  const logPath = join(up.dir, "exit-usage.db");
  await runHammers(1, [up.sim.openaiBaseURL, join(up.dir, "exit-cache.db"), logPath, "37", "5", "exit"]);
  const log = openDatabase(logPath);
  expect(Number(log.prepare("SELECT count(*) AS n FROM usage_log").get()!.n)).toBe(37);
  log.close();
});

test("a process that exits without close() right after its last miss still writes every cache entry", async () => {
  const sqlitePath = join(up.dir, "exit-entries-cache.db");
  await runHammers(1, [up.sim.openaiBaseURL, sqlitePath, join(up.dir, "exit-entries-usage.db"), "23", "23", "exit"]);
  const cache = openDatabase(sqlitePath);
  expect(Number(cache.prepare("SELECT count(*) AS n FROM cache_entries").get()!.n)).toBe(23);
  cache.close();
});
