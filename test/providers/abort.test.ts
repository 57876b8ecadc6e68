import type { SupportedClient } from "../../src/index.ts";
import { afterEach, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { GoogleGenAI } from "@google/genai";
import { GoogleGenerativeAI, GoogleGenerativeAIAbortError } from "@google/generative-ai";
import { ask, CHAT_ROUTE, TEST_API_KEY, useUpstream } from "../harness.ts";

const up = useUpstream();

afterEach(() => {
  up.sim.delayMs = 0;
});

/** How a test makes one call: the SDK's own way of passing a signal and a timeout. */
interface Limits {
  signal?: AbortSignal;
  timeout?: number;
}

/** One SDK: a fresh client on the simulator, and one cached method called through it. */
interface Sdk {
  name: string;
  route: string;
  client(): SupportedClient;
  call(client: SupportedClient, prompt: string, limits?: Limits): Promise<unknown>;
  /** The answer's text, to check what a call got. */
  text(response: unknown): string;
  /** The error class the SDK rejects with on an abort and on a timeout. */
  abortError: Function;
  timeoutError: Function;
  /** Whether the SDK rejects a call whose signal was aborted before it started. */
  heedsAbortedSignal: boolean;
}

const SDKS: Sdk[] = [
  {
    name: "openai",
    route: CHAT_ROUTE,
    client: () => new OpenAI({ baseURL: up.sim.openaiBaseURL, apiKey: TEST_API_KEY, maxRetries: 0 }),
    call: (client, prompt, limits = {}) => (client as OpenAI).chat.completions.create(ask(prompt), limits),
    text: (response) => (response as OpenAI.ChatCompletion).choices[0]!.message.content!,
    abortError: OpenAI.APIUserAbortError,
    timeoutError: OpenAI.APIConnectionTimeoutError,
    heedsAbortedSignal: true,
  },
  {
    name: "@anthropic-ai/sdk",
    route: "anthropic.messages",
    client: () => new Anthropic({ baseURL: up.sim.anthropicBaseURL, apiKey: TEST_API_KEY, maxRetries: 0 }),
    call: (client, prompt, limits = {}) =>
      (client as Anthropic).messages.create({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: prompt }] }, limits),
    text: (response) => ((response as Anthropic.Message).content[0] as Anthropic.TextBlock).text,
    abortError: Anthropic.APIUserAbortError,
    timeoutError: Anthropic.APIConnectionTimeoutError,
    heedsAbortedSignal: true,
  },
  {
    name: "@google/genai",
    route: "gemini.generateContent",
    client: () => new GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl: up.sim.geminiBaseURL } }),
    call: (client, prompt, { signal, timeout } = {}) =>
      (client as GoogleGenAI).models.generateContent({
        model: "gemini-2.5-flash",
        contents: prompt,
        config: { ...(signal ? { abortSignal: signal } : {}), ...(timeout ? { httpOptions: { timeout } } : {}) },
      }),
    text: (response) => (response as { text: string }).text,
    abortError: DOMException,
    timeoutError: DOMException,
    heedsAbortedSignal: true,
  },
  {
    name: "@google/generative-ai",
    route: "gemini.generateContent",
    client: () => new GoogleGenerativeAI(TEST_API_KEY).getGenerativeModel({ model: "gemini-1.5-flash" }, { baseUrl: up.sim.geminiBaseURL }),
    call: (client, prompt, limits = {}) => (client as ReturnType<GoogleGenerativeAI["getGenerativeModel"]>).generateContent(prompt, limits),
    text: (response) => (response as { response: { text(): string } }).response.text(),
    abortError: GoogleGenerativeAIAbortError,
    timeoutError: GoogleGenerativeAIAbortError,
    // The SDK only listens for the "abort" event, which an aborted signal never fires again.
    heedsAbortedSignal: false,
  },
];

/** What a promise settled with, errors included. */
const outcome = (promise: Promise<unknown>) => promise.then((value) => ({ value }), (error: unknown) => ({ error }));

