/**
 * `generateText` and `generateObject` through the real `ai` package and its OpenAI, Anthropic and
 * Google providers, pointed at the simulator, with ecoai's middleware.
 */
import { describe, expect, test } from "bun:test";
import { generateObject, generateText, jsonSchema, stepCountIs, tool } from "ai";
import { PROVIDERS, useAiSdk, type ProviderName } from "./context.ts";

const ctx = useAiSdk();

/** What a caller of generateText compares: everything but the run's own ids and timings. */
function reading(result: Awaited<ReturnType<typeof generateText>>) {
  return {
    text: result.text,
    toolCalls: result.toolCalls.map(({ toolName, input, toolCallId }) => ({ toolName, input, toolCallId })),
    finishReason: result.finishReason,
    usage: result.usage,
    response: result.response,
    steps: result.steps.length,
  };
}

const weather = tool({
  description: "The weather in a city",
  inputSchema: jsonSchema<{ city: string }>({ type: "object", properties: { city: { type: "string" } }, required: ["city"] }),
});

describe.each(Object.keys(PROVIDERS) as ProviderName[])("%s", (provider) => {
  const route = PROVIDERS[provider].route;

  test("a repeated generateText makes no request and returns what the live call returned, dates included", async () => {
    const cache = ctx.middleware();
    const model = ctx.model(provider, cache);
    ctx.sim.reset();
    const live = await generateText({ model, prompt: `Name three prime numbers (${provider}).` });
    const hit = await generateText({ model, prompt: `Name three prime numbers (${provider}).` });
    expect(ctx.sim.count(route)).toBe(1);
    expect(reading(hit)).toEqual(reading(live));
    expect(hit.response.timestamp).toBeInstanceOf(Date);
    expect(hit.response.timestamp.getTime()).toBe(live.response.timestamp.getTime());
    expect(live.text.length).toBeGreaterThan(0);
  });

  test("later hits, copies of the result decoded once, are the first hit field for field and each the caller's own", async () => {
    const cache = ctx.middleware();
    const model = ctx.model(provider, cache);
    const prompt = `Name three colours (${provider}).`;
    await generateText({ model, prompt });
    const first = await generateText({ model, prompt });
    const second = await generateText({ model, prompt });
    // Strictly: fields set to undefined, dates and the request and response bodies as the first hit had them.
    expect(second.response).toStrictEqual(first.response);
    expect(second.request).toStrictEqual(first.request);
    expect(second.content).toStrictEqual(first.content);
    expect(second.response.timestamp).toBeInstanceOf(Date);
    second.response.timestamp.setTime(0);
    (second.response.headers ?? {})["x-changed"] = "by the second caller";
    const third = await generateText({ model, prompt });
    expect(third.response).toStrictEqual(first.response);
  });

  test("the same prompt with other tools is another entry", async () => {
    const cache = ctx.middleware();
    const model = ctx.model(provider, cache);
    ctx.sim.reset();
    const prompt = `What is the weather in Paris? (${provider})`;
    await generateText({ model, prompt, tools: { weather } });
    await generateText({ model, prompt, tools: { forecast: weather } });
    await generateText({ model, prompt, tools: { weather } });
    expect(ctx.sim.count(route)).toBe(2);
    expect((await cache.summary()).cacheHits).toBe(1);
  });

  test("a tool loop is cached step by step", async () => {
    const cache = ctx.middleware();
    const model = ctx.model(provider, cache);
    const run = () =>
      generateText({
        model,
        prompt: `Check the weather in Oslo [sim:tool-call] (${provider})`,
        tools: { weather: tool({ ...weather, execute: async ({ city }) => ({ city, celsius: 4 }) }) },
        stopWhen: stepCountIs(3),
      });
    ctx.sim.reset();
    const live = await run();
    const requests = ctx.sim.count(route);
    expect(live.steps.length).toBeGreaterThan(1);
    expect(live.steps[0]!.toolCalls[0]?.toolName).toBe("weather");
    const hit = await run();
    expect(ctx.sim.count(route)).toBe(requests);
    expect(hit.steps.map((step) => step.content)).toEqual(live.steps.map((step) => step.content));
    expect(hit.text).toBe(live.text);
  });

  test("generateObject with a schema round-trips", async () => {
    const cache = ctx.middleware();
    const model = ctx.model(provider, cache);
    const schema = jsonSchema<{ name: string; age: number }>({ type: "object", properties: { name: { type: "string" }, age: { type: "number" } }, required: ["name", "age"], additionalProperties: false });
    ctx.sim.reset();
    const live = await generateObject({ model, schema, prompt: `Invent a person (${provider}).` });
    const hit = await generateObject({ model, schema, prompt: `Invent a person (${provider}).` });
    expect(ctx.sim.count(route)).toBe(1);
    expect(hit.object).toEqual(live.object);
    expect(typeof live.object.name).toBe("string");
    expect(hit.response.timestamp.getTime()).toBe(live.response.timestamp.getTime());
  });

  test("concurrent identical calls make one request", async () => {
    const cache = ctx.middleware();
    const model = ctx.model(provider, cache);
    ctx.sim.reset();
    ctx.sim.delayMs = 100;
    try {
      const results = await Promise.all(Array.from({ length: 4 }, () => generateText({ model, prompt: `Count to five (${provider}).` })));
      expect(ctx.sim.count(route)).toBe(1);
      expect(new Set(results.map((r) => r.text)).size).toBe(1);
    } finally {
      ctx.sim.delayMs = 0;
    }
  });
});
