/**
 * How docker, systemd, Kubernetes and Ctrl-C stop a process: a signal. Real child processes under
 * Bun and Node, real signals, the rows counted in the real usage log afterwards.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../../src/sqlite/database.ts";
import { startCaller, type Runtime } from "../caller-process.ts";
import { useUpstream } from "../harness.ts";
import { packOnce } from "../package/pack.ts";

const up = useUpstream();

beforeAll(async () => {
  await packOnce();
}, 240_000);

function rowsIn(logPath: string, table = "usage_log"): number {
  const db = openDatabase(logPath);
  try {
    return Number(db.prepare(`SELECT count(*) AS n FROM ${table}`).get()!.n);
  } finally {
    db.close();
  }
}

let run = 0;
function files() {
  const name = `signals-${run++}`;
  return { baseURL: up.sim.openaiBaseURL, sqlitePath: join(up.dir, `${name}-cache.db`), logPath: join(up.dir, `${name}-usage.db`) };
}

for (const runtime of ["bun", "node"] satisfies Runtime[]) {
  describe(`under ${runtime}`, () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      test(`${signal} to an app with no handler of its own: every finished call's row is written, and the signal still ends the process`, async () => {
        const paths = files();
        const app = await startCaller(runtime, paths);
        // Mostly hits: hundreds of calls between two timed writes of the log.
        await app.calls(400);
        app.kill(signal);
        const result = await app.exited;
        expect(result).toEqual({ code: null, signal, stderr: "" });
        const rows = rowsIn(paths.logPath);
        expect(rows).toBeGreaterThanOrEqual(app.finished);
        // At most the one call that returned as the signal came, before it printed.
        expect(rows).toBeLessThanOrEqual(app.finished + 1);
      });

      test(`${signal} to an app with no handler of its own, making only misses: every finished call's cache entry is written`, async () => {
        const paths = files();
        const app = await startCaller(runtime, paths, { distinct: 1_000_000 });
        await app.calls(150);
        app.kill(signal);
        const result = await app.exited;
        expect(result).toEqual({ code: null, signal, stderr: "" });
        const entries = rowsIn(paths.sqlitePath, "cache_entries");
        expect(entries).toBeGreaterThanOrEqual(app.finished);
        expect(entries).toBeLessThanOrEqual(app.finished + 1);
      });

      test(`${signal} to an app with its own handler: the app keeps control, finishes its loop and closes; no row is lost`, async () => {
        const paths = files();
        const app = await startCaller(runtime, paths, { handle: true });
        await app.calls(400);
        app.kill(signal);
        const result = await app.exited;
        expect(result).toEqual({ code: 0, signal: null, stderr: "" });
        expect(app.lines).toContain(`handled ${signal}`);
        expect(app.lines.at(-1)).toBe(`closed ${app.finished}`);
        expect(rowsIn(paths.logPath)).toBe(app.finished);
      });
    }
  });
}
