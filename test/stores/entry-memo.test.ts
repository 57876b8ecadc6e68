import { expect, test } from "bun:test";
import { createEntryMemo } from "../../src/stores/entry-memo.ts";
import { makeEntry } from "./suite.ts";

test("the memo holds its capacity at most, letting go of what was read least lately", () => {
  const memo = createEntryMemo(8);
  memo.set("hot", makeEntry({ key: "hot" }));
  for (let i = 0; i < 100; i++) {
    memo.set(`cold-${i}`, makeEntry({ key: `cold-${i}` }));
    // Read at every insertion: never the one to go.
    expect(memo.get("hot")?.key).toBe("hot");
  }
  const kept = Array.from({ length: 100 }, (_, i) => `cold-${i}`).filter((key) => memo.has(key));
  // The newest colds, in the room the hot entry leaves.
  expect(kept).toEqual(Array.from({ length: 7 }, (_, i) => `cold-${93 + i}`));
  expect(memo.has("hot")).toBe(true);
});

test("an entry read now and then, at least once per half the capacity of new entries, stays", () => {
  const memo = createEntryMemo(16);
  memo.set("warm", makeEntry({ key: "warm" }));
  for (let i = 0; i < 200; i++) {
    memo.set(`new-${i}`, makeEntry({ key: `new-${i}` }));
    if (i % 8 === 0) expect(memo.get("warm")?.key).toBe("warm");
  }
  expect(memo.has("warm")).toBe(true);
  // Not read for a whole capacity of new entries: gone.
  for (let i = 0; i < 16; i++) memo.set(`later-${i}`, makeEntry({ key: `later-${i}` }));
  expect(memo.get("warm")).toBeUndefined();
});

test("each read hands out its own copy; an entry past its time is not served", () => {
  const memo = createEntryMemo(4);
  const entry = makeEntry({ key: "k", semantic: { scope: "s", vector: new Float32Array([1, 2]) } });
  memo.set("k", entry);
  const first = memo.get("k")!;
  first.usage.inputTokens = 999;
  first.semantic!.vector[0] = 42;
  first.body = "changed";
  expect(memo.get("k")).toEqual(entry);
  memo.set("old", makeEntry({ key: "old" }), Date.now() - 1);
  expect(memo.get("old")).toBeUndefined();
  expect(memo.has("old")).toBe(false);
});
