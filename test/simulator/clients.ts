import { afterAll, beforeAll, beforeEach } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import { GoogleGenerativeAI } from "@google/generative-ai";
import OpenAI from "openai";
import { startSimulator, type Simulator } from "../../src/simulator/index.ts";

/**
 * One simulator per test file and the four real SDK clients pointed at it (no retries, so a
 * fault is seen as the SDK reports it). The simulator is reset before each test.
 */
export function useClients() {
  const context = {
    sim: undefined as unknown as Simulator,
    openai: undefined as unknown as OpenAI,
    anthropic: undefined as unknown as Anthropic,
    genai: undefined as unknown as GoogleGenAI,
    /** A `@google/generative-ai` model pointed at the simulator. */
    generativeModel(model = "gemini-2.5-flash") {
      return new GoogleGenerativeAI("gemini-key").getGenerativeModel({ model }, { baseUrl: context.sim.geminiBaseURL });
    },
  };
  beforeAll(async () => {
    context.sim = await startSimulator();
    context.openai = new OpenAI({ baseURL: context.sim.openaiBaseURL, apiKey: "sk-stream", maxRetries: 0 });
    context.anthropic = new Anthropic({ baseURL: context.sim.anthropicBaseURL, apiKey: "sk-ant-stream", maxRetries: 0 });
    context.genai = new GoogleGenAI({ apiKey: "gemini-key", httpOptions: { baseUrl: context.sim.geminiBaseURL } });
  });
  afterAll(() => context.sim.close());
  beforeEach(() => {
    context.sim.reset();
    context.sim.chunkGapMs = 0;
  });
  return context;
}

/** Every item of an async iterable, or the error that ended it and the items before it. */
export async function drain<T>(iterable: AsyncIterable<T>): Promise<{ items: T[]; error?: unknown }> {
  const items: T[] = [];
  try {
    for await (const item of iterable) items.push(item);
    return { items };
  } catch (error) {
    return { items, error };
  }
}

/** The rejection of `promise`, or `undefined` when it resolves (the SDKs' promise wrappers defeat `expect().rejects`). */
export function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  return Promise.resolve(promise).then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** The events of a raw SSE body, as `{ event, data }` with `data` parsed when it is JSON. */
export function parseSse(body: string): Array<{ event?: string; data: unknown }> {
  return body
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const lines = block.split(/\r?\n/);
      const event = lines.find((line) => line.startsWith("event: "))?.slice(7);
      const raw = lines.filter((line) => line.startsWith("data: ")).map((line) => line.slice(6)).join("\n");
      let data: unknown = raw;
      try {
        data = JSON.parse(raw);
      } catch {
        // `[DONE]` and other non-JSON data stay text.
      }
      return event === undefined ? { data } : { event, data };
    });
}
