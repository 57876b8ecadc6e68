import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { BinaryDigest, canonicalJson, hashCacheKey } from "../../src/cache/key.ts";
import { ask, CHAT_ROUTE, useUpstream } from "../harness.ts";

const up = useUpstream();

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Whether two values key alike. */
const same = (a: unknown, b: unknown) => hashCacheKey({ v: a }) === hashCacheKey({ v: b });

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

  test("a plain JSON request keys as its sorted JSON", () => {
    expect(canonicalJson({ b: [1, "x", null, true], a: { d: 0.5, c: "é" } })).toBe('{"a":{"c":"é","d":0.5},"b":[1,"x",null,true]}');
  });
});

describe("keys already stored stay valid", () => {
  // Digests computed by earlier releases: a cache written by them must be hit by this one.
  test("a chat request keys to the digest of its sorted JSON, as written by earlier releases", () => {
    const request = { provider: "openai", endpoint: "chat.completions", baseURL: "https://api.openai.com/v1", params: { model: "gpt-4o-mini", messages: [{ role: "system", content: "You are a concise assistant." }, { role: "user", content: "Where is my parcel?" }] } };
    const sorted = '{"baseURL":"https://api.openai.com/v1","endpoint":"chat.completions","params":{"messages":[{"content":"You are a concise assistant.","role":"system"},{"content":"Where is my parcel?","role":"user"}],"model":"gpt-4o-mini"},"provider":"openai"}';
    expect(hashCacheKey(request)).toBe(sha256(new TextEncoder().encode(sorted)));
    expect(hashCacheKey(request)).toBe("58a7a54bbbb8ca4cfcdd064e45ac04a7c5825e38573688d295f67680a10c34ba");
  });

  test("a namespace, wire headers and query, and text JSON must escape key as before", () => {
    const request = {
      provider: "anthropic",
      endpoint: "messages",
      baseURL: "https://api.anthropic.com",
      namespace: "tenant-7",
      wire: { headers: { "anthropic-beta": "prompt-caching-2024-07-31" }, query: { a: "1" } },
      params: { model: "claude-3-5-haiku-latest", max_tokens: 256, temperature: 0.2, messages: [{ role: "user", content: 'Zürich → 東京, "quoted" \\ back\nline \u2028 \ud83d\ude00' }] },
    };
    expect(hashCacheKey(request)).toBe("4845086a4476578fbd8df0bdd202afcae4fecf9cea8843b3626caf4a7fa97088");
  });

  test("$ keys, __proto__, numbers JSON rewrites, toJSON, boxed values and binary data key as before", () => {
    const params = {
      $ref: "#/x",
      __proto__x: 1,
      ["__proto__"]: { y: -0 },
      n: [NaN, Infinity, undefined, () => 1, 1e21, 1.5e-7],
      d: new Date(0),
      u: new URL("https://e.x/a?b=c"),
      boxed: [new Number(3), new String("s"), new Boolean(false)],
      bytes: new Uint8Array([1, 2, 3]),
      f32: new Float32Array([0.5]),
      digest: new BinaryDigest("ab".repeat(32)),
      empty: {},
      nested: { z: [{}, [], null, true] },
    };
    expect(hashCacheKey({ params })).toBe("ace7223b9d3102f222445df892191eee455316d89a1147a5b079e784be5e0f79");
    expect(hashCacheKey(JSON.parse('{"__proto__": {"a": 1}, "b": 2}'))).toBe("8d6c652f4aa72c9b091d3bbace50453a7acf63914c029720b36c6feb1db06324");
  });
});

