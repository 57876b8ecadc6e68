import { describe, expect, test } from "bun:test";
import { createResponseCopies } from "../../src/cache/response-copies.ts";
import { entryBody } from "../../src/cache/stream-entry.ts";

/** Own keys in order, at every depth, with each object's prototype: what tells two parsed values apart. */
function shape(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return Object.is(value, -0) ? "-0" : value;
  if (Array.isArray(value)) return { array: value.map(shape) };
  return { prototype: Object.getPrototypeOf(value) === Object.prototype, fields: Reflect.ownKeys(value).map((key) => [key, shape((value as Record<string, unknown>)[key as string])]) };
}

describe("the response of a stored entry", () => {
  const body = '{"id":"x","__proto__":{"polluted":true},"10":"ten","2":"two","z":[1,-0,1e21,null,true,{"b":{},"a":[]}],"s":"é \\u2028 😀","n":{"label":"c"}}';

  test("is what JSON.parse gives, field for field and in the same order, every time", () => {
    const responses = createResponseCopies();
    for (let i = 0; i < 3; i++) {
      const served = responses.of(body);
      expect(shape(served)).toEqual(shape(JSON.parse(body)));
      expect(Object.getPrototypeOf(served)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(served, "__proto__")?.value).toEqual({ polluted: true });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  test("is a fresh object for each hit: changing one changes no later one", () => {
    const responses = createResponseCopies();
    const first = responses.of(body) as { z: unknown[]; n: { label: string } };
    first.z.push("added");
    first.n.label = "changed";
    const second = responses.of(body) as { z: unknown[]; n: { label: string } };
    expect(second).not.toBe(first);
    expect(second.z).toHaveLength(6);
    expect(second.n.label).toBe("c");
  });

  test("a body that is not JSON throws as parsing it does, each time", () => {
    const responses = createResponseCopies();
    expect(() => responses.of("{not json")).toThrow(SyntaxError);
    expect(() => responses.of("{not json")).toThrow(SyntaxError);
  });

  test("a body with a stream's recording gives its response; a broken recording still throws", () => {
    const responses = createResponseCopies();
    const recorded = entryBody({ id: "r", choices: [] }, [{ at: 1, data: "{}" }]);
    expect(responses.of(recorded)).toEqual({ id: "r", choices: [] });
    expect(() => responses.of('{"id":"r"}\n{"events":"no"}')).toThrow();
  });

  test("many and long bodies: each still answers with its own response", () => {
    const responses = createResponseCopies();
    const long = JSON.stringify({ text: "x".repeat(100_000) });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 600; i++) expect(responses.of(`{"n":${i}}`)).toEqual({ n: i });
      expect(responses.of(long)).toEqual({ text: "x".repeat(100_000) });
    }
  });
});

describe("a rebuilt response kept for a method whose rebuild gives data", () => {
  const body = '{"at":1796063317000,"parts":[{"text":"a"}]}';
  const rebuild = (stored: unknown) => {
    const { at, parts } = stored as { at: number; parts: unknown[] };
    return { at: new Date(at), parts, missing: undefined };
  };

  test("each later hit gets its own copy of what was kept, dates and undefined fields included", () => {
    const responses = createResponseCopies();
    expect(responses.rebuilt(body, rebuild)).toBeUndefined();
    const first = rebuild(responses.of(body));
    responses.keepRebuilt(body, rebuild, first);
    first.at.setTime(0);
    (first.parts as unknown[]).push("changed after it was kept");
    const second = responses.rebuilt(body, rebuild) as ReturnType<typeof rebuild>;
    const third = responses.rebuilt(body, rebuild) as ReturnType<typeof rebuild>;
    expect(second).toStrictEqual(rebuild(JSON.parse(body)));
    expect(second.at).toBeInstanceOf(Date);
    expect(Object.keys(second)).toEqual(["at", "parts", "missing"]);
    second.at.setTime(1);
    expect(third.at.getTime()).toBe(1796063317000);
    expect(third.parts).not.toBe(second.parts);
  });

  test("is kept per rebuild, and only when it is data a copy reproduces", () => {
    const responses = createResponseCopies();
    const other = (stored: unknown) => ({ other: stored });
    responses.keepRebuilt(body, rebuild, rebuild(JSON.parse(body)));
    expect(responses.rebuilt(body, other)).toBeUndefined();
    const withMap = (stored: unknown) => ({ stored, index: new Map([["a", 1]]) });
    responses.keepRebuilt(body, withMap, withMap(JSON.parse(body)));
    expect(responses.rebuilt(body, withMap)).toBeUndefined();
    const long = JSON.stringify({ at: 0, parts: ["x".repeat(100_000)] });
    responses.keepRebuilt(long, rebuild, rebuild(JSON.parse(long)));
    expect(responses.rebuilt(long, rebuild)).toBeUndefined();
    // A stream's recording beside the response: the rebuilt response is kept as for any body.
    const recorded = entryBody({ at: 5, parts: [] }, [{ at: 1, data: "{}" }]);
    responses.keepRebuilt(recorded, rebuild, rebuild(responses.of(recorded)));
    expect(responses.rebuilt(recorded, rebuild)).toStrictEqual({ at: new Date(5), parts: [], missing: undefined });
  });
});
