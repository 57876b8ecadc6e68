import { describe, expect, test } from "bun:test";
import { isKeyedHeader, keyedHeaders } from "../../src/providers/headers.ts";

describe("the headers a key sees", () => {
  test("credentials, SDK bookkeeping and tracing never enter a key; anything else does", () => {
    for (const name of ["authorization", "x-api-key", "api-key", "helicone-auth", "cookie", "idempotency-key", "x-stainless-retry-count", "traceparent", "x-b3-traceid", "user-agent"]) {
      expect(isKeyedHeader(name)).toBe(false);
    }
    for (const name of ["anthropic-beta", "openai-beta", "api-version", "x-route-to", "openai-organization"]) expect(isKeyedHeader(name)).toBe(true);
    // Asked again (answered from memory), the same.
    expect(isKeyedHeader("authorization")).toBe(false);
    expect(isKeyedHeader("anthropic-beta")).toBe(true);
  });

  test("sources merge in order as the SDKs merge them: lower-cased names, a later source replaces, null removes, undefined is skipped", () => {
    expect(keyedHeaders(undefined, {}, null)).toBeUndefined();
    expect(keyedHeaders({ "OpenAI-Organization": undefined, "OpenAI-Project": undefined }, {}, undefined, undefined)).toBeUndefined();
    expect(keyedHeaders({ Authorization: "Bearer sk-1", "X-Stainless-Lang": "js" })).toBeUndefined();
    expect(keyedHeaders({ "X-Route": "eu", "Anthropic-Beta": "a" }, { "x-route": "us" })).toEqual({ "x-route": "us", "anthropic-beta": "a" });
    expect(keyedHeaders({ "X-Route": "eu", "X-Tier": "1" }, { "x-route": null })).toEqual({ "x-tier": "1" });
    // Within one source, repeated names (any case) and array values add up; across sources they replace.
    expect(keyedHeaders([["X-Tag", "a"], ["x-tag", "b"]], { other: ["1", 2, undefined] })).toEqual({ "x-tag": "a, b", other: "1, 2" });
    expect(keyedHeaders({ "x-tag": ["a", "b"] }, [["X-Tag", "c"]])).toEqual({ "x-tag": "c" });
    expect(keyedHeaders([["x-a", "1"], "not a pair", [3, "no name"]])).toEqual({ "x-a": "1" });
  });

  test("Headers objects and the Stainless SDKs' nullable headers", () => {
    expect(keyedHeaders(new Headers({ "X-Route": "eu", Authorization: "Bearer sk" }))).toEqual({ "x-route": "eu" });
    const nullable = { values: new Headers({ "x-keep": "1" }), nulls: new Set(["x-route"]) };
    expect(keyedHeaders({ "x-route": "eu", "x-tier": "2" }, nullable)).toEqual({ "x-tier": "2", "x-keep": "1" });
  });

  test("own names only, and a header named __proto__ is a header like any other", () => {
    const inherited = Object.create({ "x-inherited": "1" }) as Record<string, string>;
    inherited["x-own"] = "2";
    expect(keyedHeaders(inherited)).toEqual({ "x-own": "2" });
    const odd = keyedHeaders([["__proto__", "x"]])!;
    expect(Object.keys(odd)).toEqual(["__proto__"]);
    expect(Object.getOwnPropertyDescriptor(odd, "__proto__")?.value).toBe("x");
  });
});
