import { expect, test } from "bun:test";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createWriteBehind, MAX_BATCH_ENTRIES } from "../../src/cache/write-behind.ts";
import { CHECKPOINT_DELAY_MS, CHECKPOINT_WAL_BYTES } from "../../src/sqlite/checkpoints.ts";
import { createSqliteStore } from "../../src/stores/sqlite.ts";
import { createUsageLog } from "../../src/usage/log.ts";
import { makeEntry } from "../stores/suite.ts";
import { tempDir } from "../temp.ts";

const dir = tempDir();
const ROUNDS = 16;
const PER_ROUND = 60;
const BODY = "x".repeat(4096);

const walSize = (path: string) => statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0;

test("under steady writes the cache's WAL stays about SQLite's threshold long, checkpointed off the call's path", async () => {
  const path = join(dir, "steady.db");
  const store = createSqliteStore({ path });
  let afterFirstRound = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < PER_ROUND; i++) await store.set(makeEntry({ key: `round ${round} entry ${i}`, body: JSON.stringify({ text: BODY }) }));
    if (round === 0) afterFirstRound = walSize(path);
    // Time for the checkpoint that follows writes (as between bursts of calls).
    await Bun.sleep(CHECKPOINT_DELAY_MS + 100);
  }
  // Without checkpoints the WAL would hold every round's pages: twelve times the first round's.
  expect(afterFirstRound * ROUNDS).toBeGreaterThan(CHECKPOINT_WAL_BYTES * 3);
  expect(walSize(path)).toBeLessThan(CHECKPOINT_WAL_BYTES + afterFirstRound * 2);
  expect(await store.get(`round ${ROUNDS - 1} entry 0`)).toBeDefined();
  await store.close();
});

test("under writes that never pause (a batch of misses every few milliseconds), the cache's WAL starts over after the checkpoint thread's checkpoint instead of growing", async () => {
  const path = join(dir, "never-pausing.db");
  const store = createSqliteStore({ path });
  const writes = createWriteBehind(store, async (write) => (await write(), true));
  // Bodies of 4 KB: at least this many bytes reach the WAL, a dozen times its threshold.
  const entries = Math.ceil((12 * CHECKPOINT_WAL_BYTES) / BODY.length);
  for (let i = 0; i < entries; i += MAX_BATCH_ENTRIES) {
    for (let j = i; j < i + MAX_BATCH_ENTRIES; j++) void writes.enqueue({ entry: makeEntry({ key: `entry ${j}`, body: JSON.stringify({ text: BODY }) }) });
    // Writes land while the checkpoint thread copies the WAL: a checkpoint that leaves them out
    // (PASSIVE) would never let SQLite start the WAL over, which then only grows.
    await Bun.sleep(2);
  }
  await writes.close();
  // A WAL that starts over holds what was written since the last checkpoint (the timer's delay of
  // writes, on top of the threshold), not everything written (over 24 times the threshold, as 4 KB
  // bodies take two pages each with the index pages beside them).
  expect(walSize(path)).toBeLessThan(8 * CHECKPOINT_WAL_BYTES);
  expect(await store.get(`entry ${entries - 1}`)).toBeDefined();
  await store.close();
});

test("a write never checkpoints: the database file takes the WAL's pages only at the timer's checkpoint", async () => {
  const path = join(dir, "no-auto.db");
  const store = createSqliteStore({ path });
  const before = statSync(path).size;
  // Past 1,000 pages of WAL (SQLite's own threshold, which would checkpoint inside a commit).
  for (let i = 0; i < 1500; i++) await store.set(makeEntry({ key: `entry ${i}`, body: JSON.stringify({ text: BODY }) }));
  expect(walSize(path)).toBeGreaterThan(1000 * 4096);
  expect(statSync(path).size).toBe(before);
  await Bun.sleep(CHECKPOINT_DELAY_MS + 100);
  expect(statSync(path).size).toBeGreaterThan(1500 * 4096);
  await store.close();
});

