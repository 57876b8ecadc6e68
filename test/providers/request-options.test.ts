import { describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import { GoogleGenerativeAI } from "@google/generative-ai";
import type OpenAI from "openai";
import { anthropicAdapter, googleGenAIAdapter, openaiAdapter } from "../../src/providers/index.ts";
import { ask, CHAT_ROUTE, TEST_API_KEY } from "../harness.ts";
import { GENERATE_ROUTE } from "./gemini-clients.ts";
import { useProviders } from "./wrapped.ts";

const { up, wrap, anthropic } = useProviders();

/** Upstream requests to `route` made while `run` runs. */
async function upstream(run: () => Promise<unknown>, route = CHAT_ROUTE): Promise<number> {
  const before = up.sim.count(route);
  await run();
  return up.sim.count(route) - before;
}

const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

describe("openai: per-call request options that reach the wire", () => {
  test("a body override is keyed as the body sent: the plain call gets its own answer, the overriding body's own call is a hit", async () => {
    const eco = up.eco();
    const a = ask("Question A: what is the capital of Italy?");
    const b = ask("Question B: what is the capital of Spain?");
    let overridden: OpenAI.ChatCompletion | undefined;
    let plain: OpenAI.ChatCompletion | undefined;
    let asked: OpenAI.ChatCompletion | undefined;
    const calls = await upstream(async () => {
      overridden = await eco.chat.completions.create(a, { body: b });
      plain = await eco.chat.completions.create(a);
      asked = await eco.chat.completions.create(b);
    });
    expect(calls).toBe(2);
    expect(overridden!.choices[0]!.message.content).toContain("Question B");
    expect(plain!.choices[0]!.message.content).toContain("Question A");
    expect(asked!.id).toBe(overridden!.id);
  });

  test("a body the SDK sends as it is, or fetchOptions that replace body, method or headers, bypass the cache", async () => {
    const eco = up.eco();
    const a = ask("Question A: name a river");
    const b = ask("Question B: name a mountain");
    const raw = { body: JSON.stringify(b), headers: { "content-type": "application/json" } };
    // The SDK's types rule this out; plain JavaScript can still send it.
    const replaced = { fetchOptions: { body: JSON.stringify(b) } } as never;
    const calls = await upstream(async () => {
      for (const options of [raw, replaced, raw, replaced]) {
        expect((await eco.chat.completions.create(a, options)).choices[0]!.message.content).toContain("Question B");
      }
      expect((await eco.chat.completions.create(a)).choices[0]!.message.content).toContain("Question A");
    });
    expect(calls).toBe(5);
    expect((await eco.history()).filter((record) => record.cacheHit)).toHaveLength(0);
  });

  test("a per-call query or path enters the key", async () => {
    const eco = up.eco();
    const a = ask("query and path");
    const calls = await upstream(async () => {
      await eco.chat.completions.create(a);
      await eco.chat.completions.create(a, { query: { variant: "b" } });
      await eco.chat.completions.create(a, { query: { variant: "b" } });
      await eco.chat.completions.create(a, { path: "/chat/completions?variant=c" });
      await eco.chat.completions.create(a, { path: "/chat/completions?variant=c" });
    });
    expect(calls).toBe(3);
    expect(up.sim.requests.at(-1)!.path).toBe("/v1/chat/completions");
  });

  test("behaviour headers enter the key; credentials, tracing, timeout, retries, signal and idempotency key do not", async () => {
    const eco = up.eco();
    const a = ask("headers in the key");
    const calls = await upstream(async () => {
      await eco.chat.completions.create(a);
      await eco.chat.completions.create(a, { headers: { "OpenAI-Beta": "assistants=v2" } });
      await eco.chat.completions.create(a, { headers: { "openai-beta": "assistants=v2" } });
      await eco.chat.completions.create(a, {
        timeout: 5000,
        maxRetries: 1,
        signal: new AbortController().signal,
        idempotencyKey: "call-1",
        headers: { traceparent: TRACEPARENT, "X-Request-Id": "r-1", Authorization: "Bearer sk-another-key", "X-Stainless-Retry-Count": "3" },
      });
    });
    expect(calls).toBe(2);
  });

  test("options ecoai cannot read are left to the SDK, which rejects the call as it would unwrapped", async () => {
    const eco = up.eco();
    const unreadable = { headers: { "x-trace-note": { toString: () => { throw new Error("header value not a string"); } } } } as never;
    // Awaited through `then`: the SDK's promise is a Promise subclass that parses in `then`.
    const failure = (call: () => PromiseLike<unknown>) => call().then(() => undefined, (error: unknown) => error);
    let wrapped: PromiseLike<unknown> | undefined;
    expect(() => (wrapped = failure(() => eco.chat.completions.create(ask("unreadable options"), unreadable)))).not.toThrow();
    expect(await wrapped).toBeInstanceOf(Error);
    expect(((await wrapped) as Error).message).toBe("header value not a string");
    expect(((await failure(() => up.openai().chat.completions.create(ask("unreadable options"), unreadable))) as Error).message).toBe("header value not a string");
  });

  test("the client's organization, project, default headers and default query separate entries; its API key does not", async () => {
    const name = `identity-${Math.random().toString(36).slice(2)}`;
    const a = ask("who is asking?");
    const through = (client: OpenAI) => wrap(client, {}, name).chat.completions.create(a);
    const calls = await upstream(async () => {
      await through(up.openai());
      await through(up.openai({ apiKey: "sk-rotated-key" }));
      await through(up.openai({ organization: "org-b" }));
      await through(up.openai({ organization: "org-b", apiKey: "sk-rotated-key" }));
      await through(up.openai({ project: "proj-b" }));
      await through(up.openai({ defaultHeaders: { "OpenAI-Beta": "responses=v1" } }));
      await through(up.openai({ defaultQuery: { "api-version": "2024-10-21" } }));
    });
    expect(calls).toBe(5);
  });
});

describe("@anthropic-ai/sdk: what reaches the wire", () => {
  const ROUTE = "anthropic.messages";
  const question = (content: string): Anthropic.MessageCreateParamsNonStreaming => ({ model: "claude-haiku-4-5", max_tokens: 128, messages: [{ role: "user", content }] });
  const text = (message: Anthropic.Message) => message.content.map((block) => (block.type === "text" ? block.text : "")).join("");

  test("anthropic-beta, per call or from the client's default headers, enters the key; the API key does not", async () => {
    const name = `anthropic-${Math.random().toString(36).slice(2)}`;
    const a = question("betas");
    const calls = await upstream(async () => {
      await wrap(anthropic(), {}, name).messages.create(a);
      await wrap(anthropic({ apiKey: "sk-ant-rotated" }), {}, name).messages.create(a);
      await wrap(anthropic(), {}, name).messages.create(a, { headers: { "anthropic-beta": "context-1m-2025-08-07" } });
      await wrap(anthropic({ defaultHeaders: { "anthropic-beta": "context-1m-2025-08-07" } }), {}, name).messages.create(a);
      await wrap(anthropic({ defaultHeaders: { "anthropic-beta": "output-128k-2025-02-19" } }), {}, name).messages.create(a);
    }, ROUTE);
    expect(calls).toBe(3);
  });

  test("a body override is keyed as the body sent; per-call middleware bypasses the cache", async () => {
    const eco = wrap(anthropic());
    const a = question("Question A: a colour");
    const b = question("Question B: a number");
    const middleware = [(request: Request, next: (request: Request) => Promise<Response>) => next(request)];
    const calls = await upstream(async () => {
      expect(text(await eco.messages.create(a, { body: b }))).toContain("Question B");
      expect(text(await eco.messages.create(a))).toContain("Question A");
      await eco.messages.create(a, { middleware } as never);
      await eco.messages.create(a, { middleware } as never);
    }, ROUTE);
    expect(calls).toBe(4);
  });
});

describe("Gemini SDKs: headers", () => {
  test("@google/genai: the client's httpOptions headers separate entries", async () => {
    const name = `genai-${Math.random().toString(36).slice(2)}`;
    const client = (headers: Record<string, string>) => new GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl: up.sim.geminiBaseURL, headers } });
    const request = { model: "gemini-2.5-flash", contents: "headers of the client" };
    const calls = await upstream(async () => {
      await wrap(client({}), {}, name).models.generateContent(request);
      await wrap(client({ traceparent: TRACEPARENT }), {}, name).models.generateContent(request);
      await wrap(client({ "x-goog-user-project": "billing-b" }), {}, name).models.generateContent(request);
      await wrap(new GoogleGenAI({ apiKey: "another-key", httpOptions: { baseUrl: up.sim.geminiBaseURL } }), {}, name).models.generateContent(request);
    }, GENERATE_ROUTE);
    expect(calls).toBe(2);
  });

  test("@google/generative-ai: custom headers of the model or the call enter the key; timeout and apiClient do not", async () => {
    const model = (customHeaders: Record<string, string>) => new GoogleGenerativeAI(TEST_API_KEY).getGenerativeModel({ model: "gemini-1.5-flash" }, { baseUrl: up.sim.geminiBaseURL, customHeaders });
    const name = `generative-${Math.random().toString(36).slice(2)}`;
    const calls = await upstream(async () => {
      await wrap(model({}), {}, name).generateContent("custom headers");
      await wrap(model({ "x-goog-user-project": "billing-b" }), {}, name).generateContent("custom headers");
      await wrap(model({}), {}, name).generateContent("custom headers", { customHeaders: { "x-goog-user-project": "billing-b" } });
      await wrap(model({}), {}, name).generateContent("custom headers", { customHeaders: { "x-goog-user-project": "billing-c" } });
      await wrap(model({}), {}, name).generateContent("custom headers", { timeout: 5000, apiClient: "my-wrapper/1.0" });
    }, GENERATE_ROUTE);
    expect(calls).toBe(3);
  });
});

describe("streams", () => {
  test("stream and stream-only options never enter the key, so a streamed and a plain request key alike", () => {
    const cases: [typeof openaiAdapter, string, Record<string, unknown>, Record<string, unknown>][] = [
      [openaiAdapter, "chat.completions", ask("streamed"), { stream: true, stream_options: { include_usage: true } }],
      [openaiAdapter, "responses", { model: "gpt-4.1-mini", input: "streamed" }, { stream: true, stream_options: { include_obfuscation: false } }],
      [openaiAdapter, "images.generations", { model: "gpt-image-1", prompt: "streamed" }, { stream: true, partial_images: 2 }],
      [anthropicAdapter, "messages", { model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: "streamed" }] }, { stream: true }],
      [googleGenAIAdapter, "models.generateContent", { model: "gemini-2.5-flash", contents: "streamed" }, {}],
    ];
    for (const [adapter, endpoint, plain, streamOnly] of cases) {
      const method = adapter.methods.find((candidate) => candidate.endpoint === endpoint)!;
      expect({ endpoint, key: method.keyParams({ ...plain, ...streamOnly }) }).toEqual({ endpoint, key: method.keyParams(plain) });
    }
  });
});
