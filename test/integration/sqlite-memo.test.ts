import { expect, test } from "bun:test";
import { join } from "node:path";
import { createSqliteStore } from "../../src/stores/sqlite.ts";
import { makeEntry } from "../stores/suite.ts";
import { tempDir } from "../temp.ts";

const WRITER = join(import.meta.dir, "..", "fixtures", "sqlite-writer.ts");
const dir = tempDir();

/** Runs one change in another process, returning once it has committed and exited. */
async function inAnotherProcess(path: string, ...args: string[]): Promise<void> {
  const child = Bun.spawn([process.execPath, WRITER, path, ...args], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(stdout).toBe("done\n");
}

/** Read several times, so that whatever a store keeps in memory of it is warm. */
async function readOften(store: ReturnType<typeof createSqliteStore>, key: string) {
  let last;
  for (let i = 0; i < 5; i++) last = await store.get(key);
  return last;
}

test("an entry served again and again is what the file holds now: another process's overwrite, delete, flush or plain UPDATE is seen at the very next read", async () => {
  const path = join(dir, "other-process.db");
  const reader = createSqliteStore({ path });
  await inAnotherProcess(path, "set", "k", '{"answer":1}');
  expect((await readOften(reader, "k"))?.body).toBe('{"answer":1}');

  await inAnotherProcess(path, "set", "k", '{"answer":2}');
  expect((await reader.get("k"))?.body).toBe('{"answer":2}');
  expect((await readOften(reader, "k"))?.body).toBe('{"answer":2}');

  await inAnotherProcess(path, "delete", "k");
  expect(await reader.get("k")).toBeUndefined();

  await inAnotherProcess(path, "set", "k", '{"answer":3}');
  expect((await readOften(reader, "k"))?.body).toBe('{"answer":3}');
  await inAnotherProcess(path, "update", "k", '{"answer":4}');
  expect((await reader.get("k"))?.body).toBe('{"answer":4}');

  expect((await readOften(reader, "k"))?.body).toBe('{"answer":4}');
  await inAnotherProcess(path, "flush");
  expect(await reader.get("k")).toBeUndefined();
  await reader.close();
});

test("a store's own writes, and those of another store on the same file in this process, are seen at the next read", async () => {
  const path = join(dir, "own-writes.db");
  const store = createSqliteStore({ path });
  const other = createSqliteStore({ path });
  await store.set(makeEntry({ key: "k", body: '{"answer":1}' }));
  expect((await readOften(store, "k"))?.body).toBe('{"answer":1}');
  expect((await readOften(other, "k"))?.body).toBe('{"answer":1}');

  await store.set(makeEntry({ key: "k", body: '{"answer":2}' }));
  expect((await store.get("k"))?.body).toBe('{"answer":2}');
  expect((await other.get("k"))?.body).toBe('{"answer":2}');
  await other.delete("k");
  expect(await store.get("k")).toBeUndefined();
  await other.set(makeEntry({ key: "k", body: '{"answer":3}' }));
  expect((await readOften(store, "k"))?.body).toBe('{"answer":3}');
  expect(await store.flush()).toBe(1);
  expect(await other.get("k")).toBeUndefined();
  expect(await store.get("k")).toBeUndefined();
  await store.close();
  await other.close();
});

test("a key another process adds is found at its first lookup, after lookups that found nothing: one entry, many in one write, under the rowids of deleted rows, after a flush", async () => {
  const path = join(dir, "new-keys.db");
  const reader = createSqliteStore({ path });
  await inAnotherProcess(path, "set", "first", '{"answer":1}');
  expect((await reader.get("first"))?.body).toBe('{"answer":1}');
  // Misses, with time between them for the store to read the file's keys and answer misses from memory.
  const missOften = async (key: string) => {
    for (let i = 0; i < 3; i++) {
      expect(await reader.get(key)).toBeUndefined();
      await Bun.sleep(5);
    }
  };
  await missOften("later");
  await inAnotherProcess(path, "set", "later", '{"answer":2}');
  expect((await reader.get("later"))?.body).toBe('{"answer":2}');

  await missOften("bulk-0");
  await inAnotherProcess(path, "set-many", "bulk", "1500");
  for (let i = 0; i < 1500; i += 1) expect((await reader.get(`bulk-${i}`))?.body).toBe(String(i));

  // The newest rows deleted: the next entry takes a rowid one of them had.
  await missOften("reused");
  await inAnotherProcess(path, "sql", "DELETE FROM cache_entries WHERE rowid > (SELECT max(rowid) - 3 FROM cache_entries)");
  await inAnotherProcess(path, "set", "reused", '{"answer":3}');
  expect((await reader.get("reused"))?.body).toBe('{"answer":3}');

  await missOften("after-flush");
  await inAnotherProcess(path, "flush");
  await inAnotherProcess(path, "set", "after-flush", '{"answer":4}');
  expect((await reader.get("after-flush"))?.body).toBe('{"answer":4}');
  expect(await reader.get("first")).toBeUndefined();
  await reader.close();
});
