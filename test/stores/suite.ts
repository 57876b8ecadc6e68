import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { CacheEntry, Store } from "../../src/stores/store.ts";

/** A valid entry; fields overridable per test. */
export function makeEntry(overrides: Partial<CacheEntry> = {}): CacheEntry {
  return {
    key: overrides.key ?? `key-${Math.random().toString(36).slice(2)}`,
    body: JSON.stringify({ id: "chatcmpl-1", choices: [{ message: { content: "Paris" } }] }),
    createdAt: 1_700_000_000_000,
    provider: "openai",
    endpoint: "chat.completions",
    model: "gpt-4o",
    namespace: "",
    prompt: "What is the capital of France?",
    promptType: "text",
    usage: { inputTokens: 12, cachedInputTokens: 2, outputTokens: 3 },
    ...overrides,
  };
}

export interface StoreSuiteOptions {
  /** A fresh, empty store. */
  create: () => Store | Promise<Store>;
  /** A second handle on the same data, when the backend is shared (SQLite file, Redis). */
  reopen?: () => Store | Promise<Store>;
}

/** The behaviour every store must have, run by each backend's test file. */
export function runStoreSuite(name: string, options: StoreSuiteOptions): void {
  describe(`${name} store`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await options.create();
    });
    afterEach(async () => {
      await store.close();
    });

    test("get of an unknown key is undefined", async () => {
      expect(await store.get("missing")).toBeUndefined();
    });

    test("set then get returns every field unchanged", async () => {
      const entry = makeEntry({ namespace: "tenant-a", promptType: "image", prompt: "ünïcødé ✓ <b>" });
      await store.set(entry);
      expect(await store.get(entry.key)).toEqual(entry);
    });

    test("set replaces an entry with the same key", async () => {
      const first = makeEntry({ key: "same" });
      await store.set(first);
      await store.set({ ...first, body: '{"v":2}', createdAt: first.createdAt + 5 });
      const stored = await store.get("same");
      expect(stored?.body).toBe('{"v":2}');
      expect(stored?.createdAt).toBe(first.createdAt + 5);
    });

    test("delete removes one entry and says whether it existed", async () => {
      const entry = makeEntry();
      await store.set(entry);
      expect(await store.delete(entry.key)).toBe(true);
      expect(await store.delete(entry.key)).toBe(false);
      expect(await store.get(entry.key)).toBeUndefined();
    });

    test("flush with no filter removes everything and counts it", async () => {
      for (let i = 0; i < 5; i++) await store.set(makeEntry({ key: `k${i}` }));
      expect(await store.flush()).toBe(5);
      expect(await store.get("k0")).toBeUndefined();
    });

    test("flush by model, namespace and prompt predicate removes only matches", async () => {
      await store.set(makeEntry({ key: "a", model: "gpt-4o", prompt: "refund my order" }));
      await store.set(makeEntry({ key: "b", model: "gpt-4o-mini", prompt: "refund please" }));
      await store.set(makeEntry({ key: "c", model: "gpt-4o", prompt: "weather today" }));
      await store.set(makeEntry({ key: "d", model: "gpt-4o", prompt: "refund again", namespace: "t1" }));
      expect(await store.flush({ model: "gpt-4o", namespace: "", matchPrompt: (p) => p.includes("refund") })).toBe(1);
      expect(await store.get("a")).toBeUndefined();
      expect(await store.get("b")).toBeDefined();
      expect(await store.get("c")).toBeDefined();
      expect(await store.get("d")).toBeDefined();
      expect(await store.flush({ namespace: "t1" })).toBe(1);
      expect(await store.flush({ model: "gpt-4o-mini" })).toBe(1);
      expect(await store.get("c")).toBeDefined();
    });

    test("a lock is held by one caller until released or expired (when the store has locks)", async () => {
      // Locks are one capability: a store offers both methods or neither.
      expect(store.releaseLock === undefined).toBe(store.acquireLock === undefined);
      if (!store.acquireLock || !store.releaseLock) return;
      expect(await store.acquireLock("lock-a", 10_000)).toBe(true);
      expect(await store.acquireLock("lock-a", 10_000)).toBe(false);
      expect(await store.acquireLock("lock-b", 10_000)).toBe(true);
      await store.releaseLock("lock-a");
      expect(await store.acquireLock("lock-a", 10_000)).toBe(true);
      expect(await store.acquireLock("lock-short", 30)).toBe(true);
      await Bun.sleep(80);
      expect(await store.acquireLock("lock-short", 10_000)).toBe(true);
    });

    if (options.reopen) {
      test("a lock held through one handle is refused to another, which cannot release it", async () => {
        expect(store.releaseLock === undefined).toBe(store.acquireLock === undefined);
        if (!store.acquireLock) return;
        const other = await options.reopen!();
        try {
          expect(await store.acquireLock("shared-lock", 10_000)).toBe(true);
          expect(await other.acquireLock!("shared-lock", 10_000)).toBe(false);
          await other.releaseLock!("shared-lock");
          expect(await other.acquireLock!("shared-lock", 10_000)).toBe(false);
          await store.releaseLock!("shared-lock");
          expect(await other.acquireLock!("shared-lock", 10_000)).toBe(true);
        } finally {
          await other.close();
        }
      });

      test("entries are visible through another handle", async () => {
        const entry = makeEntry();
        await store.set(entry);
        const other = await options.reopen!();
        try {
          expect(await other.get(entry.key)).toEqual(entry);
        } finally {
          await other.close();
        }
      });
    }
  });
}
