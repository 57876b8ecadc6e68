import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { NODE, packOnce, runOk } from "../package/pack.ts";
import { nodeWithSqlite } from "../sqlite/node-runtime.ts";
import { openDatabase, type Database } from "../../src/sqlite/database.ts";
import { createUsageLog, type UsageLog } from "../../src/usage/log.ts";
import { runningWriteThread } from "../../src/usage/write-thread.ts";
import { recordingLogger } from "../harness.ts";
import { tempDir } from "../temp.ts";
import { promptRecord, writtenPrompts } from "./sample-record.ts";

const dir = tempDir("ecoai-write-thread-");
let files = 0;
const logPath = () => join(dir, `usage-${++files}.db`);

/** A background write comes once this many rows wait, at the next turn of the event loop. */
const MAX_PENDING = 50;
const FLUSH_INTERVAL_MS = 10;

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const blocker = new Int32Array(new SharedArrayBuffer(4));

/** Holds the log's write lock through a connection of its own, as another process would. */
function holdWriteLock(path: string): Database {
  const holder = openDatabase(path);
  holder.exec("BEGIN IMMEDIATE");
  return holder;
}

function release(holder: Database): void {
  holder.exec("COMMIT");
  holder.close();
}

/** Records a call with `prompt`, noting it in `recorded`, the rows the log must end up holding. */
function recordPrompt(log: UsageLog, recorded: string[], prompt: string): void {
  recorded.push(prompt);
  log.record(promptRecord(prompt));
}

/**
 * Records a batch of rows while another connection holds the log's write lock, lets the event
 * loop turn once (the background write starts, and waits for the lock or fails on it), releases
 * the lock, then blocks this thread until the rows are in, for at most half a second. Only a write on
 * another thread can land meanwhile. Tried until it does: the first writes of a log are made on
 * this thread while the write thread starts. True once a batch was written so.
 */
async function writtenWhileBlocked(log: UsageLog, path: string, recorded: string[]): Promise<boolean> {
  for (let attempt = 0; attempt < 40; attempt++) {
    // Past the wait after a write that failed on the lock.
    await new Promise((resolve) => setTimeout(resolve, FLUSH_INTERVAL_MS * 2));
    const before = writtenPrompts(path).length;
    const holder = holdWriteLock(path);
    for (let i = 0; i < MAX_PENDING; i++) {
      recordPrompt(log, recorded, `attempt ${attempt} row ${i}`);
    }
    await turn();
    release(holder);
    const until = Date.now() + 500;
    while (writtenPrompts(path).length === before && Date.now() < until) Atomics.wait(blocker, 0, 0, 5);
    if (writtenPrompts(path).length > before) return true;
  }
  return false;
}

/** A new log whose background writes, it was seen, go to the write thread; `recorded`: the rows it holds so far. */
async function logOnThread() {
  const path = logPath();
  const logger = recordingLogger();
  const log = createUsageLog({ path, logger, maxPending: MAX_PENDING, flushIntervalMs: FLUSH_INTERVAL_MS });
  const recorded: string[] = [];
  expect(await writtenWhileBlocked(log, path, recorded)).toBe(true);
  return { path, log, logger, recorded };
}

