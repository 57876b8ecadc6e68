/**
 * How often cutting SQLite's files under a busy app kills it. ecoai grows SQLite's shared memory
 * (`-shm`, always memory-mapped) back before each statement when another process has cut it, so
 * a cut between two statements is ridden out (`test/integration/sqlite-faults.test.ts`); a cut
 * that lands while SQLite is inside a statement touching that memory ends the process with
 * SIGBUS, which no code in the process can catch. This measures that remaining risk.
 *
 * Each round starts an app in a child process (`test/fixtures/caller.mjs`, a loop of chat calls
 * through ecoai with a SQLite cache and usage log, mostly hits), lets it make 1,000 calls, then
 * truncates the cache file, the usage log and their `-shm` files to 0 bytes at a random moment of
 * the next second of the loop, as `truncate -s 0 *.db*` would, and asks for 200 more calls. It prints how many apps
 * died, under Bun (on the sources) and under Node (on the package, built once by `npm pack`).
 *
 * Run: `bun bench/cut-risk.ts [rounds per runtime, default 40]`. Prints; asserts nothing.
 *
 * @module
 */
import { mkdtempSync, rmSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "../src/simulator/index.ts";
import { startCaller, type Runtime } from "../test/caller-process.ts";
import { table } from "./stats.ts";

const ROUNDS = Number(process.argv[2] ?? 40);
const CALLS_BEFORE = 1_000;
const CALLS_AFTER = 200;
const CUT_WITHIN_MS = 1_000;

const sim = await startSimulator();
const dir = mkdtempSync(join(tmpdir(), "ecoai-bench-cut-risk-"));
const runtimes: Runtime[] = ["bun", "node"];

const rows: string[][] = [];
try {
  for (const runtime of runtimes) {
    let died = 0;
    const signals = new Map<string, number>();
    for (let round = 0; round < ROUNDS; round++) {
      const files = { baseURL: sim.openaiBaseURL, sqlitePath: join(dir, `${runtime}-${round}-cache.db`), logPath: join(dir, `${runtime}-${round}-usage.db`) };
      const app = await startCaller(runtime, files, { distinct: 200, pad: 2000 });
      const outcome = app.exited;
      try {
        await app.calls(CALLS_BEFORE);
        // At a moment drawn evenly from the loop's next second: not in step with the usage log's
        // writes, which come every few hundred calls (right after call 1,000 one is under way).
        await Bun.sleep(Math.random() * CUT_WITHIN_MS);
        for (const path of [files.sqlitePath, files.logPath]) {
          truncateSync(path, 0);
          truncateSync(`${path}-shm`, 0);
        }
        await app.calls(app.finished + CALLS_AFTER);
        app.stop();
      } catch {
        // The app died: counted below from how it exited.
      }
      const { signal, code } = await outcome;
      if (signal !== null || code !== 0) {
        died++;
        const how = signal ?? `exit ${code}`;
        signals.set(how, (signals.get(how) ?? 0) + 1);
      }
    }
    const how = [...signals].map(([name, count]) => `${name} ×${count}`).join(", ") || "—";
    rows.push([runtime, String(ROUNDS), String(died), `${((100 * died) / ROUNDS).toFixed(1)}%`, how]);
  }
  console.log(`A cut of the cache file, the usage log and their shared memory at a random moment of a busy loop (within ${CUT_WITHIN_MS.toLocaleString("en")} ms after call ${CALLS_BEFORE.toLocaleString("en")}; ${CALLS_AFTER} calls after):`);
  console.log(table(["runtime", "apps", "died", "share", "how"], rows));
} finally {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
