/** `streamText` and `streamObject` through the real `ai` package and providers, with ecoai's middleware. */
import { describe, expect, test } from "bun:test";
import { generateText, jsonSchema, streamObject, streamText, tool } from "ai";
import { PROVIDERS, useAiSdk, type ProviderName } from "./context.ts";

const ctx = useAiSdk();

/**
 * Every part of a `fullStream`, as a caller reads it, without the timings the AI SDK measures on
 * the caller's side (`performance`: a hit is faster, which is the point).
 */
async function parts(stream: Iterable<unknown> | AsyncIterable<unknown>): Promise<unknown[]> {
  const seen: unknown[] = [];
  for await (const part of stream) {
    const { performance: _measured, ...rest } = part as Record<string, unknown>;
    seen.push(rest);
  }
  return seen;
}

const STREAM_ROUTES: Record<ProviderName, string> = {
  openai: "openai.responses",
  "openai.chat": "openai.chat.completions",
  anthropic: "anthropic.messages",
  google: "gemini.streamGenerateContent",
};

const weather = tool({
  description: "The weather in a city",
  inputSchema: jsonSchema<{ city: string }>({ type: "object", properties: { city: { type: "string" } }, required: ["city"] }),
});

describe.each(Object.keys(PROVIDERS) as ProviderName[])("%s", (provider) => {
  const route = STREAM_ROUTES[provider];

  test("a repeated streamText makes no request and replays every part", async () => {
    const model = ctx.model(provider, ctx.middleware());
    ctx.sim.reset();
    const prompt = `Explain recursion [sim:long] (${provider}).`;
    const live = streamText({ model, prompt });
    const liveParts = await parts(live.fullStream);
    const hit = streamText({ model, prompt });
    const hitParts = await parts(hit.fullStream);
    expect(ctx.sim.count(route)).toBe(1);
    expect(hitParts).toEqual(liveParts);
    expect(liveParts.filter((part) => (part as { type: string }).type === "text-delta").length).toBeGreaterThan(3);
    expect(await hit.text).toBe(await live.text);
    expect(await hit.usage).toEqual(await live.usage);
    expect(await hit.finishReason).toBe(await live.finishReason);
    expect((await hit.response).timestamp.getTime()).toBe((await live.response).timestamp.getTime());
  });

  test("later stream hits, their recorded request and response decoded once, carry the live call's exactly", async () => {
    const model = ctx.model(provider, ctx.middleware());
    const prompt = `Describe a lighthouse (${provider}).`;
    const live = streamText({ model, prompt });
    await parts(live.fullStream);
    const hits = [];
    for (let i = 0; i < 3; i++) {
      const hit = streamText({ model, prompt });
      await parts(hit.fullStream);
      hits.push({ request: await hit.request, response: await hit.response });
    }
    const recorded = { request: await live.request, response: await live.response };
    for (const hit of hits) expect(hit).toStrictEqual(recorded);
    expect(hits[0]!.response.timestamp).toBeInstanceOf(Date);
  });

  test("tool calls stream back as they were", async () => {
    const model = ctx.model(provider, ctx.middleware());
    ctx.sim.reset();
    const prompt = `What is the weather in Lima? [sim:tool-call] (${provider})`;
    const live = await parts(streamText({ model, prompt, tools: { weather } }).fullStream);
    const hit = await parts(streamText({ model, prompt, tools: { weather } }).fullStream);
    expect(ctx.sim.count(route)).toBe(1);
    expect(hit).toEqual(live);
    expect(live.some((part) => (part as { type: string; toolName?: string }).type === "tool-call" && (part as { toolName: string }).toolName === "weather")).toBe(true);
  });

  test("a plain call is served from a streamed call's entry", async () => {
    const model = ctx.model(provider, ctx.middleware());
    ctx.sim.reset();
    const prompt = `Name a colour (${provider}).`;
    const streamed = streamText({ model, prompt });
    await parts(streamed.fullStream);
    const plain = await generateText({ model, prompt });
    expect(ctx.sim.count()).toBe(1);
    expect(plain.text).toBe(await streamed.text);
    expect(plain.usage).toEqual(await streamed.usage);
  });

  test("a streamed call is served from a plain call's entry", async () => {
    const model = ctx.model(provider, ctx.middleware());
    ctx.sim.reset();
    const prompt = `Name a fruit (${provider}).`;
    const plain = await generateText({ model, prompt });
    const streamed = streamText({ model, prompt });
    await parts(streamed.fullStream);
    expect(ctx.sim.count()).toBe(1);
    expect(await streamed.text).toBe(plain.text);
    expect(await streamed.finishReason).toBe(plain.finishReason);
  });

  test("streamObject round-trips", async () => {
    const model = ctx.model(provider, ctx.middleware());
    const schema = jsonSchema<{ name: string; age: number }>({ type: "object", properties: { name: { type: "string" }, age: { type: "number" } }, required: ["name", "age"], additionalProperties: false });
    ctx.sim.reset();
    const live = streamObject({ model, schema, prompt: `Invent a person (${provider}).` });
    await parts(live.fullStream);
    const hit = streamObject({ model, schema, prompt: `Invent a person (${provider}).` });
    await parts(hit.fullStream);
    expect(ctx.sim.count(route)).toBe(1);
    expect(await hit.object).toEqual(await live.object);
  });

  test("identical streams started while one is in flight share its request and each caller reads every part", async () => {
    const model = ctx.model(provider, ctx.middleware());
    ctx.sim.reset();
    ctx.sim.chunkGapMs = 5;
    try {
      const prompt = `Describe the sea [sim:long] (${provider}).`;
      const reading = streamText({ model, prompt }).fullStream[Symbol.asyncIterator]();
      // Read the first stream until its answer is coming in, then start the others.
      const head: unknown[] = [];
      while ((head.at(-1) as { type?: string } | undefined)?.type !== "text-delta") head.push((await reading.next()).value);
      const followers = Array.from({ length: 2 }, () => parts(streamText({ model, prompt }).fullStream));
      const rest = await parts({ [Symbol.asyncIterator]: () => reading });
      const all = [[...(await parts(head)), ...rest], ...(await Promise.all(followers))];
      expect(ctx.sim.count(route)).toBe(1);
      expect(all[1]).toEqual(all[0]!);
      expect(all[2]).toEqual(all[0]!);
    } finally {
      ctx.sim.chunkGapMs = 0;
    }
  });

  test("concurrent identical streams make one request", async () => {
    const model = ctx.model(provider, ctx.middleware());
    ctx.sim.reset();
    ctx.sim.delayMs = 50;
    try {
      const prompt = `Describe a forest (${provider}).`;
      const all = await Promise.all(Array.from({ length: 3 }, () => parts(streamText({ model, prompt }).fullStream)));
      expect(ctx.sim.count(route)).toBe(1);
      expect(all[1]).toEqual(all[0]!);
      expect(all[2]).toEqual(all[0]!);
    } finally {
      ctx.sim.delayMs = 0;
    }
  });

  test("a stream that fails midway is not stored", async () => {
    const model = ctx.model(provider, ctx.middleware());
    ctx.sim.reset();
    const prompt = `Tell a story [sim:stream-error] (${provider}).`;
    await parts(streamText({ model, prompt, onError: () => {} }).fullStream).catch(() => undefined);
    await parts(streamText({ model, prompt, onError: () => {} }).fullStream).catch(() => undefined);
    expect(ctx.sim.count(route)).toBe(2);
  });
});
