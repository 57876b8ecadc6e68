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
