import { expect, test } from "bun:test";
import { BinaryDigest, hashCacheKey, requestIdentity, requestKey, type RequestIdentity } from "../../src/cache/key.ts";

test("a call's key is hashCacheKey of its identity with its params, whatever they hold", () => {
  const calls: RequestIdentity[] = [
    { provider: "openai", baseURL: "https://api.openai.com/v1", method: { endpoint: "chat.completions" }, wire: {} },
    { provider: "openai", baseURL: "https://api.openai.com/v1", method: { endpoint: "chat.completions" }, wire: { path: undefined, headers: undefined } },
    { provider: "anthropic", baseURL: "https://api.anthropic.com", method: { endpoint: "messages" }, wire: { headers: { "anthropic-beta": "b", $x: "1" }, query: { "10": "a", "2": "b" } } },
    // A client's default headers, frozen and shared by its calls, alone on the wire and beside a per-call query.
    { provider: "openai", baseURL: "https://api.openai.com/v1", method: { endpoint: "chat.completions" }, wire: { path: undefined, headers: Object.freeze({ "x-team": "a", $x: "1" }) } },
    { provider: "openai", baseURL: "https://api.openai.com/v1", method: { endpoint: "chat.completions" }, wire: { headers: Object.freeze({ "x-team": "a" }), query: { a: "1" } } },
  ];
  const params: unknown[] = [
    { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] },
    { $ref: "#/x", "10": 1, "9": 2, nested: { b: [undefined, () => 1, Number.NaN], a: new Date(0) } },
    { toJSON: (name: string) => ({ replaced: name }) },
    { bytes: new Uint8Array([1, 2, 3]), digest: new BinaryDigest("ab".repeat(32)), boxed: new Number(3) },
    JSON.parse('{"__proto__":{"a":1},"b":2}'),
    "a string",
    null,
    undefined,
    () => 1,
  ];
  for (const call of calls) {
    for (const namespace of ["", "tenant-1", "$dollar"]) {
      for (const value of params) expect(requestKey(call, namespace, value)).toBe(hashCacheKey({ ...requestIdentity(call, namespace), params: value }));
    }
  }
});

test("what JSON cannot encode throws, as hashCacheKey does", () => {
  const call: RequestIdentity = { provider: "openai", baseURL: "b", method: { endpoint: "e" }, wire: {} };
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  expect(() => requestKey(call, "", cycle)).toThrow();
  expect(() => requestKey(call, "", { n: 1n })).toThrow(TypeError);
});

test("calls whose frozen default headers differ have different keys, however often each is keyed", () => {
  const call = (headers: Record<string, string>): RequestIdentity => ({ provider: "openai", baseURL: "b", method: { endpoint: "e" }, wire: { path: undefined, headers } });
  const a = Object.freeze({ "x-team": "a" });
  const b = Object.freeze({ "x-team": "b" });
  const params = { model: "m", messages: [] };
  const keys = [a, b, a, b, { "x-team": "a" }].map((headers) => requestKey(call(headers), "", params));
  expect(keys[0]).toBe(keys[2]!);
  expect(keys[1]).toBe(keys[3]!);
  expect(keys[0]).not.toBe(keys[1]!);
  // A record that is not frozen keys as the frozen one with the same headers.
  expect(keys[4]).toBe(keys[0]!);
  expect(keys[0]).toBe(hashCacheKey({ ...requestIdentity(call(a), ""), params }));
});