describe("the key is what JSON.stringify sends", () => {
  test("toJSON is applied: URLs, dates, class instances and plain objects with toJSON", () => {
    class Prompt {
      constructor(readonly text: string) {}
      toJSON() {
        return { role: "user", content: this.text };
      }
    }
    expect(same(new URL("https://a.example/x.png"), new URL("https://b.example/x.png"))).toBe(false);
    expect(same(new URL("https://a.example/x.png"), "https://a.example/x.png")).toBe(true);
    expect(same(new Prompt("one"), new Prompt("two"))).toBe(false);
    expect(same(new Prompt("one"), { content: "one", role: "user" })).toBe(true);
    expect(same({ toJSON: () => "left" }, { toJSON: () => "right" })).toBe(false);
    expect(same(new Date(0), "1970-01-01T00:00:00.000Z")).toBe(true);
    expect(same(new Date(Number.NaN), null)).toBe(true);
    // toJSON receives the property name, as JSON.stringify passes it.
    const named = { toJSON: (name: string) => `under ${name}` };
    expect(canonicalJson({ here: named, list: [named] })).toBe('{"here":"under here","list":["under 0"]}');
  });

  test("boxed primitives are their values", () => {
    expect(same(new Number(0), new Number(2))).toBe(false);
    expect(same(new Number(2), 2)).toBe(true);
    expect(same(new String("a"), "a")).toBe(true);
    expect(same(new String("a"), new String("b"))).toBe(false);
    expect(same(new Boolean(false), false)).toBe(true);
    expect(same(new Boolean(false), new Boolean(true))).toBe(false);
    // An object that only claims to be a Number is an object, as JSON sees it.
    expect(canonicalJson({ [Symbol.toStringTag]: "Number", value: 1 })).toBe('{"value":1}');
  });

  test("an own __proto__ key (JSON.parse makes one) is data like any other", () => {
    const a = JSON.parse('{"properties":{"__proto__":{"type":"string"}}}');
    const b = JSON.parse('{"properties":{"__proto__":{"type":"number"}}}');
    expect(same(a, b)).toBe(false);
    expect(same(a, { properties: {} })).toBe(false);
    expect(canonicalJson(a)).toBe(JSON.stringify(a));
  });

  test("-0 is 0, NaN and Infinity are null, functions and symbols drop out, holes are null", () => {
    expect(same(-0, 0)).toBe(true);
    expect(same(Number.NaN, null)).toBe(true);
    expect(same(Number.POSITIVE_INFINITY, null)).toBe(true);
    expect(hashCacheKey({ a: 1, f: () => 1, s: Symbol("s") })).toBe(hashCacheKey({ a: 1 }));
    // eslint-disable-next-line no-sparse-arrays
    expect(canonicalJson([1, , undefined, () => 1])).toBe("[1,null,null,null]");
  });

  test("Unicode is kept as written: NFC and NFD forms are different requests", () => {
    expect(same("caf\u00e9", "cafe\u0301")).toBe(false);
    expect(same("😀", "😀")).toBe(true);
    expect(canonicalJson("\ud800")).toBe(JSON.stringify("\ud800"));
  });

  test("Maps and Sets are sent as {}, so they key as {}", () => {
    expect(same(new Map([["a", 1]]), {})).toBe(true);
    expect(same(new Set([1, 2]), {})).toBe(true);
  });

  test("what JSON cannot encode throws, as JSON.stringify does", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => canonicalJson(cycle)).toThrow();
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
  });
});

describe("binary data", () => {
  test("enters as the hash of its bytes, whatever its view", () => {
    const bytes = new Uint8Array([1, 2, 3, 4]);
    expect(same(bytes, Buffer.from([1, 2, 3, 4]))).toBe(true);
    expect(same(bytes.buffer, bytes)).toBe(true);
    expect(same(new DataView(bytes.buffer), bytes)).toBe(true);
    expect(same(new Uint8Array([1, 2, 3, 5]), bytes)).toBe(false);
    expect(same(new BinaryDigest(sha256(bytes)), bytes)).toBe(true);
    expect(canonicalJson({ image: bytes })).not.toContain("1,2,3");
  });

  test("typed arrays of different kinds holding the same bytes differ", () => {
    const floats = new Float32Array([1, 2.5]);
    expect(same(floats, new Uint8Array(floats.buffer))).toBe(false);
    expect(same(floats, new Int32Array(floats.buffer))).toBe(false);
    expect(same(floats, new Float32Array([1, 2.5]))).toBe(true);
  });

  test("no JSON value forges the marker of the bytes it names", () => {
    const bytes = new Uint8Array([9, 8, 7]);
    const hex = sha256(bytes);
    expect(same({ $sha256: hex }, bytes)).toBe(false);
    expect(same({ $binary: { kind: "bytes", sha256: hex } }, bytes)).toBe(false);
    expect(same(JSON.parse(canonicalJson(bytes)), bytes)).toBe(false);
    // Escaping `$` keys keeps every JSON key distinct from every other.
    expect(same({ $a: 1 }, { $$a: 1 })).toBe(false);
    expect(same({ $a: 1 }, { a: 1 })).toBe(false);
  });
});

