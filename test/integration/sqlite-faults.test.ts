/**
 * What other processes and the disk do to the SQLite cache and usage log of a running app: a
 * lock held, a file truncated, the disk full, a corrupt or unreadable file. Real files, real child
 * processes under Bun and Node; calls must succeed, no row may be lost that could be written, and
 * each outage is one line of warning naming the file.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../src/sqlite/database.ts";
import { startCaller, type Runtime } from "../caller-process.ts";
import { ask, CHAT_ROUTE, recordingLogger, useUpstream } from "../harness.ts";
import { BUN, packOnce } from "../package/pack.ts";
import { tempDir } from "../temp.ts";

const up = useUpstream();
const FIXTURES = join(import.meta.dir, "..", "fixtures");

beforeAll(async () => {
  await packOnce();
}, 240_000);

function rowsIn(logPath: string): number {
  const db = openDatabase(logPath);
  try {
    return Number(db.prepare("SELECT count(*) AS n FROM usage_log").get()!.n);
  } finally {
    db.close();
  }
}

/** Resolves once none of `paths` has changed (size, modification time) for `quietMs`. */
async function untilUnchanged(paths: string[], quietMs = 400): Promise<void> {
  const look = () => paths.map((path) => statSync(path, { throwIfNoEntry: false })).map((stat) => `${stat?.size}:${stat?.mtimeMs}`).join(" ");
  let last = look();
  let since = performance.now();
  while (performance.now() - since < quietMs) {
    await Bun.sleep(25);
    const now = look();
    if (now !== last) [last, since] = [now, performance.now()];
  }
}

let run = 0;
function files(name = `faults-${run++}`) {
  return { sqlitePath: join(up.dir, `${name}-cache.db`), logPath: join(up.dir, `${name}-usage.db`) };
}

