import { expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { ScopeVectors } from "../../src/cache/scope-vectors.ts";
import { CODE_HEADER_BYTES, encodeVector } from "../../src/cache/vector-code.ts";
import { SKETCH_WORDS, writeSketch } from "../../src/cache/vector-sketch.ts";
import type { VectorBatch } from "../../src/stores/store.ts";

const DIMS = 64;
const COUNT = 3_000;
const digest = (n: number) => createHash("sha256").update(`key ${n}`).digest("hex");

let seed = 11;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;
const unit = (values: number[]) => {
  const norm = Math.hypot(...values);
  return Float32Array.from(values, (x) => x / norm);
};
const stored = Array.from({ length: COUNT }, () => unit(Array.from({ length: DIMS }, random)));
const codes = stored.map(encodeVector);
const codeBytes = codes[0]!.byteLength;

/** The codes `from`..`to` as one batch, whole or headers only. */
function batch(from: number, to: number, headsOnly: boolean): VectorBatch {
  const stride = headsOnly ? CODE_HEADER_BYTES : codeBytes;
  const bytes = new Uint8Array((to - from) * stride);
  for (let n = from; n < to; n++) bytes.set(codes[n]!.subarray(0, stride), (n - from) * stride);
  const keys = Array.from({ length: to - from }, (_, i) => digest(from + i));
  return { count: to - from, keys, createdAt: keys.map((_, i) => 1_000 + from + i), codeBytes, headsOnly, codes: bytes };
}

/** What a scan of `vectors` finds for a few queries: keys with approximate scores, pending or not. */
function scan(vectors: ScopeVectors): string[] {
  const found: string[] = [];
  for (const n of [0, 17, 1_234, 2_999]) {
    const query = stored[n]!;
    const sketch = new Uint32Array(SKETCH_WORDS);
    writeSketch(query, sketch, 0);
    for (const c of vectors.candidates(query, sketch, 0.5, 0)) found.push(`${n}:${vectors.keyAt(c.slot)}:${c.approx.toFixed(6)}:${c.error.toFixed(6)}`);
  }
  return found.sort();
}

test("a scope loaded from headers holds no bytes for its vectors until they are read, then finds what a whole load finds", () => {
  const whole = new ScopeVectors();
  for (let from = 0; from < COUNT; from += 1_024) whole.addBatch(batch(from, Math.min(COUNT, from + 1_024), false), false);

  const heads = new ScopeVectors();
  for (let from = 0; from < COUNT; from += 1_024) heads.addBatch(batch(from, Math.min(COUNT, from + 1_024), true), false);
  expect(heads.pending).toBe(COUNT);
  // The bytes are not held yet: a first load does not allocate them.
  expect(heads.bytes).toBeLessThan(whole.bytes - COUNT * DIMS + 1);

  for (let from = 0; from < COUNT; from += 256) heads.fillBatch(batch(from, Math.min(COUNT, from + 256), false));
  expect(heads.pending).toBe(0);
  expect(heads.bytes).toBe(whole.bytes);
  expect(scan(heads)).toEqual(scan(whole));
});

test("compacting moves pending and read vectors alike, into chunks with and without bytes", () => {
  const vectors = new ScopeVectors();
  vectors.addBatch(batch(0, COUNT, true), false);
  // The bytes of the second half only: some chunks hold bytes, others none.
  vectors.fillBatch(batch(COUNT / 2, COUNT, false));
  for (let n = 0; n < COUNT; n++) if (n % 3 !== 0) vectors.drop(digest(n));
  expect(vectors.count).toBeLessThan(COUNT);
  const reference = new ScopeVectors();
  for (let n = 0; n < COUNT; n += 3) reference.addBatch(n < COUNT / 2 ? batch(n, n + 1, true) : batch(n, n + 1, false), false);
  expect(vectors.live).toBe(reference.live);
  expect(vectors.pending).toBe(reference.pending);
  expect(scan(vectors)).toEqual(scan(reference));
  // Reading the rest's bytes after the move finds what a whole load of the same keys finds.
  vectors.fillBatch(batch(0, COUNT / 2, false));
  const whole = new ScopeVectors();
  for (let n = 0; n < COUNT; n += 3) whole.addBatch(batch(n, n + 1, false), false);
  expect(scan(vectors)).toEqual(scan(whole));
});

/** `batch`, its keys given as their digests' bytes only: reading `keys` fails. */
function digestBatch(from: number, to: number, headsOnly: boolean): VectorBatch {
  const { count, createdAt, codeBytes: length, codes: bytes } = batch(from, to, headsOnly);
  const digests = new Uint8Array(count * 32);
  for (let i = 0; i < count; i++) digests.set(Buffer.from(digest(from + i), "hex"), i * 32);
  return {
    count,
    createdAt,
    codeBytes: length,
    headsOnly,
    codes: bytes,
    digests,
    get keys(): string[] {
      throw new Error("keys read as strings");
    },
  };
}

test("a batch that gives its keys as digests is loaded from their bytes, without reading its keys, and holds what a batch of strings holds", () => {
  const named = new ScopeVectors();
  const bytes = new ScopeVectors();
  for (let from = 0; from < COUNT; from += 1_024) {
    named.addBatch(batch(from, Math.min(COUNT, from + 1_024), true), false);
    bytes.addBatch(digestBatch(from, Math.min(COUNT, from + 1_024), true), false);
  }
  expect(bytes.live).toBe(COUNT);
  expect(bytes.slotOf(digest(1_234))).toBe(named.slotOf(digest(1_234))!);
  expect(scan(bytes)).toEqual(scan(named));
  for (let from = 0; from < COUNT; from += 256) bytes.fillBatch(batch(from, Math.min(COUNT, from + 256), false));
  expect(bytes.pending).toBe(0);
  // A key given again as a digest takes its slot back, not a new one.
  bytes.addBatch(digestBatch(0, 10, false), false);
  expect(bytes.count).toBe(COUNT);
  named.fillBatch(batch(0, COUNT, false));
  expect(scan(bytes)).toEqual(scan(named));
});

test("codes at any byte offset, and of any length, are read as codes at an aligned offset are", () => {
  for (const dims of [DIMS, 7]) {
    const vectors = Array.from({ length: 50 }, () => encodeVector(unit(Array.from({ length: dims }, random))));
    const length = vectors[0]!.byteLength;
    const at = (shift: number) => {
      const bytes = new Uint8Array(shift + vectors.length * length).subarray(shift);
      vectors.forEach((code, n) => bytes.set(code, n * length));
      const held = new ScopeVectors();
      held.addBatch({ count: vectors.length, keys: vectors.map((_, n) => digest(n)), createdAt: vectors.map(() => 1), codeBytes: length, codes: bytes }, false);
      const query = unit(Array.from({ length: dims }, random));
      const sketch = new Uint32Array(SKETCH_WORDS);
      writeSketch(query, sketch, 0);
      return held.candidates(query, sketch, -1, 0).map((c) => `${held.keyAt(c.slot)}:${c.approx}:${c.error}`);
    };
    seed = 99;
    const aligned = at(0);
    seed = 99;
    expect(at(1)).toEqual(aligned);
    expect(aligned.length).toBe(50);
  }
});

test("the newest keys are those of the live vectors written last, oldest first, whatever their slots", () => {
  const vectors = new ScopeVectors();
  // Slots 0..5 in this order, written at these times: slot order is not write order.
  const times = [50, 10, 40, 20, 60, 30];
  times.forEach((time, n) => vectors.add(`k${n}`, codes[n]!, time));
  // Rewritten later: its slot stays, its time moves to the newest.
  vectors.add("k1", codes[1]!, 70);
  // Dropped: never among the newest.
  vectors.drop("k4");
  expect(vectors.newestKeys(3)).toEqual(["k2", "k0", "k1"]);
  expect(vectors.newestKeys(100)).toEqual(["k3", "k5", "k2", "k0", "k1"]);
  expect(vectors.newestKeys(0)).toEqual([]);
  // Loaded in a listing: its order is its write order.
  const loaded = new ScopeVectors();
  loaded.addBatch(batch(0, 40, true), false);
  expect(loaded.newestKeys(2)).toEqual([digest(38), digest(39)]);
});