/** Resolves once the simulator has received `count` more requests on `route` than `before`. */
async function requestsArrived(route: string, before: number, count = 1): Promise<void> {
  while (up.sim.count(route) - before < count) await Bun.sleep(2);
}

for (const sdk of SDKS) {
  describe(sdk.name, () => {
    test("a caller waiting on an identical call gives up at its own timeout with the SDK's timeout error; the others are served", async () => {
      const eco = up.wrap(sdk.client());
      const prompt = `${sdk.name} waiter with a short timeout`;
      up.sim.delayMs = 600;
      const before = up.sim.count(sdk.route);
      const settled: string[] = [];
      const track = (name: string, promise: Promise<unknown>) => outcome(promise.finally(() => settled.push(name)));
      const leader = track("leader", sdk.call(eco, prompt));
      await requestsArrived(sdk.route, before);
      const impatient = track("impatient", sdk.call(eco, prompt, { timeout: 100 }));
      const patient = track("patient", sdk.call(eco, prompt));
      // The same SDK, uncached, with the same timeout against the same slow upstream.
      const direct = await outcome(sdk.call(sdk.client(), prompt, { timeout: 100 }));

      const gaveUp = await impatient;
      expect("error" in gaveUp && gaveUp.error).toBeInstanceOf(sdk.timeoutError);
      expect("error" in direct && direct.error).toBeInstanceOf(sdk.timeoutError);
      expect((gaveUp as { error: Error }).error.message).toBe((direct as { error: Error }).error.message);
      // It did not wait for the answer: it settled first, and the others still got theirs.
      expect(settled[0]).toBe("impatient");
      const [led, waited] = [await leader, await patient];
      expect(sdk.text((led as { value: unknown }).value)).toContain(prompt);
      expect(sdk.text((waited as { value: unknown }).value)).toBe(sdk.text((led as { value: unknown }).value));
      expect(up.sim.count(sdk.route) - before).toBe(2); // the leader's request and the direct one
    });

    test("a caller waiting on an identical call whose signal aborts rejects at once with the SDK's abort error; the others are served", async () => {
      const eco = up.wrap(sdk.client());
      const prompt = `${sdk.name} waiter that aborts`;
      up.sim.delayMs = 400;
      const before = up.sim.count(sdk.route);
      const leader = outcome(sdk.call(eco, prompt));
      await requestsArrived(sdk.route, before);
      const controller = new AbortController();
      const settled: string[] = [];
      const aborting = outcome(sdk.call(eco, prompt, { signal: controller.signal }).finally(() => settled.push("aborted")));
      const patient = outcome(sdk.call(eco, prompt).finally(() => settled.push("patient")));
      await Bun.sleep(30);
      controller.abort();
      const direct = new AbortController();
      const directCall = outcome(sdk.call(sdk.client(), prompt, { signal: direct.signal }));
      await requestsArrived(sdk.route, before, 2);
      direct.abort();

      const gaveUp = (await aborting) as { error: Error };
      expect(gaveUp.error).toBeInstanceOf(sdk.abortError);
      expect(gaveUp.error.message).toBe(((await directCall) as { error: Error }).error.message);
      expect(settled[0]).toBe("aborted");
      const answer = ((await patient) as { value: unknown }).value;
      expect(sdk.text(answer)).toBe(sdk.text(((await leader) as { value: unknown }).value));
      expect(up.sim.count(sdk.route) - before).toBe(2);
    });

    test(`a signal aborted before a hit ${sdk.heedsAbortedSignal ? "rejects it with the SDK's abort error" : "is ignored, as the SDK ignores it"}`, async () => {
      const eco = up.wrap(sdk.client());
      const prompt = `${sdk.name} hit with an aborted signal`;
      const first = await sdk.call(eco, prompt);
      const before = up.sim.count(sdk.route);
      const hit = await outcome(sdk.call(eco, prompt, { signal: AbortSignal.abort() }));
      const direct = await outcome(sdk.call(sdk.client(), prompt, { signal: AbortSignal.abort() }));
      if (sdk.heedsAbortedSignal) {
        expect((hit as { error: Error }).error).toBeInstanceOf(sdk.abortError);
        expect((hit as { error: Error }).error.message).toBe((direct as { error: Error }).error.message);
        expect(up.sim.count(sdk.route)).toBe(before);
      } else {
        expect(sdk.text((hit as { value: unknown }).value)).toBe(sdk.text(first));
        expect(sdk.text((direct as { value: unknown }).value)).toBe(sdk.text(first));
      }
      // The cache is untouched: the next plain call is a hit.
      expect(sdk.text(await sdk.call(eco, prompt))).toBe(sdk.text(first));
    });
  });
}

