import { expect, test } from "bun:test";
import { createRedisStore } from "../../src/stores/redis.ts";
import { useRedisStores } from "./redis-stores.ts";
import { codeBytes } from "../../src/cache/vector-code.ts";
import { expectListedVector, makeEntry, runStoreSuite, unbatched } from "./suite.ts";
import Redis from "ioredis";
import type { StoredVector } from "../../src/stores/store.ts";

const stores = useRedisStores("test");
const { redis } = stores;
/** A store on the private server under its own prefix, so each test starts empty. */
const store = (prefix = stores.freshPrefix()) => stores.store({ prefix });

let prefix = "";
runStoreSuite("redis", {
  vectorBatches: true,
  create: () => store((prefix = `suite-${Math.random().toString(36).slice(2)}:`)),
  reopen: () => store(prefix),
});

function vector(...values: number[]): Float32Array {
  return new Float32Array(values);
}

test("redis store: prod writes expire by themselves, dev writes do not", async () => {
  const s = store();
  await s.set(makeEntry({ key: "short" }), { ttlSeconds: 0.05 });
  await s.set(makeEntry({ key: "forever" }));
  expect(await s.get("short")).toBeDefined();
  await Bun.sleep(120);
  expect(await s.get("short")).toBeUndefined();
  expect(await s.get("forever")).toBeDefined();
});

test("redis store: setMany gives each entry its own expiry", async () => {
  const s = store();
  await s.setMany!([{ entry: makeEntry({ key: "short" }), ttlSeconds: 0.05 }, { entry: makeEntry({ key: "forever" }) }]);
  expect(await s.get("short")).toBeDefined();
  await Bun.sleep(120);
  expect(await s.get("short")).toBeUndefined();
  expect(await s.get("forever")).toBeDefined();
});

test("redis store: prefixes keep applications apart", async () => {
  const a = store("app-a:");
  const b = store("app-b:");
  await a.set(makeEntry({ key: "k" }));
  expect(await b.get("k")).toBeUndefined();
  expect(await b.flush()).toBe(0);
  expect(await a.flush()).toBe(1);
});

test("redis store: flush walks many entries in SCAN steps and counts each once", async () => {
  const s = store();
  for (let i = 0; i < 1200; i++) await s.set(makeEntry({ key: `k${i}`, model: i % 3 === 0 ? "gpt-4o-mini" : "gpt-4o" }));
  expect(await s.flush({ model: "gpt-4o-mini" })).toBe(400);
  expect(await s.flush({ matchPrompt: (p) => p.startsWith("What") })).toBe(800);
  expect(await s.flush()).toBe(0);
});

test("redis store: vectors round-trip as float32 and are listed, as codes, by scope and write time", async () => {
  const s = store();
  const v1 = vector(0.25, -1.5, 3.0000001);
  await s.set(makeEntry({ key: "v1", createdAt: 1000, semantic: { scope: "s", vector: v1 } }));
  await s.set(makeEntry({ key: "v2", createdAt: 3000, semantic: { scope: "s", vector: vector(1, 2, 3) } }));
  await s.set(makeEntry({ key: "v3", createdAt: 2000, semantic: { scope: "other", vector: vector(9) } }));
  expect((await s.get("v1"))?.semantic).toEqual({ scope: "s", vector: v1 });
  const listed = await s.vectorsSince!("s", 0);
  expect(listed.map((v) => [v.key, v.createdAt, v.vector, v.code?.byteLength])).toEqual([
    ["v1", 1000, undefined, codeBytes(3)],
    ["v2", 3000, undefined, codeBytes(3)],
  ]);
  expectListedVector(listed[0]!, Array.from(v1));
  expectListedVector(listed[1]!, [1, 2, 3]);
  expect((await s.vectorsSince!("s", 2000)).map((v) => v.key)).toEqual(["v2"]);
  expect((await s.vectorsSince!("other", 0)).map((v) => v.key)).toEqual(["v3"]);
});

test("redis store: entries written before codes were kept are listed with codes computed from their vectors, in batches too", async () => {
  const s = store("legacy:");
  await s.set(makeEntry({ key: "coded", createdAt: 1000, semantic: { scope: "s", vector: vector(1, 0, 0) } }));
  await s.set(makeEntry({ key: "old", createdAt: 2000, semantic: { scope: "s", vector: vector(0.5, -2, 1) } }));
  // An older version wrote the vector and its listing, but no code.
  const raw = new Redis(redis.server.url);
  await raw.hdel("legacy:entry:old", "code");
  await raw.quit();
  const listed = await s.vectorsSince!("s", 0);
  expect(listed.map((v) => [v.key, v.createdAt, v.code?.byteLength])).toEqual([
    ["coded", 1000, codeBytes(3)],
    ["old", 2000, codeBytes(3)],
  ]);
  expectListedVector(listed[1]!, [0.5, -2, 1]);
  const batched: StoredVector[] = [];
  await s.vectorBatchesSince!("s", 0, (batch) => batched.push(...unbatched(batch)));
  expect(batched).toEqual(listed);
});

test("redis store: deleted, flushed and expired entries are not listed", async () => {
  const s = store();
  const semantic = { scope: "s", vector: vector(1, 0) };
  for (const key of ["keep", "deleted", "flushed", "expired"]) {
    await s.set(makeEntry({ key, semantic, model: key === "flushed" ? "gone" : "gpt-4o" }), key === "expired" ? { ttlSeconds: 0.05 } : {});
  }
  await s.delete("deleted");
  expect(await s.flush({ model: "gone" })).toBe(1);
  await Bun.sleep(120);
  expect((await s.vectorsSince!("s", 0)).map((v) => v.key)).toEqual(["keep"]);
});

test("redis store: an entry rewritten without a vector leaves no vector behind", async () => {
  const s = store();
  await s.set(makeEntry({ key: "k", semantic: { scope: "s", vector: vector(1) } }));
  await s.set(makeEntry({ key: "k" }));
  expect((await s.get("k"))?.semantic).toBeUndefined();
});

test("redis store: an unreachable server makes every operation fail fast, and construction never throws", async () => {
  const s = createRedisStore({ url: "redis://127.0.0.1:1", prefix: "x:" });
  for (const operation of [() => s.get("k"), () => s.set(makeEntry()), () => s.flush(), () => s.acquireLock!("k", 100)]) {
    let failed = false;
    await operation().catch(() => (failed = true));
    expect(failed).toBe(true);
  }
  await s.close();
});
