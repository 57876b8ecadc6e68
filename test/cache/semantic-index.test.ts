import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createLexicalEmbedder } from "../../src/cache/lexical-embedder.ts";
import { createSemanticIndex } from "../../src/cache/semantic-index.ts";
import { dotAt, unitVector } from "../../src/cache/vector-sketch.ts";
import { createMemoryStore } from "../../src/stores/memory.ts";
import { createSqliteStore } from "../../src/stores/sqlite.ts";
import { openDatabase } from "../../src/sqlite/database.ts";
import { createHash } from "node:crypto";
import type { Store } from "../../src/stores/store.ts";
import { makeEntry } from "../stores/suite.ts";
import { tempDir } from "../temp.ts";

const DIMS = 256;
let seed = 12345;
function random(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}
function randomUnit(dims = DIMS): Float32Array {
  return unitVector(Array.from({ length: dims }, () => random() * 2 - 1))!;
}
/** A unit vector at cosine `cosine` from the unit vector `source`. */
function near(source: Float32Array, cosine: number): Float32Array {
  const noise = randomUnit(source.length);
  const along = dotAt(source, noise, 0, source.length);
  const orthogonal = unitVector(noise.map((value, i) => value - along * source[i]!))!;
  const sine = Math.sqrt(1 - cosine * cosine);
  return source.map((value, i) => cosine * value + sine * orthogonal[i]!);
}

