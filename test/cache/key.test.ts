import { describe, expect, test } from "bun:test";
import { canonicalJson, hashCacheKey } from "../../src/cache/key.ts";

describe("hashCacheKey", () => {
  test("is a 64-character SHA-256 hex digest", () => {
    expect(hashCacheKey({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });

  test("ignores key order at every depth", () => {
    const a = { model: "gpt-4o", messages: [{ role: "user", content: "hi" }], temperature: 0.2, meta: { x: 1, y: { p: 1, q: 2 } } };
    const b = { meta: { y: { q: 2, p: 1 }, x: 1 }, temperature: 0.2, messages: [{ content: "hi", role: "user" }], model: "gpt-4o" };
    expect(hashCacheKey(a)).toBe(hashCacheKey(b));
  });

  test("drops undefined fields but keeps null", () => {
    expect(hashCacheKey({ a: 1, b: undefined })).toBe(hashCacheKey({ a: 1 }));
    expect(hashCacheKey({ a: 1, b: null })).not.toBe(hashCacheKey({ a: 1 }));
  });

  test("any changed value changes the key; array order matters", () => {
    const base = { model: "gpt-4o", temperature: 0, messages: ["a", "b"] };
    expect(hashCacheKey({ ...base, temperature: 0.1 })).not.toBe(hashCacheKey(base));
    expect(hashCacheKey({ ...base, messages: ["b", "a"] })).not.toBe(hashCacheKey(base));
  });

  test("binary data enters as the hash of its bytes, whatever its view", () => {
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const viaBuffer = Buffer.from([1, 2, 3, 4]);
    expect(hashCacheKey({ image: bytes })).toBe(hashCacheKey({ image: viaBuffer }));
    expect(hashCacheKey({ image: bytes.buffer })).toBe(hashCacheKey({ image: bytes }));
    expect(hashCacheKey({ image: new Uint8Array([1, 2, 3, 5]) })).not.toBe(hashCacheKey({ image: bytes }));
    expect(canonicalJson({ image: bytes })).not.toContain("1,2,3");
  });
});
