import { expect, test } from "bun:test";
import { createHash } from "node:crypto";
import Redis from "ioredis";
import { createLexicalEmbedder } from "../../src/cache/lexical-embedder.ts";
import { createSemanticIndex } from "../../src/cache/semantic-index.ts";
import { dotAt } from "../../src/cache/vector-sketch.ts";
import { headRecord, PREAMBLE_BYTES, preamble } from "../../src/stores/redis-head-records.ts";
import { CODE_HEADER_BYTES } from "../../src/cache/vector-code.ts";
import type { Store, StoreWrite } from "../../src/stores/store.ts";
import { useRedisStores } from "./redis-stores.ts";
import { makeEntry } from "./suite.ts";

const stores = useRedisStores("heads");
const { redis } = stores;
/** A store on the private server; the same prefix, the same data. */
const store = (prefix: string) => stores.store({ prefix, commandTimeoutMs: 10_000 });
const { freshPrefix } = stores;
let admin: Redis | undefined;
/** A plain client, to look at the server's keys and counters. */
const server = () => (admin ??= stores.client());

let seed = 777;
function random(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}
const digest = (text: string) => createHash("sha256").update(text).digest("hex");
const embed = createLexicalEmbedder();
const words = "order parcel delayed tracking refund return policy courier invoice voucher gift delivery damaged photo novel author".split(" ");
const sentence = () => Array.from({ length: 6 + Math.floor(random() * 6) }, () => words[Math.floor(random() * words.length)]).join(" ");
const reword = (text: string) => text.split(" ").map((word) => (random() < 0.15 ? words[Math.floor(random() * words.length)] : word)).join(" ");

/** Writes `texts` to `s` as semantic entries of scope "s" (body: the text), in batches. */
async function writeTexts(s: Store, texts: readonly string[], ttl?: (i: number) => number | undefined): Promise<Map<string, { text: string; vector: Float32Array }>> {
  const written = new Map<string, { text: string; vector: Float32Array }>();
  const writes: StoreWrite[] = [];
  for (const [i, text] of texts.entries()) {
    const vector = await embed(text);
    const key = digest(`${i}`);
    written.set(key, { text, vector });
    const ttlSeconds = ttl?.(i);
    writes.push({ entry: makeEntry({ key, body: text, createdAt: 1_000 + i, semantic: { scope: "s", vector } }), ...(ttlSeconds === undefined ? {} : { ttlSeconds }) });
  }
  for (let n = 0; n < writes.length; n += 100) await s.setMany!(writes.slice(n, n + 100));
  return written;
}

/** The best stored text at or above `threshold` by an exact scan of `live`. */
function exactBest(live: Map<string, { vector: Float32Array }>, query: Float32Array, threshold: number): string | undefined {
  let best: string | undefined;
  let bestScore = threshold;
  for (const [key, { vector }] of live) {
    const score = dotAt(query, vector, 0, vector.length);
    if (score >= bestScore) [best, bestScore] = [key, score];
  }
  return best;
}

/** Searches a new index over a new handle (a cold load) for reworded `texts`: each answer the exact scan's, its entry the current one. */
async function expectColdAnswers(prefix: string, live: Map<string, { text: string; vector: Float32Array }>, queries: readonly string[]): Promise<number> {
  const index = createSemanticIndex(store(prefix));
  let matched = 0;
  for (const text of queries) {
    const query = await embed(text);
    const [found] = await index.search("s", query, 0.8, 1);
    const expected = exactBest(live, query, 0.8);
    expect(found?.key).toBe(expected!);
    if (expected !== undefined) {
      matched++;
      expect(found!.entry?.body).toBe(live.get(expected)!.text);
    }
  }
  await index.filled();
  expect(index.held("s")).toBe(live.size);
  return matched;
}

test("a cold load lists a scope's headers from its packed records, reading no entry's hash", async () => {
  const prefix = freshPrefix();
  const written = await writeTexts(store(prefix), Array.from({ length: 300 }, sentence));
  await server().config("RESETSTAT");
  const listed = new Map<string, number>();
  await store(prefix).vectorBatchesSince!("s", 0, (batch) => batch.keys.forEach((key, i) => listed.set(key, batch.createdAt[i]!)), { headsOnly: true });
  expect([...listed.keys()].sort()).toEqual([...written.keys()].sort());
  const stats = await server().info("commandstats");
  expect(stats).not.toMatch(/cmdstat_hmget|cmdstat_hget:/);
});

