import { describe, expect, test } from "bun:test";
import { GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import { EcoAIClosedError, EcoAIConfigError } from "../src/index.ts";
import { ask, CHAT_ROUTE, TEST_API_KEY, useUpstream } from "./harness.ts";

const up = useUpstream();

/** The rejection of `promise`, which must reject. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

async function configRejection(promise: Promise<unknown>): Promise<EcoAIConfigError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(EcoAIConfigError);
  return error as EcoAIConfigError;
}

describe("after close()", () => {
  test("calls, summary(), history(), flush() and setMode() throw ECOAI_CLOSED; no request is made", async () => {
    const eco = up.eco();
    await eco.chat.completions.create(ask("before closing"));
    await eco.close();
    const before = up.sim.requests.length;
    for (const [method, pending] of [
      ["chat.completions.create", eco.chat.completions.create(ask("before closing"))],
      ["chat.completions.create", eco.chat.completions.create(ask("after closing, bypassed"), { ecoai: { bypass: true } })],
      ["summary", eco.summary()],
      ["history", eco.history()],
      ["flush", eco.flush()],
    ] as const) {
      const error = await rejection(pending);
      expect(error).toBeInstanceOf(EcoAIClosedError);
      expect(error).toMatchObject({ code: "ECOAI_CLOSED", method });
      expect((error as Error).message).toContain(`${method}() was called after close()`);
    }
    expect(() => eco.setMode("prod")).toThrow(EcoAIClosedError);
    expect(up.sim.requests.length).toBe(before);
    // Closing again is harmless, and the client's own methods still work.
    await eco.close();
    expect((await eco.models.list()).data.length).toBeGreaterThan(0);
  });

  test("withResponse() on a closed instance's call rejects the same way", async () => {
    const eco = up.eco();
    await eco.close();
    expect(await rejection(eco.chat.completions.create(ask("closed")).withResponse())).toBeInstanceOf(EcoAIClosedError);
  });

  test("a Gemini call after close() rejects with ECOAI_CLOSED too", async () => {
    const eco = up.wrap(new GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl: up.sim.geminiBaseURL } }));
    await eco.close();
    const error = await rejection(eco.models.generateContent({ model: "gemini-2.5-flash", contents: "closed" }));
    expect(error).toMatchObject({ code: "ECOAI_CLOSED", method: "models.generateContent" });
  });
});

describe("management methods check their arguments as the constructor does", () => {
  test("flush: a misspelt field or a non-object is an error and removes nothing", async () => {
    const eco = up.eco();
    await eco.chat.completions.create(ask("Where is my refund?"));
    const typo = await configRejection(eco.flush({ patern: "*refund*" } as never));
    expect(typo).toMatchObject({ option: "patern", value: "*refund*", source: "flush() argument" });
    expect(typo.message).toContain("unknown field; expected one of pattern, model, namespace");
    for (const filter of ["*refund*", null, ["*refund*"], 42]) {
      const error = await configRejection(eco.flush(filter as never));
      expect(error).toMatchObject({ option: "filter", source: "flush() argument" });
      expect(error.expected).toContain("expected an object such as");
    }
    for (const [field, value] of [["model", ""], ["pattern", 7], ["namespace", " "]] as const) {
      expect(await configRejection(eco.flush({ [field]: value }))).toMatchObject({ option: field, value });
    }
    const before = up.sim.count(CHAT_ROUTE);
    await eco.chat.completions.create(ask("Where is my refund?"));
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(0);
    expect(await eco.flush({ pattern: "*refund*" })).toBe(1);
  });

  test("history: unknown fields, a negative or fractional limit, a bad provider or date", async () => {
    const eco = up.eco();
    expect(await configRejection(eco.history({ limt: 2 } as never))).toMatchObject({ option: "limt", source: "history() argument" });
    expect(await configRejection(eco.history("recent" as never))).toMatchObject({ option: "query" });
    for (const [query, option] of [
      [{ limit: -1 }, "limit"],
      [{ limit: 1.5 }, "limit"],
      [{ limit: "10" }, "limit"],
      [{ offset: -3 }, "offset"],
      [{ provider: "azure" }, "provider"],
      [{ to: new Date(Number.NaN) }, "to"],
      [{ model: "" }, "model"],
    ] as const) {
      const error = await configRejection(eco.history(query as never));
      expect(error.option).toBe(option);
      expect(error.source).toBe("history() argument");
    }
    await eco.chat.completions.create(ask("history arguments"));
    expect(await eco.history({ limit: 0 })).toEqual([]);
    expect(await eco.history({ limit: 1, provider: "openai", from: new Date(0), to: "2999-01-01" })).toHaveLength(1);
  });

  test("summary() takes no argument, so a filter is never silently ignored", async () => {
    const eco = up.eco();
    expect(await configRejection((eco.summary as (filter: unknown) => Promise<unknown>)({ model: "gpt-4o" }))).toMatchObject({ source: "summary() argument" });
    expect((await eco.summary()).totalCalls).toBe(0);
  });

  test("a per-call ttl beyond ten years is refused before any request", async () => {
    const eco = up.eco();
    const before = up.sim.count(CHAT_ROUTE);
    const error = await configRejection(eco.chat.completions.create(ask("eternal"), { ecoai: { ttl: 1e308 } }));
    expect(error).toMatchObject({ option: "ecoai.ttl", source: "per-call option" });
    expect(error.expected).toContain("ten years");
    expect(up.sim.count(CHAT_ROUTE)).toBe(before);
  });
});

describe("withOptions()", () => {
  test("returns a wrapped copy of the client sharing the cache, the usage log and close()", async () => {
    const eco = up.eco();
    const quick = eco.withOptions({ timeout: 4321, maxRetries: 0 });
    expect(quick.client).toBeInstanceOf(OpenAI);
    expect(quick.client).not.toBe(eco.client);
    expect(quick.client.timeout).toBe(4321);
    expect(eco.client.timeout).not.toBe(4321);

    const request = ask("asked through a copy with other options");
    const before = up.sim.count(CHAT_ROUTE);
    const first = await eco.chat.completions.create(request);
    const second = await quick.chat.completions.create(request);
    expect(second.choices[0]!.message.content).toBe(first.choices[0]!.message.content!);
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
    expect((await quick.history()).map((record) => record.cacheHit)).toEqual([true, false]);
    expect((await eco.summary()).cacheHits).toBe(1);

    // A copy of the copy is wrapped too, and flush() through it empties the shared cache.
    const copy = quick.withOptions({ maxRetries: 1 });
    expect(await copy.flush()).toBe(1);
    await copy.close();
    expect(await rejection(eco.summary())).toBeInstanceOf(EcoAIClosedError);
  });

  test("a copy pointed at another base URL keys its calls by that URL", async () => {
    const eco = up.eco();
    const elsewhere = eco.withOptions({ baseURL: up.sim.openaiBaseURL.replace("127.0.0.1", "localhost") });
    const request = ask("same request, another base URL");
    await eco.chat.completions.create(request);
    const before = up.sim.count(CHAT_ROUTE);
    await elsewhere.chat.completions.create(request);
    await elsewhere.chat.completions.create(request);
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
  });

  test("only clients that have withOptions get it", () => {
    const eco = up.wrap(new GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl: up.sim.geminiBaseURL } }));
    expect("withOptions" in eco).toBe(false);
    expect("withOptions" in up.eco()).toBe(true);
  });
});
