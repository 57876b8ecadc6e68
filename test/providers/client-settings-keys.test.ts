import { describe, expect, test } from "bun:test";
import { canonicalJson } from "../../src/cache/key.ts";
import { keyedHeaders, keyedHeadersOf } from "../../src/providers/headers.ts";
import { keyWithout, trimmedBaseURL } from "../../src/providers/adapter.ts";
import { ask, CHAT_ROUTE, useUpstream } from "../harness.ts";

const up = useUpstream();

/** How many requests `run` sent upstream. */
async function upstream(run: () => Promise<unknown>): Promise<number> {
  const before = up.sim.count(CHAT_ROUTE);
  await run();
  return up.sim.count(CHAT_ROUTE) - before;
}

describe("what a call sends beside its body is read as the client stands at each call", () => {
  test("default headers changed on the client after earlier calls change the key; changed back, it hits again", async () => {
    const client = up.openai({ defaultHeaders: { "X-Route": "eu" } });
    const eco = up.wrap(client);
    const call = () => eco.chat.completions.create(ask("routed by a default header"));
    expect(await upstream(call)).toBe(1);
    expect(await upstream(call)).toBe(0);
    const defaults = (client as unknown as { _options: { defaultHeaders: Record<string, unknown> } })._options.defaultHeaders;
    defaults["X-Route"] = "us";
    expect(await upstream(call)).toBe(1);
    defaults["X-Tier"] = "gold";
    expect(await upstream(call)).toBe(1);
    delete defaults["X-Tier"];
    defaults["X-Route"] = "eu";
    expect(await upstream(call)).toBe(0);
  });

  test("an organization or project set on the client after earlier calls changes the key", async () => {
    const client = up.openai();
    const eco = up.wrap(client);
    const call = () => eco.chat.completions.create(ask("scoped by organization"));
    expect(await upstream(call)).toBe(1);
    expect(await upstream(call)).toBe(0);
    client.organization = "org-a";
    expect(await upstream(call)).toBe(1);
    client.project = "proj-a";
    expect(await upstream(call)).toBe(1);
    client.organization = null;
    client.project = null;
    expect(await upstream(call)).toBe(0);
  });

  test("a base URL changed on the client keys by the new one; a trailing slash keys alike", async () => {
    const client = up.openai();
    const eco = up.wrap(client);
    const call = () => eco.chat.completions.create(ask("by base URL"));
    expect(await upstream(call)).toBe(1);
    client.baseURL = `${up.sim.openaiBaseURL.replace(/\/+$/, "")}/`;
    expect(await upstream(call)).toBe(0);
    client.baseURL = up.sim.openaiBaseURL.replace("127.0.0.1", "localhost");
    expect(await upstream(call)).toBe(1);
    expect([trimmedBaseURL("https://a/v1//"), trimmedBaseURL("https://b/v1"), trimmedBaseURL("https://a/v1//"), trimmedBaseURL(undefined)]).toEqual(["https://a/v1", "https://b/v1", "https://a/v1", ""]);
  });
});

describe("the parts of a key made once are the parts made every time", () => {
  test("a record's keyed headers, asked again after its fields changed, are merged again", () => {
    const record: Record<string, unknown> = { "X-Route": "eu", Authorization: "Bearer sk" };
    expect(keyedHeadersOf(record)).toEqual({ "x-route": "eu" });
    expect(keyedHeadersOf(record)).toBe(keyedHeadersOf(record));
    record["X-Route"] = null;
    expect(keyedHeadersOf(record)).toBeUndefined();
    record["x-a"] = ["1", "2"];
    expect(keyedHeadersOf(record)).toEqual(keyedHeaders(record));
    const boxed = { "x-n": { toString: () => "1" } };
    expect(keyedHeadersOf(boxed)).toEqual({ "x-n": "1" });
    const headers = new Headers({ "x-h": "1" });
    expect(keyedHeadersOf(headers)).toEqual({ "x-h": "1" });
  });

  test("a request keys as its copy without the dropped fields would, whatever it is made of", () => {
    const dropped = ["stream", "user"];
    const keyParams = keyWithout(["user"]);
    const copy = (params: Record<string, unknown>) => Object.fromEntries(Object.entries(params).filter(([field]) => !dropped.includes(field)));
    class Request {
      model = "m";
      get extra() {
        return "from a getter";
      }
    }
    const hiddenToJSON = { model: "m", messages: [] };
    Object.defineProperty(hiddenToJSON, "toJSON", { value: () => "hidden", enumerable: false });
    const withProto = JSON.parse('{"model":"m","__proto__":{"a":1}}');
    const cases: Record<string, unknown>[] = [
      { model: "m", messages: [{ role: "user", content: "hi" }] },
      { model: "m", user: "u-1", stream: false },
      new Request() as unknown as Record<string, unknown>,
      Object.assign(Object.create(null), { model: "m", user: "u" }),
      hiddenToJSON,
      withProto,
      { model: "m", toJSON: () => ({ model: "replaced" }) },
      { model: "m", [Symbol("s")]: 1 },
    ];
    for (const params of cases) expect(canonicalJson(keyParams(params))).toBe(canonicalJson(copy(params)));
  });
});
