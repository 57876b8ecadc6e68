import { expect, test } from "bun:test";
import { createMemoryStore } from "../../src/stores/memory.ts";
import { makeEntry, runStoreSuite } from "./suite.ts";

runStoreSuite("memory", { create: () => createMemoryStore() });

test("memory store drops the least recently used entry beyond maxEntries", async () => {
  const store = createMemoryStore({ maxEntries: 2 });
  await store.set(makeEntry({ key: "a" }));
  await store.set(makeEntry({ key: "b" }));
  await store.get("a"); // a is now the most recent
  await store.set(makeEntry({ key: "c" }));
  expect(await store.get("b")).toBeUndefined();
  expect(await store.get("a")).toBeDefined();
  expect(await store.get("c")).toBeDefined();
});