/** Another process holding the write lock on `paths` until `release()`. */
async function lockedByAnotherProcess(...paths: string[]): Promise<{ release(): Promise<void> }> {
  const child: Subprocess<"pipe", "pipe", "inherit"> = Bun.spawn([BUN, join(FIXTURES, "sqlite-locker.ts"), ...paths], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  expect(new TextDecoder().decode(value)).toBe("locked\n");
  return {
    async release() {
      child.stdin.write("go\n");
      child.stdin.flush();
      expect(await child.exited).toBe(0);
    },
  };
}

describe("a write lock held by another process", () => {
  test("on the cache and the log: calls succeed, one warning each, and the rows are written once it is released", async () => {
    const paths = files();
    const logger = recordingLogger();
    const eco = up.eco({ ...paths, logger });
    const cached = await eco.chat.completions.create(ask("answered before the lock"));
    await eco.history({ limit: 1 });
    const lock = await lockedByAnotherProcess(paths.sqlitePath, paths.logPath);
    const before = up.sim.count(CHAT_ROUTE);
    try {
      for (let i = 0; i < 10; i++) {
        // Reads go on under a writer's lock (WAL): the stored answer is still served.
        expect((await eco.chat.completions.create(ask("answered before the lock"))).id).toBe(cached.id);
        expect((await eco.chat.completions.create(ask(`asked during the lock ${i}`))).choices[0]?.message.content).toBeString();
        // Time for the log's timed writes to try, and fail, between calls.
        await Bun.sleep(100);
      }
      expect(up.sim.count(CHAT_ROUTE) - before).toBe(10);
      expect(logger.messages).toHaveLength(2);
      expect(logger.messages.filter((m) => m.startsWith(`[ecoai] cache store sqlite ${paths.sqlitePath} failed: database is locked`))).toHaveLength(1);
      expect(logger.messages.filter((m) => m.startsWith(`[ecoai] usage log ${paths.logPath} failed: database is locked`))).toHaveLength(1);
    } finally {
      await lock.release();
    }
    await eco.chat.completions.create(ask("asked after the lock"));
    await eco.chat.completions.create(ask("asked after the lock"));
    expect((await eco.summary()).totalCalls).toBe(23);
    await eco.close();
    expect(rowsIn(paths.logPath)).toBe(23);
    expect(logger.messages.filter((m) => m.includes("recovered"))).toHaveLength(2);
    expect(logger.messages).toHaveLength(4);
  });

  test("on the log at close(): close returns and says how many rows it could not write", async () => {
    const paths = files();
    const logger = recordingLogger();
    const eco = up.eco({ ...paths, logger });
    await eco.chat.completions.create(ask("logged before the lock"));
    await eco.history({ limit: 1 });
    const lock = await lockedByAnotherProcess(paths.logPath);
    try {
      for (let i = 0; i < 7; i++) await eco.chat.completions.create(ask(`logged during the lock ${i}`));
      await eco.close();
      expect(logger.messages.at(-1)).toBe(
        `[ecoai] usage log ${paths.logPath}: 7 usage rows could not be written (database is locked: another process holds its lock (SQLITE_BUSY))`,
      );
    } finally {
      await lock.release();
    }
    expect(rowsIn(paths.logPath)).toBe(1);
  });

  test("held for a moment while the app first opens the files (two processes starting together): no warning, no row lost, the cache works", async () => {
    const paths = files();
    const logger = recordingLogger();
    // The other process has created both files and holds their write lock, so creating the schema waits on it.
    const lock = await lockedByAnotherProcess(paths.sqlitePath, paths.logPath);
    const eco = up.eco({ ...paths, logger });
    const before = up.sim.count(CHAT_ROUTE);
    try {
      for (let i = 0; i < 2; i++) await eco.chat.completions.create(ask(`asked while the lock is held ${i}`));
    } finally {
      await lock.release();
    }
    await Bun.sleep(50);
    await eco.chat.completions.create(ask("asked twice"));
    await eco.chat.completions.create(ask("asked twice"));
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(3);
    await eco.close();
    expect(logger.messages).toEqual([]);
    expect(rowsIn(paths.logPath)).toBe(4);
  });
});

for (const runtime of ["bun", "node"] satisfies Runtime[]) {
  test(`under ${runtime}, truncating the cache file, the usage log and their shared memory under a running app does not kill it; it keeps answering`, async () => {
    const paths = files();
    // Big entries, so that much of the cache file has been read when it is cut.
    const app = await startCaller(runtime, { ...paths, baseURL: up.sim.openaiBaseURL }, { distinct: 200, pad: 2000 });
    await app.calls(1000);
    // Between two statements, as promised (README, "Damaged files"): a cut that lands while SQLite
    // is inside one, touching its shared memory, ends the process with SIGBUS whatever the app
    // does, so a cut at a random moment of a busy loop fails now and then by nature (how often:
    // bench/cut-risk.ts). The app pauses between two calls with its files, statements and shared
    // memory still open, and the files are cut once its background writes (usage rows, cache
    // entries, checkpoints) are done.
    await app.hold();
    await untilUnchanged([paths.sqlitePath, paths.logPath].flatMap((path) => [path, `${path}-wal`]));
    // Cut under the app's feet: pages it has read from the files, and SQLite's shared memory
    // (the WAL index, always memory-mapped), are now past their end.
    for (const path of [paths.sqlitePath, paths.logPath]) {
      truncateSync(path, 0);
      truncateSync(`${path}-shm`, 0);
    }
    const cutAt = app.finished;
    app.go();
    await app.calls(cutAt + 200);
    app.stop();
    const result = await app.exited;
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
    expect(app.lines.at(-1)).toBe(`closed ${app.finished}`);
    // Each warning is one line naming the file it is about.
    for (const line of result.stderr.trim().split("\n").filter(Boolean)) expect(line).toMatch(new RegExp(`^\\[ecoai\\] (cache store sqlite ${paths.sqlitePath}|usage log ${paths.logPath})`));
  });
}

describe("a corrupt cache file", () => {
  test("is one line on stderr naming it (the stack only with ECOAI_DEBUG), and calls go to the provider", async () => {
    const paths = files();
    writeFileSync(paths.sqlitePath, "garbage, not a SQLite file ".repeat(500));
    const before = up.sim.count(CHAT_ROUTE);
    const app = await startCaller("bun", { ...paths, baseURL: up.sim.openaiBaseURL }, { distinct: 3 });
    await app.calls(12);
    app.stop();
    const result = await app.exited;
    expect(result.code).toBe(0);
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(app.finished);
    expect(result.stderr).toBe(`[ecoai] cache store sqlite ${paths.sqlitePath} failed: could not open it: file is not a database (SQLITE_NOTADB); calls go straight to the provider until it recovers\n`);

    const debug = await startCaller("bun", { ...paths, baseURL: up.sim.openaiBaseURL }, { distinct: 3 }, { env: { ECOAI_DEBUG: "1" } });
    await debug.calls(3);
    debug.stop();
    const debugged = await debug.exited;
    expect(debugged.stderr.split("\n")[0]).toStartWith(`[ecoai] cache store sqlite ${paths.sqlitePath} failed`);
    expect(debugged.stderr).toContain("at ");
  });
});

describe("a usage log the app may not open", () => {
  test("at start: one warning naming it, calls succeed", async () => {
    const dir = tempDir("ecoai-shared-");
    chmodSync(dir, 0o777);
    const paths = { baseURL: up.sim.openaiBaseURL, sqlitePath: join(dir, "cache.db"), logPath: join(dir, "usage.db") };
    writeFileSync(paths.logPath, "");
    chmodSync(paths.logPath, 0o000);
    // File modes do not stop root: the app then runs as an unprivileged user.
    const asUser = process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
    const app = await startCaller("bun", paths, { distinct: 3 }, { via: asUser, env: { BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0" } });
    await app.calls(10);
    app.stop();
    const result = await app.exited;
    expect(result.code).toBe(0);
    const lines = result.stderr.trim().split("\n");
    expect(lines[0]).toStartWith(`[ecoai] usage log ${paths.logPath} failed: could not open it: unable to open database file`);
    // And at close, the rows it could not write.
    expect(lines[1]).toStartWith(`[ecoai] usage log ${paths.logPath}: ${app.finished} usage rows could not be written`);
    expect(lines).toHaveLength(2);
  });
});

const canMountTmpfs = spawnSync("unshare", ["-rm", "sh", "-c", `mount -t tmpfs -o size=64k tmpfs "${up.dir}"`]).status === 0;

describe("a full disk", () => {
  test.skipIf(!canMountTmpfs)("one warning for the cache and one for the log per outage, calls succeed, no row lost (needs unshare and a tmpfs mount: user namespaces)", async () => {
    const dir = join(up.dir, "small-disk");
    mkdirSync(dir);
    // The app's write-ahead logs grow until a checkpoint at 4 MB: by its last calls they hold
    // about 0.9 MB, which on a disk of 1 MB filled it again, now and then, after it was freed (a
    // second outage, rightly reported as one). 2 MB leaves them room: the one outage is the filler's.
    const child = Bun.spawn(
      ["unshare", "-rm", "sh", "-c", 'mount -t tmpfs -o size=2m tmpfs "$0" && exec "$@"', dir, BUN, join(FIXTURES, "full-disk.ts"), dir, up.sim.openaiBaseURL],
      { stdout: "pipe", stderr: "pipe" },
    );
    const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const outcome = JSON.parse(stdout) as { calls: number; failed: number; totalCalls: number; rows: number; warnings: string[]; sqlitePath: string; logPath: string };
    expect(outcome).toMatchObject({ calls: 70, failed: 0, totalCalls: 70, rows: 70 });
    expect(outcome.warnings).toEqual([
      `[ecoai] cache store sqlite ${outcome.sqlitePath} failed: database or disk is full (SQLITE_FULL); answers are served from it but new ones are not stored until it recovers`,
      `[ecoai] usage log ${outcome.logPath} failed: database or disk is full (SQLITE_FULL); calls go on and their rows wait in memory until it recovers`,
      `[ecoai] cache store sqlite ${outcome.sqlitePath} recovered; caching resumed`,
      `[ecoai] usage log ${outcome.logPath} recovered; waiting rows written`,
    ]);
  });
});