test("the usage log's WAL stays bounded under steady writes too", async () => {
  const path = join(dir, "usage.db");
  const log = createUsageLog({ path, logger: console, flushIntervalMs: 10 });
  const prompt = "y".repeat(200);
  let afterFirstRound = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < 2000; i++) {
      log.record({ timestamp: Date.now(), provider: "openai", model: "gpt-4o-mini", cacheHit: false, semanticHit: false, cacheKey: `k${round}-${i}`, prompt, promptType: "text", usage: { inputTokens: 10, cachedInputTokens: 0, outputTokens: 10 }, latencyMs: 1 });
    }
    log.flush();
    if (round === 0) afterFirstRound = walSize(path);
    await Bun.sleep(CHECKPOINT_DELAY_MS + 100);
  }
  expect(log.summary().totalCalls).toBe(ROUNDS * 2000);
  expect(afterFirstRound * ROUNDS).toBeGreaterThan(CHECKPOINT_WAL_BYTES * 2);
  expect(walSize(path)).toBeLessThan(CHECKPOINT_WAL_BYTES + afterFirstRound * 2);
  log.close();
});

test("the checkpoint runs on a thread of its own: the WAL is copied into the database while the main thread is blocked", async () => {
  const path = join(dir, "off-thread.db");
  const store = createSqliteStore({ path });
  await store.set(makeEntry({ key: "first", body: JSON.stringify({ text: BODY }) }));
  const before = statSync(path).size;
  // Fires just after the store's checkpoint timer, which the first write started.
  const blocked = new Promise<{ atStart: number; grew: boolean }>((resolve) =>
    setTimeout(() => {
      const atStart = statSync(path).size;
      const until = Date.now() + 10_000;
      let grew = false;
      // Synchronous: nothing else runs on this thread until the database file grows or 10 s pass.
      while (!grew && Date.now() < until) grew = statSync(path).size > before;
      resolve({ atStart, grew });
    }, CHECKPOINT_DELAY_MS),
  );
  // Past SQLite's threshold, within the same turn of the event loop as the first write.
  for (let i = 0; i < 1500; i++) await store.set(makeEntry({ key: `entry ${i}`, body: JSON.stringify({ text: BODY }) }));
  expect(walSize(path)).toBeGreaterThan(CHECKPOINT_WAL_BYTES);
  const { atStart, grew } = await blocked;
  expect(atStart).toBe(before);
  expect(grew).toBe(true);
  expect(await store.get("entry 1499")).toBeDefined();
  await store.close();
  expect(walSize(path)).toBe(0);
});

test("the checkpoint thread grows back shared memory another process cut after the main thread last looked, instead of dying of SIGBUS", async () => {
  const path = join(dir, "cut-shm.db");
  const script = join(dir, "cut-shm.ts");
  // In a process of its own: a SIGBUS would end it.
  writeFileSync(
    script,
    `import { statSync, truncateSync } from "node:fs";
import { createSqliteStore } from ${JSON.stringify(join(import.meta.dir, "../../src/stores/sqlite.ts"))};
import { makeEntry } from ${JSON.stringify(join(import.meta.dir, "../stores/suite.ts"))};
const store = createSqliteStore({ path: ${JSON.stringify(path)} });
for (let i = 0; i < 1500; i++) await store.set(makeEntry({ key: "entry " + i, body: JSON.stringify({ text: "x".repeat(4096) }) }));
const before = statSync(${JSON.stringify(path)}).size;
// Cut before the checkpoint, which comes on the checkpoint thread with nothing on this one in between.
truncateSync(${JSON.stringify(path + "-shm")}, 0);
await Bun.sleep(${CHECKPOINT_DELAY_MS} + 300);
console.log(JSON.stringify({ checkpointed: statSync(${JSON.stringify(path)}).size > before }));
await store.close();
`,
  );
  const child = Bun.spawn([process.execPath, script], { stdout: "pipe", stderr: "pipe" });
  const [exitCode, stdout] = await Promise.all([child.exited, new Response(child.stdout).text()]);
  expect({ signal: child.signalCode, exitCode }).toEqual({ signal: null, exitCode: 0 });
  expect(JSON.parse(stdout)).toEqual({ checkpointed: true });
});