describe("semantic index", () => {
  test.each([0.95, 0.8])("returns the exact scan's best match at threshold %p", async (threshold) => {
    const index = createSemanticIndex({});
    const stored = Array.from({ length: 2_000 }, () => randomUnit());
    stored.forEach((vector, i) => index.add("s", `k${i}`, vector));
    let agreed = 0;
    let matched = 0;
    const queries = 300;
    for (let q = 0; q < queries; q++) {
      const query = q % 3 === 2 ? randomUnit() : near(stored[Math.floor(random() * stored.length)]!, threshold - 0.05 + random() * 0.1);
      let best: string | undefined;
      let bestScore: number = threshold;
      stored.forEach((vector, i) => {
        const score = dotAt(query, vector, 0, DIMS);
        if (score >= bestScore) [best, bestScore] = [`k${i}`, score];
      });
      const [found] = await index.search("s", query, threshold, 1);
      if (best !== undefined) matched++;
      if (found?.key === best) agreed++;
    }
    expect(matched).toBeGreaterThan(60);
    expect(agreed).toBe(queries);
  });

  test("returns the exact scan's best match for sparse, lexical vectors of reworded prompts", async () => {
    const embed = createLexicalEmbedder();
    const words = "order parcel delayed tracking refund return policy courier invoice voucher gift delivery damaged photo novel author".split(" ");
    const sentence = () => Array.from({ length: 6 + Math.floor(random() * 6) }, () => words[Math.floor(random() * words.length)]).join(" ");
    const reword = (text: string) => text.split(" ").map((word) => (random() < 0.15 ? words[Math.floor(random() * words.length)] : word)).join(" ");
    const texts = Array.from({ length: 1_000 }, sentence);
    const stored = await Promise.all(texts.map(embed));
    const index = createSemanticIndex({});
    stored.forEach((vector, i) => index.add("s", `k${i}`, vector));
    let matched = 0;
    for (let q = 0; q < 200; q++) {
      const query = await embed(reword(texts[Math.floor(random() * texts.length)]!));
      let best: string | undefined;
      let bestScore = 0.8;
      stored.forEach((vector, i) => {
        const score = dotAt(query, vector, 0, vector.length);
        if (score >= bestScore) [best, bestScore] = [`k${i}`, score];
      });
      if (best !== undefined) matched++;
      expect((await index.search("s", query, 0.8, 1))[0]?.key).toBe(best!);
    }
    expect(matched).toBeGreaterThan(50);
  });

  test("scopes never see each other's vectors", async () => {
    const index = createSemanticIndex({});
    const vector = randomUnit();
    index.add("a", "ka", vector);
    expect(await index.search("b", vector, 0.5)).toEqual([]);
    expect((await index.search("a", vector, 0.5)).map((m) => m.key)).toEqual(["ka"]);
  });

  test("dropped vectors, and vectors of another length, are not found; compaction keeps the rest", async () => {
    const index = createSemanticIndex({});
    const vectors = Array.from({ length: 3_000 }, () => randomUnit());
    vectors.forEach((vector, i) => index.add("s", `k${i}`, vector));
    index.add("s", "short", randomUnit(DIMS / 2));
    for (let i = 0; i < 2_500; i++) index.drop("s", `k${i}`);
    expect(index.size).toBe(500);
    expect(await index.search("s", vectors[10]!, 0.9)).toEqual([]);
    const [found] = await index.search("s", vectors[2_900]!, 0.9);
    expect(found?.key).toBe("k2900");
    expect(found!.score).toBeCloseTo(1, 5);
  });

  test("loads a scope from the store once, then picks up what another handle wrote", async () => {
    const path = join(tempDir(), "index.db");
    const writer = createSqliteStore({ path });
    const reader = createSqliteStore({ path });
    const first = randomUnit();
    await writer.set(makeEntry({ key: "first", createdAt: Date.now(), semantic: { scope: "s", vector: first } }));
    const index = createSemanticIndex(reader);
    expect((await index.search("s", first, 0.99)).map((m) => m.key)).toEqual(["first"]);
    const second = randomUnit();
    await writer.set(makeEntry({ key: "second", createdAt: Date.now(), semantic: { scope: "s", vector: second } }));
    expect((await index.search("s", second, 0.99)).map((m) => m.key)).toEqual(["second"]);
    expect(index.size).toBe(2);
    await writer.close();
    await reader.close();
  });

  test("a scope loaded in batches from SQLite: codes of another format are encoded afresh, vectors of another length passed over", async () => {
    const path = join(tempDir(), "batches.db");
    const store = createSqliteStore({ path });
    const vectors = Array.from({ length: 2_100 }, () => randomUnit());
    for (const [i, vector] of vectors.entries()) await store.set(makeEntry({ key: `k${i}`, createdAt: 1_000 + i, semantic: { scope: "s", vector } }));
    await store.set(makeEntry({ key: "other model", createdAt: 1_500, semantic: { scope: "s", vector: randomUnit(DIMS * 2) } }));
    // Codes of no current format (format byte 0, nothing usable after it), in the first and the last batch.
    const db = openDatabase(path);
    db.prepare("UPDATE cache_vectors SET code = zeroblob(length(code)) WHERE key IN ('k3', 'k2050')").run();
    db.close();
    const index = createSemanticIndex(store);
    for (const n of [3, 1_500, 2_050, 2_099]) {
      const [found] = await index.search("s", vectors[n]!, 0.99);
      expect(found?.key).toBe(`k${n}`);
      expect(found!.score).toBeCloseTo(1, 5);
    }
    expect(index.size).toBe(2_100);
    await store.close();
  }, 30_000);

  test("a first load from SQLite reads the codes' headers: searches are exact at once, read pending codes on demand, and none once the rest is read in", async () => {
    const sqlite = createSqliteStore({ path: join(tempDir(), "heads.db") });
    const vectors = Array.from({ length: 3_000 }, () => randomUnit());
    for (const [i, vector] of vectors.entries()) await sqlite.set(makeEntry({ key: `k${i}`, createdAt: 1_000 + i, semantic: { scope: "s", vector } }));
    const asked: string[] = [];
    const listings: boolean[] = [];
    const store: Store = {
      ...sqlite,
      vectorBatchesSince: (scope, since, each, options) => (listings.push(options?.headsOnly ?? false), sqlite.vectorBatchesSince!(scope, since, each, options)),
      vectorCodes: (keys, each) => (asked.push(...keys), sqlite.vectorCodes!(keys, each)),
    };
    const index = createSemanticIndex(store);
    const query = near(vectors[2_500]!, 0.97);
    const [found] = await index.search("s", query, 0.9);
    expect(found?.key).toBe("k2500");
    expect(found!.score).toBe(dotAt(query, vectors[2_500]!, 0, DIMS));
    // The first search read the headers only; what it had to score, it read the codes of.
    expect(listings[0]).toBe(true);
    expect(asked).toContain("k2500");
    expect(asked.length).toBeLessThan(300);
    await index.filled();
    expect(listings).toEqual([true, false]);
    asked.length = 0;
    await sqlite.delete("k17");
    for (const n of [17, 1_234, 2_999]) {
      const matches = await index.search("s", vectors[n]!, 0.99);
      expect(matches.map((m) => m.key)).toEqual(n === 17 ? [] : [`k${n}`]);
    }
    expect(asked).toEqual([]);
    expect(index.held("s")).toBe(2_999);
    await sqlite.close();
  }, 30_000);

  test("clear forgets everything; the next search reloads from the store", async () => {
    const store = createMemoryStore();
    const vector = randomUnit();
    await store.set(makeEntry({ key: "kept", semantic: { scope: "s", vector } }));
    const index = createSemanticIndex(store);
    index.add("s", "gone", randomUnit());
    index.clear();
    expect(index.size).toBe(0);
    expect((await index.search("s", vector, 0.9)).map((m) => m.key)).toEqual(["kept"]);
    expect(index.size).toBe(1);
  });
});

