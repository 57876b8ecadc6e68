import { describe, expect, test } from "bun:test";
import { copiedData, isCopyableData } from "../../src/cache/data-copy.ts";

/** Own keys in order, at every depth, with each object's kind: what tells two values apart. */
function shape(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return Object.is(value, -0) ? "-0" : value === undefined ? "undefined" : value;
  if (value instanceof Date) return { date: value.getTime() };
  if (ArrayBuffer.isView(value)) return { [value.constructor.name]: [...(value as Uint8Array)].map(String) };
  if (Array.isArray(value)) return { array: Array.from({ length: value.length }, (_, i) => (i in value ? shape(value[i]) : "hole")) };
  const prototype = Object.getPrototypeOf(value);
  return { prototype: prototype === Object.prototype ? "object" : prototype === null ? "null" : "other", fields: Reflect.ownKeys(value).map((key) => [key, shape((value as Record<string, unknown>)[key as string])]) };
}

/** A decoded result as the AI SDK's come back: dates, `undefined` fields, bytes, an own `__proto__` field. */
function sample() {
  const bare = Object.create(null) as Record<string, unknown>;
  bare.kind = "no prototype";
  const parsed = JSON.parse('{"__proto__":{"polluted":true},"2":"two","a":1}') as Record<string, unknown>;
  return {
    text: "é 😀",
    finishReason: { unified: "stop", raw: undefined },
    usage: { inputTokens: { total: 25, cacheWrite: undefined }, big: 10n ** 20n },
    response: { timestamp: new Date(1_796_063_317_000), body: { output: [1, -0, null, true, "x"] } },
    files: [{ mediaType: "image/png", data: new Uint8Array([1, 2, 255]) }, { floats: new Float64Array([0.5, -1]) }],
    sparse: [1, , 3],
    bare,
    parsed,
  };
}

describe("copies of data", () => {
  test("are the same value field for field, in order, with the same kinds, dates, bytes and undefined fields", () => {
    const original = sample();
    const copy = copiedData(original);
    expect(isCopyableData(original)).toBe(true);
    expect(shape(copy)).toEqual(shape(original));
    expect(Object.getOwnPropertyDescriptor((copy as typeof original).parsed, "__proto__")?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("share nothing a caller could change", () => {
    const original = sample();
    const copy = copiedData(original) as ReturnType<typeof sample>;
    copy.response.timestamp.setTime(0);
    copy.files[0]!.data![0] = 9;
    (copy.response.body.output as unknown[]).push("added");
    copy.finishReason.unified = "changed";
    expect(original.response.timestamp.getTime()).toBe(1_796_063_317_000);
    expect(original.files[0]!.data![0]).toBe(1);
    expect(original.response.body.output).toHaveLength(5);
    expect(original.finishReason.unified).toBe("stop");
    expect(copy.files[0]!.data!.buffer).not.toBe(original.files[0]!.data!.buffer);
  });

  test("anything a copy would not reproduce is not data", () => {
    class Point {
      x = 1;
    }
    const shared = { n: 1 };
    const hidden = Object.defineProperty({ a: 1 }, "b", { value: 2, enumerable: false });
    const withGetter = Object.defineProperty({}, "a", { get: () => 1, enumerable: true, configurable: true });
    const bytesWithField = Object.assign(new Uint8Array(2), { label: "x" });
    const listWithField = Object.assign([1, 2], { total: 2 });
    const notData: [string, unknown][] = [
      ["a Map", { m: new Map([[1, 2]]) }],
      ["a Set", [new Set([1])]],
      ["a class instance", { p: new Point() }],
      ["a function", { f: () => 1 }],
      ["a getter", withGetter],
      ["a hidden field", hidden],
      ["a symbol key", { [Symbol("s")]: 1 }],
      ["a frozen object", { f: Object.freeze({ a: 1 }) }],
      ["an object reached twice", { a: shared, b: shared }],
      ["a Buffer", { b: Buffer.from("ab") }],
      ["a view on part of a buffer", { v: new Uint8Array(8).subarray(2, 4) }],
      ["bytes with a field of their own", { b: bytesWithField }],
      ["an array with a field of its own", { l: listWithField }],
      ["a regular expression", { r: /x/ }],
    ];
    for (const [what, value] of notData) expect([what, isCopyableData(value)]).toEqual([what, false]);
    expect(isCopyableData({ a: [1, { b: new Date(0) }], c: undefined, d: null })).toBe(true);
  });
});
