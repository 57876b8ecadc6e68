/** ecoai's per-call options through `providerOptions.ecoai`, the key's parts, and what is never stored. */
import { expect, test } from "bun:test";
import { generateText, streamText } from "ai";
import { EcoAIConfigError } from "../../../src/errors.ts";
import { settle } from "../../harness.ts";
import { useAiSdk } from "./context.ts";

const ctx = useAiSdk();

test("bypass skips the cache and is still logged; refresh replaces the entry; neither is part of the key", async () => {
  const cache = ctx.middleware();
  const model = ctx.model("openai", cache);
  ctx.sim.reset();
  const prompt = "Name a planet.";
  await generateText({ model, prompt });
  await generateText({ model, prompt, providerOptions: { ecoai: { bypass: true } } });
  await generateText({ model, prompt, providerOptions: { ecoai: { refresh: true } } });
  await generateText({ model, prompt });
  expect(ctx.sim.count("openai.responses")).toBe(3);
  expect((await cache.history()).map((row) => row.cacheHit)).toEqual([true, false, false, false]);
});

test("an unknown per-call option is a config error naming it", async () => {
  const model = ctx.model("openai", ctx.middleware());
  const outcome = await settle(generateText({ model, prompt: "Hi", providerOptions: { ecoai: { bypas: true } } }));
  const cause = "error" in outcome ? outcome.error : undefined;
  expect(cause).toBeInstanceOf(EcoAIConfigError);
  expect((cause as EcoAIConfigError).option).toBe("ecoai.bypas");
});

test("settings that change the answer are in the key; the model is too", async () => {
  const cache = ctx.middleware();
  ctx.sim.reset();
  const prompt = "Name a river.";
  await generateText({ model: ctx.model("openai", cache), prompt });
  await generateText({ model: ctx.model("openai", cache), prompt, temperature: 0.1 });
  await generateText({ model: ctx.model("openai", cache, "gpt-4o-mini"), prompt });
  await generateText({ model: ctx.model("openai", cache), prompt, headers: { "x-trace-id": "abc" } });
  expect(ctx.sim.count("openai.responses")).toBe(3);
});

test("a content-filtered answer is not stored", async () => {
  const model = ctx.model("openai.chat", ctx.middleware());
  ctx.sim.reset();
  const prompt = "Say something [sim:content-filter]";
  await generateText({ model, prompt });
  await generateText({ model, prompt });
  expect(ctx.sim.count("openai.chat.completions")).toBe(2);
});

test("a stream's row carries its tokens; its replay is a hit that saved them", async () => {
  const cache = ctx.middleware();
  const model = ctx.model("anthropic", cache);
  const live = streamText({ model, prompt: "Describe a lighthouse." });
  for await (const _part of live.fullStream);
  const hit = streamText({ model, prompt: "Describe a lighthouse." });
  for await (const _part of hit.fullStream);
  const usage = await live.usage;
  const [hitRow, missRow] = await cache.history();
  expect([missRow!.cacheHit, missRow!.model, missRow!.provider]).toEqual([false, "claude-sonnet-4-5", "anthropic"]);
  expect(hitRow!.cacheHit).toBe(true);
  expect(hitRow!.tokensSaved).toBe(usage.outputTokens!);
  expect(usage.outputTokens).toBeGreaterThan(0);
});
