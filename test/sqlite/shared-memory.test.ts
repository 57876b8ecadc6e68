import { expect, test } from "bun:test";
import { readFileSync, statSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { createSqliteStore } from "../../src/stores/sqlite.ts";
import { makeEntry } from "../stores/suite.ts";
import { tempDir } from "../temp.ts";

const dir = tempDir();

/** POSIX locks this process holds on a file, from the kernel's own list. */
function locksHeldOn(file: string): number {
  const inode = statSync(file).ino;
  return readFileSync("/proc/locks", "utf8")
    .split("\n")
    .filter((line) => line.split(/\s+/)[4] === String(process.pid) && line.includes(`:${inode} `)).length;
}

test("a shared-memory file cut to nothing under an open store is grown back before the next read: the store keeps answering", async () => {
  const path = join(dir, "cut.db");
  const store = createSqliteStore({ path });
  const entry = makeEntry();
  await store.set(entry);
  expect(await store.get(entry.key)).toEqual(entry);
  const size = statSync(`${path}-shm`).size;
  expect(size).toBeGreaterThan(0);

  truncateSync(`${path}-shm`, 0);
  // Touching the cut pages would kill this process (SIGBUS); the store grows the file back first.
  expect(await store.get(entry.key)).toEqual(entry);
  await store.set(makeEntry({ key: "after the cut" }));
  expect(await store.get("after the cut")).toEqual(makeEntry({ key: "after the cut" }));
  expect(statSync(`${path}-shm`).size).toBeGreaterThanOrEqual(size);
  await store.close();
});

test.skipIf(process.platform !== "linux")("closing one store leaves the SQLite locks of another store on the same file in the process untouched", async () => {
  const path = join(dir, "two-stores.db");
  const first = createSqliteStore({ path });
  const second = createSqliteStore({ path });
  const entry = makeEntry();
  await first.set(entry);
  expect(await second.get(entry.key)).toEqual(entry);
  // SQLite holds a shared lock on its shared memory for as long as a connection has it open; a
  // process that loses it may see another process reset the memory under it.
  const held = locksHeldOn(`${path}-shm`);
  expect(held).toBeGreaterThan(0);

  for (let i = 0; i < 3; i++) {
    const passing = createSqliteStore({ path });
    expect(await passing.get(entry.key)).toEqual(entry);
    await passing.close();
  }
  await first.close();
  expect(locksHeldOn(`${path}-shm`)).toBe(held);
  expect(await second.get(entry.key)).toEqual(entry);
  await second.close();
});
