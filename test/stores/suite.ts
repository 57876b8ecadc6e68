import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { CODE_HEADER_BYTES, decodeVector } from "../../src/cache/vector-code.ts";
import type { CacheEntry, Store, StoredVector, VectorBatch } from "../../src/stores/store.ts";

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

/**
 * The values a listing stands for: the vector itself, or what its code decodes to (one byte a
 * dimension, so within half a step, 1/254 of the largest value, of the vector).
 */
export function listedValues(listed: StoredVector): number[] {
  if (listed.vector) return Array.from(listed.vector);
  if (!listed.code) throw new Error(`listing of ${listed.key} has neither a code nor a vector`);
  return Array.from(decodeVector(listed.code));
}

/** Asserts that `listed` stands for `expected` (exactly, or within the code's rounding). */
export function expectListedVector(listed: StoredVector, expected: number[]): void {
  const values = listedValues(listed);
  const step = Math.max(...expected.map(Math.abs)) / 254 + 1e-7;
  expect(values).toHaveLength(expected.length);
  values.forEach((value, i) => expect(Math.abs(value - expected[i]!)).toBeLessThanOrEqual(step));
}

/** The vectors of a batch listing, one by one as `vectorsSince` lists them (each code copied out of the batch). */
export function unbatched(batch: VectorBatch): StoredVector[] {
  expect(batch.codes.byteLength).toBe(batch.count * batch.codeBytes);
  expect(batch.keys).toHaveLength(batch.count);
  expect(batch.createdAt).toHaveLength(batch.count);
  return Array.from({ length: batch.count }, (_, i) => ({
    key: batch.keys[i]!,
    createdAt: batch.createdAt[i]!,
    code: batch.codes.slice(i * batch.codeBytes, (i + 1) * batch.codeBytes),
  }));
}

export interface StoreSuiteOptions {
  /** A fresh, empty store. */
  create: () => Store | Promise<Store>;
  /** A second handle on the same data, when the backend is shared (SQLite file, Redis). */
  reopen?: () => Store | Promise<Store>;
  /**
   * Whether the store keeps semantic vectors (`vectorsSince`); a store that does not says so here
   * and its vector cases are skipped.
   * @default true
   */
  vectors?: boolean;
  /**
   * Whether the store also lists vectors in batches (`vectorBatchesSince`), as a store that
   * persists them does for a fast cold load.
   * @default false
   */
  vectorBatches?: boolean;
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

    test("an entry's evidence (verified semantic caching) comes back with it, and goes when it is replaced without", async () => {
      const entry = makeEntry({ evidence: '{"v":1,"checks":[[0.91,1]]}' });
      await store.set(entry);
      expect((await store.get(entry.key))?.evidence).toBe(entry.evidence);
      const { evidence: _, ...without } = entry;
      await store.set(without);
      expect((await store.get(entry.key))?.evidence).toBeUndefined();
    });

    test("getNow (when the store has it) answers as get does, without a promise when it need not wait", async () => {
      if (!store.getNow) return;
      const entry = makeEntry({ key: "now" });
      await store.set(entry);
      for (const key of ["now", "missing"]) {
        const answered = store.getNow(key);
        expect(answered instanceof Promise ? await answered : answered).toEqual(await store.get(key));
      }
      // Right after a turn of the event loop, a store that reads synchronously has no reason to wait.
      await new Promise((resolve) => setImmediate(resolve));
      expect(store.getNow("now")).toEqual(entry);
      await store.delete("now");
      await new Promise((resolve) => setImmediate(resolve));
      expect(store.getNow("now")).toBeUndefined();
    });

    test("set replaces an entry with the same key", async () => {
      const first = makeEntry({ key: "same" });
      await store.set(first);
      await store.set({ ...first, body: '{"v":2}', createdAt: first.createdAt + 5 });
      const stored = await store.get("same");
      expect(stored?.body).toBe('{"v":2}');
      expect(stored?.createdAt).toBe(first.createdAt + 5);
    });