describe("background writes on the write thread", () => {
  test("a background write lands while the main thread is blocked: the rows are written by another thread", async () => {
    const { path, log, logger, recorded } = await logOnThread();
    expect(log.close()).toBe(0);
    expect(writtenPrompts(path)).toEqual(recorded);
    expect(logger.messages).toEqual([]);
  });

  test("flush() and close() right after a hand-over wait for the batch: every row once, in order", async () => {
    const { path, log, logger, recorded } = await logOnThread();
    for (const end of ["flush", "close"] as const) {
      // A backlog far past maxPending is handed over whole, the thread busy with it for milliseconds.
      for (let i = 0; i < MAX_PENDING * 8; i++) {
        recordPrompt(log, recorded, `before ${end} ${i}`);
      }
      await turn();
      for (let i = 0; i < 10; i++) {
        recordPrompt(log, recorded, `after the hand-over, before ${end} ${i}`);
      }
      if (end === "flush") expect(log.flush()).toBe(true);
      else expect(log.close()).toBe(0);
      expect(writtenPrompts(path)).toEqual(recorded);
    }
    // Nothing arrives late from the thread.
    for (let i = 0; i < 20; i++) await turn();
    expect(writtenPrompts(path)).toEqual(recorded);
    expect(logger.messages).toEqual([]);
  });

  test("a loop that never lets the event loop turn (hits served from memory) still hands its rows to the thread, batch after batch", async () => {
    const { path, log, logger, recorded } = await logOnThread();
    /** Blocks this thread, no turn of the event loop, until more than `count` rows are written (at most two seconds). */
    const writtenPast = (count: number) => {
      const until = Date.now() + 2000;
      while (writtenPrompts(path).length <= count && Date.now() < until) Atomics.wait(blocker, 0, 0, 5);
      return writtenPrompts(path).length;
    };
    for (let round = 0; round < 3; round++) {
      const seen = writtenPrompts(path).length;
      // Each round's rows past maxPending go to the thread from record(): the end of the last
      // round's batch is taken from the port without a turn, and the next one handed over.
      for (let i = 0; i < MAX_PENDING * 3; i++) recordPrompt(log, recorded, `round ${round} row ${i}`);
      expect(writtenPast(seen)).toBeGreaterThan(seen);
    }
    expect(log.close()).toBe(0);
    expect(writtenPrompts(path)).toEqual(recorded);
    expect(logger.messages).toEqual([]);
  });

  test("a batch that fails on the thread (another connection holds the lock) is reported once and written once the lock is released", async () => {
    const { path, log, logger, recorded } = await logOnThread();
    const holder = holdWriteLock(path);
    for (let i = 0; i < 500 && logger.messages.length === 0; i++) {
      recordPrompt(log, recorded, `while locked ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(logger.messages).toHaveLength(1);
    expect(logger.messages[0]).toContain(`usage log ${path} failed`);
    expect(logger.messages[0]).toContain("SQLITE_BUSY");
    release(holder);
    for (let i = 0; i < 500 && writtenPrompts(path).length < recorded.length; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(writtenPrompts(path)).toEqual(recorded);
    // The thread's reply may not have been received yet: flush() takes it.
    expect(log.flush()).toBe(true);
    expect(logger.messages).toHaveLength(2);
    expect(logger.messages[1]).toContain("recovered");
    expect(log.close()).toBe(0);
    expect(writtenPrompts(path)).toEqual(recorded);
  });

  test("a record JSON cannot carry (a BigInt token count) is written on the main thread, in its place among the others", async () => {
    const { path, log, logger, recorded } = await logOnThread();
    for (let i = 0; i < MAX_PENDING * 3; i++) {
      recorded.push(`around the odd one ${i}`);
      const odd = i === MAX_PENDING;
      log.record(odd ? { ...promptRecord(recorded.at(-1)!), usage: { inputTokens: 3n, cachedInputTokens: 0, outputTokens: 4 } as never } : promptRecord(recorded.at(-1)!));
    }
    for (let i = 0; i < 500 && writtenPrompts(path).length < recorded.length; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(writtenPrompts(path)).toEqual(recorded);
    expect(log.close()).toBe(0);
    expect(logger.messages).toEqual([]);
  });

  test("under Node, with node:sqlite and with better-sqlite3: the write thread writes, and the process ends on its own", async () => {
    // dist/ comes from the same build the tarball test packs.
    const [node22] = await Promise.all([nodeWithSqlite(), packOnce()]);
    const drivers = new Set<string>();
    for (const runtime of [node22, NODE]) {
      const path = logPath();
      const { stdout } = await runOk([runtime, join(import.meta.dir, "../fixtures/usage-write-thread.mjs"), path], { cwd: dir });
      const outcome = JSON.parse(stdout) as { driver: string; offThread: number; left: number; recorded: number; rows: number; warnings: string[] };
      expect(outcome).toMatchObject({ offThread: 2, left: 0, rows: outcome.recorded, warnings: [] });
      drivers.add(outcome.driver);
    }
    expect(drivers.has("node:sqlite")).toBe(true);
  }, 240_000);

  // Last: the process has no write thread after it.
  test("a write thread that dies loses no row: the batch it had is written on the main thread", async () => {
    const { path, log, recorded } = await logOnThread();
    for (let i = 0; i < MAX_PENDING * 8; i++) {
      recordPrompt(log, recorded, `handed over ${i}`);
    }
    await turn();
    await runningWriteThread()!.terminate();
    for (let i = 0; i < MAX_PENDING * 2; i++) {
      recordPrompt(log, recorded, `after it died ${i}`);
    }
    for (let i = 0; i < 20; i++) await turn();
    expect(log.close()).toBe(0);
    expect(writtenPrompts(path)).toEqual(recorded);
  });
});