test("a listing of packed headers gives digest keys as their bytes, and other keys as strings, each in its own batches", async () => {
  const prefix = freshPrefix();
  const writer = store(prefix);
  const written = await writeTexts(writer, Array.from({ length: 40 }, sentence));
  // Keys that are not digests, written among them.
  for (const [n, key] of ["plain", "Ünïcode key", "F".repeat(64)].entries()) {
    const vector = await embed(sentence());
    await writer.set(makeEntry({ key, body: key, createdAt: 1_010 + n, semantic: { scope: "s", vector } }));
    written.set(key, { text: key, vector });
  }
  const listed: string[] = [];
  let fromBytes = 0;
  await store(prefix).vectorBatchesSince!(
    "s",
    0,
    (batch) => {
      if (batch.digests) {
        fromBytes += batch.count;
        expect(batch.digests.byteLength).toBe(batch.count * 32);
        for (let i = 0; i < batch.count; i++) expect(Buffer.from(batch.digests.subarray(i * 32, (i + 1) * 32)).toString("hex")).toBe(batch.keys[i]!);
      } else expect(batch.keys.every((key) => !/^[0-9a-f]{64}$/.test(key))).toBe(true);
      listed.push(...batch.keys);
    },
    { headsOnly: true },
  );
  expect(fromBytes).toBe(40);
  expect([...listed].sort()).toEqual([...written.keys()].sort());
});

test("headers of several megabytes are listed whole and in order, records cut across the ranges read included", async () => {
  const prefix = freshPrefix();
  // 60,000 records (about 5.4 MB: three ranges read), every 1,000th under a key that is not a digest.
  const code = new Uint8Array(CODE_HEADER_BYTES + 8);
  code[0] = 1;
  const keys = Array.from({ length: 60_000 }, (_, n) => (n % 1_000 === 999 ? `plain key ${n}` : digest(`big ${n}`)));
  const records = Buffer.concat(keys.map((key, n) => headRecord(key, 10_000 + n, code)!));
  await server().set(`${prefix}heads:s`, Buffer.concat([Buffer.from(preamble("C", PREAMBLE_BYTES + records.byteLength)), records]));
  const listed: string[] = [];
  const times: number[] = [];
  await store(prefix).vectorBatchesSince!("s", 0, (batch) => (listed.push(...batch.keys), times.push(...Array.from(batch.createdAt))), { headsOnly: true });
  expect(listed).toEqual(keys);
  expect(times).toEqual(keys.map((_, n) => 10_000 + n));
  // Listed since a time: the records written from then on only.
  const since: string[] = [];
  await store(prefix).vectorBatchesSince!("s", 10_000 + 45_000, (batch) => since.push(...batch.keys), { headsOnly: true });
  expect(since).toEqual(keys.slice(45_000));
}, 60_000);

test("cold loads find the exact scan's best match for reworded prompts, and never an entry deleted, expired, rewritten or flushed", async () => {
  const prefix = freshPrefix();
  const writer = store(prefix);
  const texts = Array.from({ length: 600 }, sentence);
  const live = await writeTexts(writer, texts, (i) => (i % 10 === 3 ? 0.05 : undefined));
  const queries = Array.from({ length: 120 }, () => reword(texts[Math.floor(random() * texts.length)]!));
  await Bun.sleep(120);
  for (const [i, key] of [...live.keys()].entries()) if (i % 10 === 3) live.delete(key);
  expect(await expectColdAnswers(prefix, live, queries)).toBeGreaterThan(40);

  // The best matches of the queries deleted, or rewritten with another prompt (a refresh: a later write time).
  const bests = [...new Set(await Promise.all(queries.map(async (q) => exactBest(live, await embed(q), 0.8))))].filter((key) => key !== undefined);
  for (const [n, key] of bests.entries()) {
    if (n % 2 === 0) {
      expect(await writer.delete(key)).toBe(true);
      live.delete(key);
    } else {
      const text = sentence();
      const vector = await embed(text);
      await writer.set(makeEntry({ key, body: text, createdAt: 5_000 + n, semantic: { scope: "s", vector } }));
      live.set(key, { text, vector });
    }
  }
  await expectColdAnswers(prefix, live, queries);

  // Rewritten without a vector: no longer a semantic entry.
  const plain = [...live.keys()].slice(0, 50);
  for (const key of plain) {
    await writer.set(makeEntry({ key, createdAt: 9_000 }));
    live.delete(key);
  }
  await expectColdAnswers(prefix, live, queries);

  expect(await writer.flush()).toBe(live.size + plain.length);
  await expectColdAnswers(prefix, new Map(), queries);
}, 60_000);