describe("through the real OpenAI SDK: requests sent as different bytes never share an answer", () => {
  /** Asks `first`, then `second`; `second` must go upstream and get the answer the provider gives it. */
  async function expectOwnAnswer(first: Record<string, unknown>, second: Record<string, unknown>) {
    const eco = up.eco();
    await eco.chat.completions.create(first as never);
    const before = up.sim.count(CHAT_ROUTE);
    const served = await eco.chat.completions.create(second as never);
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
    const truth = await up.openai().chat.completions.create(second as never);
    expect(served.choices[0]!.message.content).toBe(truth.choices[0]!.message.content);
  }

  test("URLs and objects with toJSON", async () => {
    const image = (url: URL) => ask("", { messages: [{ role: "user", content: [{ type: "text", text: "describe" }, { type: "image_url", image_url: { url } }] }] });
    await expectOwnAnswer(image(new URL("https://a.example/cat.png")), image(new URL("https://a.example/dog.png")));
    const said = (text: string) => ({ toJSON: () => text });
    await expectOwnAnswer(ask("", { messages: [{ role: "user", content: said("left") }] }), ask("", { messages: [{ role: "user", content: said("right") }] }));
  });

  test("boxed numbers", async () => {
    await expectOwnAnswer(ask("boxed", { temperature: new Number(0) }), ask("boxed", { temperature: new Number(2) }));
  });

  test("an own __proto__ key in a JSON schema", async () => {
    const format = (type: string) => JSON.parse(`{"type":"json_schema","json_schema":{"name":"r","schema":{"type":"object","properties":{"__proto__":{"type":"${type}"}}}}}`);
    await expectOwnAnswer(ask("schema", { response_format: format("string") }), ask("schema", { response_format: format("number") }));
  });

  test("a Float32Array and a Uint8Array of the same bytes, and an object shaped like the bytes' fingerprint", async () => {
    const floats = new Float32Array([1]);
    const bytes = new Uint8Array(floats.buffer);
    await expectOwnAnswer(ask("bias", { logit_bias: floats }), ask("bias", { logit_bias: bytes }));
    await expectOwnAnswer(ask("bias", { logit_bias: bytes }), ask("bias", { logit_bias: { $sha256: sha256(bytes) } }));
  });

  test("what is sent alike shares an entry: a URL and its string, a boxed number and the number", async () => {
    const eco = up.eco();
    const before = up.sim.count(CHAT_ROUTE);
    const image = (url: unknown) => ask("", { messages: [{ role: "user", content: [{ type: "text", text: "describe" }, { type: "image_url", image_url: { url } }] }], temperature: new Number(1) });
    const first = await eco.chat.completions.create(image(new URL("https://a.example/same.png")) as never);
    const second = await eco.chat.completions.create({ ...image("https://a.example/same.png"), temperature: 1 } as never);
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
    expect(second.id).toBe(first.id);
  });
});

describe("plain requests", () => {
  /** The canonical form by its definition: keys sorted at every depth (`$` keys escaped), then JSON.stringify. */
  function reference(value: unknown): string {
    const sorted = (input: unknown): unknown => {
      if (typeof input !== "object" || input === null) return input;
      if (Array.isArray(input)) return input.map(sorted);
      const out: Record<string, unknown> = Object.create(null);
      for (const key of Object.keys(input).sort()) out[key.startsWith("$") ? `$${key}` : key] = sorted((input as Record<string, unknown>)[key]);
      return out;
    };
    return JSON.stringify(sorted(value)) ?? "null";
  }

  const KEYS = ["model", "messages", "role", "content", "$ref", "$$x", "__proto__", "b", "B", "é", "10", "2", "0", "a b", 'q"uote', "\u2028", "😀", "zz", "Z"];
  const STRINGS = ["", "Hi", 'Zürich → 東京, "quoted" \\ back\nline', "\ud800 lone", "\u0000\u001f", "😀"];
  function random(seed: { n: number }, depth: number): unknown {
    const next = () => (seed.n = (seed.n * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
    const kind = depth > 3 ? Math.floor(next() * 6) : Math.floor(next() * 8);
    switch (kind) {
      case 0:
        return pick(STRINGS);
      case 1:
        return pick([0, -0, 1, -1.5, 1e21, 1.5e-7, 2 ** 53, 0.1 + 0.2]);
      case 2:
        return pick([true, false]);
      case 3:
        return null;
      case 4:
        return undefined;
      case 5:
        return pick(STRINGS) + String(next());
      case 6:
        return Array.from({ length: Math.floor(next() * 4) }, () => random(seed, depth + 1));
      default: {
        const out: Record<string, unknown> = {};
        for (let i = Math.floor(next() * 5); i > 0; i--) Object.defineProperty(out, pick(KEYS), { value: random(seed, depth + 1), enumerable: true, configurable: true, writable: true });
        return out;
      }
    }
  }

  test("a request of plain JSON values keys as its sorted JSON, whatever its shape", () => {
    // Integer-like keys (a logit_bias's token ids) come first in JSON, in numeric order.
    const logitBias = { params: { logit_bias: { "50256": -100, "9": 1, "1000": 2, b: 3 } } };
    expect(canonicalJson(logitBias)).toBe(reference(logitBias));
    const seed = { n: 7 };
    for (let i = 0; i < 5000; i++) {
      const value = { params: random(seed, 0), provider: "openai" };
      expect(canonicalJson(value)).toBe(reference(value));
    }
  });
});