    test("setMany writes every entry as set would, the later of two writes of one key winning", async () => {
      expect(typeof store.setMany).toBe("function");
      const plain = makeEntry({ namespace: "tenant-a", prompt: "ünïcødé ✓" });
      const replaced = makeEntry({ key: "replaced", body: '{"v":1}' });
      await store.set(makeEntry({ key: "replaced", body: '{"v":0}', evidence: "old" }));
      const withEvidence = makeEntry({ evidence: '{"v":1,"checks":[]}' });
      await store.setMany!([{ entry: plain }, { entry: replaced }, { entry: withEvidence }, { entry: { ...replaced, body: '{"v":2}', createdAt: replaced.createdAt + 5 } }]);
      expect(await store.get(plain.key)).toEqual(plain);
      expect(await store.get(withEvidence.key)).toEqual(withEvidence);
      expect(await store.get("replaced")).toEqual({ ...replaced, body: '{"v":2}', createdAt: replaced.createdAt + 5 });
      await store.setMany!([]);
      expect(await store.flush()).toBe(3);
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

    test('flush by namespace "" removes the entries written without one; undefined removes every namespace', async () => {
      await store.set(makeEntry({ key: "none" }));
      await store.set(makeEntry({ key: "a", namespace: "tenant-a" }));
      await store.set(makeEntry({ key: "b", namespace: "tenant-b" }));
      expect(await store.flush({ namespace: "" })).toBe(1);
      expect(await store.get("none")).toBeUndefined();
      expect(await store.get("a")).toBeDefined();
      expect(await store.flush({ namespace: undefined })).toBe(2);
      expect(await store.get("b")).toBeUndefined();
    });

    describe.skipIf(options.vectors === false)("vectorsSince (semantic vectors; skipped for stores without them)", () => {
      const vector = (...values: number[]) => new Float32Array(values);
      const withVector = (key: string, scope: string, createdAt: number, values: number[]) =>
        makeEntry({ key, createdAt, semantic: { scope, vector: vector(...values) } });

      test("an entry's vector comes back with it", async () => {
        expect(typeof store.vectorsSince).toBe("function");
        const entry = withVector("v", "scope-a", 1_000, [0.6, -0.8, 0]);
        await store.set(entry);
        const stored = await store.get("v");
        expect(stored?.semantic?.scope).toBe("scope-a");
        expect(Array.from(stored!.semantic!.vector)).toEqual(Array.from(entry.semantic!.vector));
      });

      test("setMany keeps each entry's vector and lists it by scope", async () => {
        await store.setMany!([
          { entry: withVector("one", "scope-a", 1_000, [1, 0, 0]) },
          { entry: makeEntry({ key: "plain", createdAt: 1_500 }) },
          { entry: withVector("two", "scope-a", 2_000, [0, 1, 0]) },
        ]);
        expect(Array.from((await store.get("two"))!.semantic!.vector)).toEqual([0, 1, 0]);
        const listed = await store.vectorsSince!("scope-a", 0);
        expect(listed.map((v) => v.key)).toEqual(["one", "two"]);
        expectListedVector(listed[0]!, [1, 0, 0]);
      });

      test("lists one scope's vectors written at or after `since`, oldest first", async () => {
        expect(typeof store.vectorsSince).toBe("function");
        await store.set(withVector("late", "scope-a", 3_000, [0, 0, 1]));
        await store.set(withVector("early", "scope-a", 1_000, [1, 0, 0]));
        await store.set(withVector("middle", "scope-a", 2_000, [0, 1, 0]));
        await store.set(withVector("other", "scope-b", 2_500, [1, 0, 0]));
        await store.set(makeEntry({ key: "plain", createdAt: 2_600 }));
        const all = await store.vectorsSince!("scope-a", 0);
        expect(all.map((v) => v.key)).toEqual(["early", "middle", "late"]);
        expect(all.map((v) => v.createdAt)).toEqual([1_000, 2_000, 3_000]);
        expectListedVector(all[1]!, [0, 1, 0]);
        expect((await store.vectorsSince!("scope-a", 2_000)).map((v) => v.key)).toEqual(["middle", "late"]);
        expect(await store.vectorsSince!("scope-c", 0)).toEqual([]);
      });

      test("deleted, flushed and replaced-without-vector entries are not listed", async () => {
        expect(typeof store.vectorsSince).toBe("function");
        await store.set(withVector("deleted", "s", 1_000, [1, 0]));
        await store.set(withVector("flushed", "s", 1_000, [0, 1]));
        await store.set(withVector("replaced", "s", 1_000, [1, 1]));
        await store.set(withVector("kept", "s", 1_000, [1, -1]));
        await store.delete("deleted");
        await store.flush({ matchPrompt: () => false });
        await store.set({ ...withVector("flushed", "s", 1_000, [0, 1]), model: "gone-model" });
        await store.flush({ model: "gone-model" });
        await store.set(makeEntry({ key: "replaced", createdAt: 1_000 }));
        expect((await store.vectorsSince!("s", 0)).map((v) => v.key)).toEqual(["kept"]);
        await store.flush();
        expect(await store.vectorsSince!("s", 0)).toEqual([]);
      });

      test.skipIf(!options.vectorBatches)("batches list the same as vectorsSince, whatever the keys, lengths and ties at a batch's edge (skipped for stores without batches)", async () => {
        expect(typeof store.vectorBatchesSince).toBe("function");
        // Past a few batches of any size a store reads, with write times shared across the edges, keys of
        // several lengths (one outside the BMP), and vectors of two lengths (two embedding models).
        const entries = Array.from({ length: 2600 }, (_, n) =>
          withVector(n === 7 ? "emoji 🙂 key" : `k${n}${"x".repeat(n % 5)}`, "big", 1_000 + Math.floor(n / 300), n % 500 === 3 ? [1, n, 2] : [n, 1, -n, 2]),
        );
        for (let n = 0; n < entries.length; n += 100) await Promise.all(entries.slice(n, n + 100).map((entry) => store.set(entry)));
        await store.set(withVector("elsewhere", "small", 1_004, [1, 1]));
        for (const since of [0, 1_004]) {
          const batched: StoredVector[] = [];
          await store.vectorBatchesSince!("big", since, (batch) => batched.push(...unbatched(batch)));
          const listed = await store.vectorsSince!("big", since);
          expect(listed.length).toBe(since === 0 ? 2600 : 2600 - 4 * 300);
          const byKey = (list: StoredVector[]) => list.map((v) => `${v.key}@${v.createdAt}`).sort();
          expect(byKey(batched)).toEqual(byKey(listed));
          const codes = new Map(listed.map((v) => [v.key, Array.from(v.code!)]));
          for (const v of batched) expect(Array.from(v.code!)).toEqual(codes.get(v.key)!);
          expect(batched.map((v) => v.createdAt)).toEqual([...batched.map((v) => v.createdAt)].sort((a, b) => a - b));
          // Asked for headers only: each code's header, and its whole length.
          const heads = new Map<string, number[]>();
          await store.vectorBatchesSince!("big", since, (batch) => {
            const stride = batch.headsOnly ? CODE_HEADER_BYTES : batch.codeBytes;
            for (let i = 0; i < batch.count; i++) heads.set(batch.keys[i]!, [batch.codeBytes, ...batch.codes.subarray(i * stride, i * stride + CODE_HEADER_BYTES)]);
          }, { headsOnly: true });
          expect(heads.size).toBe(listed.length);
          for (const v of listed) expect(heads.get(v.key)).toEqual([v.code!.byteLength, ...v.code!.subarray(0, CODE_HEADER_BYTES)]);
        }
        await store.flush();
      });

      if (options.reopen) {
        test("vectors are listed through another handle", async () => {
          expect(typeof store.vectorsSince).toBe("function");
          await store.set(withVector("shared", "s", 5_000, [0.5, 0.5]));
          const other = await options.reopen!();
          try {
            const listed = await other.vectorsSince!("s", 0);
            expect(listed.map((v) => v.key)).toEqual(["shared"]);
            expectListedVector(listed[0]!, [0.5, 0.5]);
          } finally {
            await other.close();
          }
        });
      }
    });

    test("a lock is held by one caller until released or expired (when the store has locks)", async () => {
      // Locks are one capability: a store offers all three methods or none.
      expect(store.releaseLock === undefined).toBe(store.acquireLock === undefined);
      expect(store.renewLock === undefined).toBe(store.acquireLock === undefined);
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

    test("a renewed lock outlives its first lifetime; a lock that expired cannot be renewed (when the store has locks)", async () => {
      if (!store.acquireLock || !store.renewLock) return;
      expect(await store.acquireLock("lock-renewed", 150)).toBe(true);
      for (let i = 0; i < 4; i++) {
        await Bun.sleep(60);
        expect(await store.renewLock("lock-renewed", 150)).toBe(true);
      }
      // 240 ms after it was taken for 150 ms, the lock is still held.
      expect(await store.acquireLock("lock-renewed", 150)).toBe(false);
      await Bun.sleep(220);
      expect(await store.renewLock("lock-renewed", 150)).toBe(false);
      expect(await store.acquireLock("lock-renewed", 150)).toBe(true);
      expect(await store.renewLock("never-taken", 150)).toBe(false);
    });

    if (options.reopen) {
      test("a lock held through one handle is refused to another, which cannot renew it", async () => {
        if (!store.acquireLock || !store.renewLock) return;
        const other = await options.reopen!();
        try {
          expect(await store.acquireLock("renewed-elsewhere", 10_000)).toBe(true);
          expect(await other.renewLock!("renewed-elsewhere", 10_000)).toBe(false);
        } finally {
          await other.close();
        }
      });

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