test("openai: a waiter with retries left waits as long as the SDK would keep trying, then rejects with its timeout error", async () => {
  const eco = up.wrap(new OpenAI({ baseURL: up.sim.openaiBaseURL, apiKey: TEST_API_KEY, maxRetries: 1 }));
  const prompt = "waiter with one retry";
  up.sim.delayMs = 900;
  const before = up.sim.count(CHAT_ROUTE);
  const leader = outcome(eco.chat.completions.create(ask(prompt)));
  await requestsArrived(CHAT_ROUTE, before);
  // One retry of 100 ms after the first 100 ms and the SDK's pause of up to 500 ms: it would give up
  // after about 700 ms, before the leader's answer at 900 ms. Without its retry, at 100 ms.
  const settled: string[] = [];
  const oneRetry = outcome(eco.chat.completions.create(ask(prompt), { timeout: 100 }).finally(() => settled.push("one retry")));
  const noRetry = outcome(eco.chat.completions.create(ask(prompt), { timeout: 100, maxRetries: 0 }).finally(() => settled.push("no retry")));
  expect(((await oneRetry) as { error: Error }).error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  expect(((await noRetry) as { error: Error }).error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  expect(settled).toEqual(["no retry", "one retry"]);
  expect(((await leader) as { value: OpenAI.ChatCompletion }).value.choices[0]!.message.content).toContain(prompt);
  expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
});

/** Starts `first` (the leader), then an identical `second` that waits on it, and aborts the leader's caller. */
async function abortLeader<T>(first: (signal: AbortSignal) => Promise<T>, second: () => Promise<T>): Promise<[unknown, unknown]> {
  const controller = new AbortController();
  up.sim.delayMs = 60;
  const leader = first(controller.signal).catch((error: unknown) => error);
  await Bun.sleep(5);
  const follower = second().catch((error: unknown) => error);
  setTimeout(() => controller.abort(), 20);
  return await Promise.all([leader, follower]);
}

test("OpenAI: a caller that aborts does not fail the identical call that waited on it", async () => {
  const eco = up.eco();
  const [leader, follower] = await abortLeader(
    (signal) => eco.chat.completions.create(ask("abort the leader"), { signal }),
    () => eco.chat.completions.create(ask("abort the leader")),
  );
  expect(leader).toBeInstanceOf(OpenAI.APIUserAbortError);
  expect((follower as OpenAI.ChatCompletion).choices[0]!.message.content).toContain("abort the leader");
  // The follower's own request answered it, and that answer is what the cache now serves.
  const before = up.sim.count(CHAT_ROUTE);
  expect((await eco.chat.completions.create(ask("abort the leader"))).id).toBe((follower as OpenAI.ChatCompletion).id);
  expect(up.sim.count(CHAT_ROUTE)).toBe(before);
});

test("@google/genai: the abort signal lives in config.abortSignal; the waiting call still gets its answer", async () => {
  const eco = up.wrap(new GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl: up.sim.geminiBaseURL } }));
  const request = { model: "gemini-2.5-flash", contents: "abort the leader" };
  const [leader, follower] = await abortLeader(
    (abortSignal) => eco.models.generateContent({ ...request, config: { abortSignal } }),
    () => eco.models.generateContent(request),
  );
  expect(leader).toBeInstanceOf(Error);
  expect((follower as { text?: string }).text).toContain("abort the leader");
});