describe("compact vectors, exact answers", () => {
  const digest = (n: number) => createHash("sha256").update(`prompt ${n}`).digest("hex");

  /** A store that counts the entries read back through `get`. */
  function counting(store: Store) {
    const reads: string[] = [];
    return { store: { ...store, get: async (key: string) => (reads.push(key), store.get(key)) }, reads };
  }

  test("through a SQLite store: the exact scan's best match and scores, reading back only the few survivors", async () => {
    const sqlite = createSqliteStore({ path: join(tempDir(), "exact.db") });
    const stored = Array.from({ length: 800 }, () => randomUnit());
    for (const [i, vector] of stored.entries()) await sqlite.set(makeEntry({ key: digest(i), createdAt: 1000 + i, semantic: { scope: "s", vector } }));
    const { store, reads } = counting(sqlite);
    const index = createSemanticIndex(store);
    let matched = 0;
    for (let q = 0; q < 150; q++) {
      const query = q % 3 === 2 ? randomUnit() : near(stored[Math.floor(random() * stored.length)]!, 0.9 + random() * 0.1);
      const exact = stored.map((vector, i) => ({ key: digest(i), score: dotAt(query, vector, 0, DIMS) })).filter((m) => m.score >= 0.85);
      exact.sort((a, b) => b.score - a.score);
      reads.length = 0;
      const found = await index.search("s", query, 0.85, 8);
      // The same list, with the float32 scores themselves, not approximations of them.
      expect(found.map((m) => [m.key, m.score])).toEqual(exact.slice(0, 8).map((m) => [m.key, m.score]));
      expect(found.every((m) => m.entry?.key === m.key)).toBe(true);
      expect(reads.length).toBeLessThanOrEqual(exact.length + 2);
      if (exact.length > 0) matched++;
    }
    expect(matched).toBeGreaterThan(60);
    await sqlite.close();
  }, 30_000);

  test("near-ties closer than the codes' error are settled by the exact vectors", async () => {
    const memory = createMemoryStore({ maxEntries: 100 });
    const query = randomUnit();
    // Eleven stored prompts within 0.0005 of each other in cosine: far inside what one byte a dimension resolves.
    const stored = Array.from({ length: 11 }, (_, i) => near(query, 0.96 + i * 0.00005));
    const order = [...stored.keys()].sort(() => random() - 0.5);
    for (const i of order) await memory.set(makeEntry({ key: digest(i), createdAt: 1000 + i, semantic: { scope: "s", vector: stored[i]! } }));
    const index = createSemanticIndex(memory);
    const exact = stored.map((vector, i) => ({ key: digest(i), score: dotAt(query, vector, 0, DIMS) })).sort((a, b) => b.score - a.score);
    expect((await index.search("s", query, 0.95, 3)).map((m) => m.key)).toEqual(exact.slice(0, 3).map((m) => m.key));
    expect((await index.search("s", query, 0.95, 1))[0]!.key).toBe(digest(10));
  });

  test("an entry gone from the store is forgotten, and the next best is returned", async () => {
    const memory = createMemoryStore();
    const query = randomUnit();
    await memory.set(makeEntry({ key: digest(1), createdAt: 1, semantic: { scope: "s", vector: near(query, 0.99) } }));
    await memory.set(makeEntry({ key: digest(2), createdAt: 2, semantic: { scope: "s", vector: near(query, 0.97) } }));
    const index = createSemanticIndex(memory);
    expect((await index.search("s", query, 0.95)).map((m) => m.key)).toEqual([digest(1), digest(2)]);
    await memory.delete(digest(1));
    expect((await index.search("s", query, 0.95)).map((m) => m.key)).toEqual([digest(2)]);
    expect(index.size).toBe(1);
  });

  test("the neighbours of a match are compared with their exact vectors", async () => {
    const memory = createMemoryStore();
    const query = randomUnit();
    const [a, b, c] = [near(query, 0.98), near(query, 0.9), near(query, 0.88)];
    for (const [i, vector] of [a, b, c].entries()) await memory.set(makeEntry({ key: digest(i), createdAt: i, semantic: { scope: "s", vector: vector! } }));
    const index = createSemanticIndex(memory);
    const near8 = await index.search("s", query, 0.85);
    expect(near8.map((m) => m.key)).toEqual([digest(0), digest(1), digest(2)]);
    const expected = Math.max(dotAt(a!, b!, 0, DIMS), dotAt(a!, c!, 0, DIMS));
    expect(index.nearestAmong("s", digest(0), near8)).toBe(expected);
  });

  test("holds at most 1.6 KB a vector of 1,536 dimensions (codes, sketches, keys and bookkeeping)", () => {
    const index = createSemanticIndex(createMemoryStore());
    const count = 16_384;
    for (let i = 0; i < count; i++) index.add("s", digest(i), randomUnit(1536), i);
    expect(index.size).toBe(count);
    expect(index.bytes / count).toBeLessThanOrEqual(1.6 * 1024);
    // Where float32 vectors alone took 6 KB.
    expect(index.bytes / count).toBeLessThan((1536 * 4) / 3.5);
  }, 30_000);
});

