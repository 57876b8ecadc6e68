/**
 * Reasoning tokens and prompt-cache writes, as each SDK reports them, reach the usage row and the
 * price of the call: through the real SDK clients and the simulator, a miss and then its hit.
 */
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import { describe, expect, test } from "bun:test";
import { ask, TEST_API_KEY, useUpstream } from "../harness.ts";

const up = useUpstream();

describe("tokens beyond input and output", () => {
  test("OpenAI reasoning tokens are recorded on the miss and on its hit, priced at the reasoning rate", async () => {
    const eco = up.eco({ client: up.openai({ defaultHeaders: { "x-sim-reasoning-tokens": "900" } }) } as never);
    const miss = await eco.chat.completions.create(ask("Plan a three-step proof", { model: "o3" }));
    await eco.chat.completions.create(ask("Plan a three-step proof", { model: "o3" }));
    expect(miss.usage!.completion_tokens_details!.reasoning_tokens).toBe(900);
    const [hit, first] = await eco.history();
    for (const row of [first!, hit!]) expect(row).toMatchObject({ reasoningTokens: 900, outputTokens: miss.usage!.completion_tokens });
    // o3: $2 input, $8 output and reasoning per 1M (OpenAI pricing, 2026-03-21).
    expect(first!.costUsd!).toBeCloseTo((miss.usage!.prompt_tokens * 2 + miss.usage!.completion_tokens * 8) / 1e6, 12);
    expect(hit!.costSavedUsd).toBeCloseTo(first!.costUsd!, 12);
    expect(hit!.tokensSaved).toBe(miss.usage!.completion_tokens);
  });

  test("Anthropic cache writes are priced at the write rate on a miss, and as cache reads on the hit that avoided the call again", async () => {
    const client = new Anthropic({ baseURL: up.sim.anthropicBaseURL, apiKey: TEST_API_KEY, maxRetries: 0, defaultHeaders: { "x-sim-cache-write-tokens": "20" } });
    const eco = up.wrap(client);
    const params = { model: "claude-sonnet-4-5", max_tokens: 200, messages: [{ role: "user" as const, content: "Summarise the long contract in the system prompt" }] };
    const miss = await eco.messages.create(params);
    await eco.messages.create(params);
    expect(miss.usage.cache_creation_input_tokens).toBe(20);
    const [hit, first] = await eco.history();
    const input = miss.usage.input_tokens + 20;
    for (const row of [first!, hit!]) expect(row).toMatchObject({ inputTokens: input, cacheWriteInputTokens: 20 });
    // claude-sonnet-4-5: $3 input, $0.30 cache read, $3.75 cache write, $15 output per 1M (Anthropic pricing, 2026-11-29).
    expect(first!.costUsd!).toBeCloseTo((miss.usage.input_tokens * 3 + 20 * 3.75 + miss.usage.output_tokens * 15) / 1e6, 12);
    expect(hit!.costSavedUsd).toBeCloseTo((miss.usage.input_tokens * 3 + 20 * 0.3 + miss.usage.output_tokens * 15) / 1e6, 12);
  });

  test("Gemini thinking tokens are reasoning tokens, counted in the output", async () => {
    const eco = up.wrap(new GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl: up.sim.geminiBaseURL } }));
    const request = { model: "gemini-2.5-flash", contents: "Think about the shortest route", config: { thinkingConfig: { thinkingBudget: 64 } } };
    const miss = await eco.models.generateContent(request);
    await eco.models.generateContent(request);
    const thoughts = miss.usageMetadata!.thoughtsTokenCount!;
    expect(thoughts).toBeGreaterThan(0);
    const [hit, first] = await eco.history();
    for (const row of [first!, hit!]) expect(row).toMatchObject({ reasoningTokens: thoughts, outputTokens: miss.usageMetadata!.candidatesTokenCount! + thoughts });
  });
});