test("a store written before packed headers were kept loads from its entries, and gets its headers from that load", async () => {
  const prefix = freshPrefix();
  const writer = store(prefix);
  const texts = Array.from({ length: 400 }, sentence);
  const live = await writeTexts(writer, texts.slice(0, 399));
  // What the previous format left: entries and the scope's sorted set, no packed headers.
  await server().del(`${prefix}heads:s`);
  // A write by this version to such a store keeps them missing (they would list only what follows).
  const last = await embed(texts[399]!);
  await writer.set(makeEntry({ key: "late", body: texts[399], createdAt: 2_000, semantic: { scope: "s", vector: last } }));
  live.set("late", { text: texts[399]!, vector: last });
  expect(await server().exists(`${prefix}heads:s`)).toBe(0);

  const queries = Array.from({ length: 80 }, (_, n) => reword(texts[n === 0 ? 399 : Math.floor(random() * texts.length)]!));
  expect(await expectColdAnswers(prefix, live, queries)).toBeGreaterThan(20);
  // That load built the headers: complete, and listing every entry.
  expect((await server().getrange(`${prefix}heads:s`, 0, 0))).toBe("C");
  await server().config("RESETSTAT");
  const listed = new Set<string>();
  await store(prefix).vectorBatchesSince!("s", 0, (batch) => batch.keys.forEach((key) => listed.add(key)), { headsOnly: true });
  expect([...listed].sort()).toEqual([...live.keys()].sort());
  expect(await server().info("commandstats")).not.toMatch(/cmdstat_hmget/);
  await expectColdAnswers(prefix, live, queries);
}, 60_000);

test("entries missing from the packed headers are found once a cold load has read the scope in", async () => {
  const prefix = freshPrefix();
  const texts = Array.from({ length: 200 }, sentence);
  const live = await writeTexts(store(prefix), texts);
  // An entry written by an instance of the previous version: in the sorted set, not in the headers.
  const raw = server();
  const extra = await embed("refund voucher for a damaged parcel");
  await store(`${prefix}other:`).set(makeEntry({ key: "extra", body: "extra", createdAt: 3_000, semantic: { scope: "s", vector: extra } }));
  const copied = await raw.hgetallBuffer(`${prefix}other:entry:extra`);
  await raw.hset(`${prefix}entry:extra`, copied);
  await raw.zadd(`${prefix}vectors:s`, 3_000, "extra");
  live.set("extra", { text: "extra", vector: extra });
  const index = createSemanticIndex(store(prefix));
  await index.search("s", await embed(texts[0]!), 0.8, 1);
  await index.filled();
  expect(index.held("s")).toBe(live.size);
  expect((await index.search("s", extra, 0.99, 1))[0]?.key).toBe("extra");
});

test("packed headers are compacted once rewrites have doubled them, keeping each key's latest record", async () => {
  const prefix = freshPrefix();
  const s = store(prefix);
  const keys = Array.from({ length: 20 }, (_, k) => digest(`key ${k}`));
  const vectors = await Promise.all(keys.map((_, k) => embed(`${words[k % words.length]} ${words[(k * 7) % words.length]} order`)));
  const rounds = 150;
  for (let round = 0; round < rounds; round++) {
    await s.setMany!(keys.map((key, k) => ({ entry: makeEntry({ key, createdAt: 1_000 + round, semantic: { scope: "s", vector: vectors[k]! } }) })));
  }
  // Each record: the code's header, its length, the write time, and the key as 32 bytes.
  const recordBytes = 58 + 32;
  const written = rounds * keys.length * recordBytes;
  let length = 0;
  for (let wait = 0; wait < 100; wait++) {
    length = await server().strlen(`${prefix}heads:s`);
    if (length > 0 && length < written / 2) break;
    await Bun.sleep(100);
  }
  expect(length).toBeGreaterThan(0);
  expect(length).toBeLessThan(written / 2);
  const latest = new Map<string, number>();
  await store(prefix).vectorBatchesSince!("s", 0, (batch) => batch.keys.forEach((key, i) => latest.set(key, batch.createdAt[i]!)), { headsOnly: true });
  expect([...latest.keys()].sort()).toEqual([...keys].sort());
  for (const key of keys) expect(latest.get(key)).toBe(1_000 + rounds - 1);
}, 60_000);