describe("refreshing from the store", () => {
  /** A memory store that counts the vectors each listing returns. */
  function countingStore() {
    const store = createMemoryStore({ maxEntries: 10_000 });
    const listed: number[] = [];
    return {
      store: { ...store, vectorsSince: async (scope: string, since: number) => {
        const vectors = await store.vectorsSince!(scope, since);
        listed.push(vectors.length);
        return vectors;
      } },
      listed,
    };
  }

  test("after a bulk write, lookups stop listing it again once past the overlap, with no write since", async () => {
    const { store, listed } = countingStore();
    const now = Date.now();
    for (let i = 0; i < 200; i++) await store.set(makeEntry({ key: `bulk-${i}`, createdAt: now, semantic: { scope: "s", vector: randomUnit() } }));
    const index = createSemanticIndex(store);
    const query = randomUnit();
    await index.search("s", query, 0.9);
    await Bun.sleep(1100);
    await index.search("s", query, 0.9);
    await index.search("s", query, 0.9);
    await index.search("s", query, 0.9);
    // The first load lists all; one refresh still within the overlap of the load lists them again; none after.
    expect(listed).toEqual([200, 200, 0, 0]);
    expect(index.size).toBe(200);
  });

  test("the memory store lists a scope's vectors written since a time, in write order, without the removed or replaced", async () => {
    const store = createMemoryStore({ maxEntries: 10_000 });
    const vector = randomUnit();
    for (let i = 0; i < 50; i++) {
      await store.set(makeEntry({ key: `a${i}`, createdAt: 1000 + i, semantic: { scope: "a", vector } }));
      await store.set(makeEntry({ key: `b${i}`, createdAt: 1000 + i, semantic: { scope: "b", vector } }));
    }
    // Written out of order (another clock), replaced, deleted, flushed.
    await store.set(makeEntry({ key: "late", createdAt: 1040.5, semantic: { scope: "a", vector } }));
    await store.set(makeEntry({ key: "a45", createdAt: 2000, semantic: { scope: "a", vector } }));
    await store.delete("a46");
    const keys = async (since: number) => (await store.vectorsSince!("a", since)).map((v) => `${v.key}@${v.createdAt}`);
    expect(await keys(1044)).toEqual(["a44@1044", "a47@1047", "a48@1048", "a49@1049", "a45@2000"]);
    expect(await keys(1040)).toContain("late@1040.5");
    expect((await store.vectorsSince!("b", 0)).length).toBe(50);
    await store.flush({});
    expect(await keys(0)).toEqual([]);
    expect(await store.vectorsSince!("nowhere", 0)).toEqual([]);
  });
});
