import { expect, test } from "bun:test";
import { join } from "node:path";
import { createSqliteStore } from "../../src/stores/sqlite.ts";
import { makeEntry } from "../stores/suite.ts";
import { tempDir } from "../temp.ts";

const dir = tempDir();

test("a loop of SQLite hits lets the event loop turn every few milliseconds", async () => {
  const store = createSqliteStore({ path: join(dir, "loop.db") });
  const entry = makeEntry({ key: "looped" });
  await store.set(entry);
  let turns = 0;
  let running = true;
  const count = () => {
    turns++;
    if (running) setImmediate(count);
  };
  setImmediate(count);
  const end = performance.now() + 200;
  let hits = 0;
  while (performance.now() < end) {
    expect((await store.get(entry.key))?.key).toBe("looped");
    hits++;
  }
  running = false;
  // Without the turns, the immediate chain would have run once at most, after the loop.
  expect(hits).toBeGreaterThan(100);
  expect(turns).toBeGreaterThan(5);
  await store.close();
});

test("a lookup after an idle moment answers at once, without waiting for a turn of the event loop", async () => {
  const store = createSqliteStore({ path: join(dir, "idle.db") });
  const entry = makeEntry({ key: "idle" });
  await store.set(entry);
  for (const idleMs of [2, 20, 50]) {
    await Bun.sleep(idleMs);
    const order: string[] = [];
    setImmediate(() => order.push("turn"));
    expect((await store.get(entry.key))?.key).toBe("idle");
    order.push("answered");
    expect(order).toEqual(["answered"]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(["answered", "turn"]);
  }
  await store.close();
});
