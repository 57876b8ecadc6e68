import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { ResponseCreateParamsNonStreaming } from "openai/resources/responses/responses";
import { savingsFor } from "../../src/usage/pricing.ts";
import { useProviders } from "./wrapped.ts";

const { up, wrap } = useProviders();
const ROUTE = "openai.responses";
const client = () => up.openai();

function ask(input: ResponseCreateParamsNonStreaming["input"], extra: Partial<ResponseCreateParamsNonStreaming> = {}): ResponseCreateParamsNonStreaming {
  return { model: "gpt-4.1-mini", input, ...extra };
}

const SCHEMA = { type: "json_schema" as const, name: "answer", strict: true, schema: { type: "object", properties: { answer: { type: "string" } }, required: ["answer"], additionalProperties: false } };

describe("OpenAI responses through the real SDK", () => {
  test("a repeated call makes no upstream request; the hit equals the live response, output_text included", async () => {
    const eco = wrap(client());
    const before = up.sim.count(ROUTE);
    const first = await eco.responses.create(ask("What is the capital of France?"));
    const second = await eco.responses.create(ask("What is the capital of France?"));
    expect(up.sim.count(ROUTE) - before).toBe(1);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect(second.output_text).toBe(first.output_text);
    expect(second.output_text).toContain("capital of France");
    expect(Object.keys(second)).toEqual(Object.keys(first));
    expect(typeof first._request_id).toBe("string");
    expect("_request_id" in second).toBe(true);
  });

  test("instructions, model and parameters are part of the key", async () => {
    const eco = wrap(client());
    const before = up.sim.count(ROUTE);
    await eco.responses.create(ask("Name a colour"));
    await eco.responses.create(ask("Name a colour", { instructions: "Be brief." }));
    await eco.responses.create(ask("Name a colour", { model: "gpt-4o" }));
    await eco.responses.create(ask("Name a colour", { temperature: 0 }));
    await eco.responses.create(ask("Name a colour", { instructions: "Be brief." }));
    await eco.responses.create({ ...ask("Name a colour"), stream: false });
    expect(up.sim.count(ROUTE) - before).toBe(4);
  });

  test("streams still stream and always go upstream, through create and the stream helper", async () => {
    const eco = wrap(client());
    const plain = await eco.responses.create(ask("stream this"));
    const before = up.sim.count(ROUTE);
    for (let round = 0; round < 2; round++) {
      const stream = await eco.responses.create({ ...ask("stream this"), stream: true });
      let text = "";
      let deltas = 0;
      for await (const event of stream) {
        if (event.type === "response.output_text.delta") {
          text += event.delta;
          deltas++;
        }
      }
      expect(deltas).toBeGreaterThan(1);
      expect(text).toBe(plain.output_text);
      const helper = eco.responses.stream({ model: "gpt-4.1-mini", input: "stream this" });
      expect((await helper.finalResponse()).output_text).toBe(plain.output_text);
    }
    expect(up.sim.count(ROUTE) - before).toBe(4);
  });

  test("an upstream error is the SDK's own error, re-thrown unchanged and not cached", async () => {
    const eco = wrap(client());
    up.sim.failNext(500, { route: ROUTE });
    const failure = await eco.responses.create(ask("fails once")).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.InternalServerError);
    const bad = await eco.responses.create({ model: "gpt-4o" } as never).catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    const before = up.sim.count(ROUTE);
    await eco.responses.create(ask("fails once"));
    await eco.responses.create(ask("fails once"));
    expect(up.sim.count(ROUTE) - before).toBe(1);
  });

  test("non-answers are not cached: incomplete, refusal, invalid JSON under a JSON format", async () => {
    const eco = wrap(client());
    const cases = [
      ask("[sim:content-filter] tell me"),
      ask("a long story please about many things", { max_output_tokens: 3 }),
      ask("[sim:refusal] tell me"),
      ask("[sim:invalid-json] give json", { text: { format: SCHEMA } }),
      ask("[sim:invalid-json] give json", { text: { format: { type: "json_object" } } }),
    ];
    for (const request of cases) {
      const before = up.sim.count(ROUTE);
      await eco.responses.create(request);
      await eco.responses.create(request);
      expect(up.sim.count(ROUTE) - before).toBe(2);
    }
  });

  test("valid structured output and a function call are cached", async () => {
    const eco = wrap(client());
    const tools = [{ type: "function" as const, name: "get_weather", strict: true, parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false } }];
    const before = up.sim.count(ROUTE);
    const json = await eco.responses.create(ask("give json", { text: { format: SCHEMA } }));
    await eco.responses.create(ask("give json", { text: { format: SCHEMA } }));
    const call = await eco.responses.create(ask("[sim:tool-call] weather in Paris", { tools }));
    const again = await eco.responses.create(ask("[sim:tool-call] weather in Paris", { tools }));
    expect(up.sim.count(ROUTE) - before).toBe(2);
    expect(JSON.parse(json.output_text)).toHaveProperty("answer");
    expect(call.output[0]!.type).toBe("function_call");
    expect(again.output).toEqual(call.output);
  });

  test("usage records carry provider, model, prompt type and savings priced with cached tokens", async () => {
    const eco = wrap(client());
    // The simulator's header changes the answer (its usage), so both calls carry it.
    const cachedTokens = { headers: { "x-sim-cached-tokens": "3" } };
    const live = await eco.responses.create(ask("price this please"), cachedTokens);
    await eco.responses.create(ask("price this please"), cachedTokens);
    const [hit, miss] = await eco.history();
    expect(miss).toMatchObject({ provider: "openai", model: "gpt-4.1-mini", cacheHit: false, promptType: "text", costSavedUsd: 0 });
    const usage = live.usage!;
    expect(usage.input_tokens_details.cached_tokens).toBe(3);
    const expected = savingsFor("gpt-4.1-mini", { inputTokens: usage.input_tokens, cachedInputTokens: 3, outputTokens: usage.output_tokens });
    expect(hit).toMatchObject({ provider: "openai", model: "gpt-4.1-mini", cacheHit: true, prompt: "price this please", tokensSaved: usage.output_tokens });
    // gpt-4.1-mini: $0.40 input, $0.10 cached input, $1.60 output per million tokens.
    expect(hit!.costSavedUsd).toBeCloseTo(((usage.input_tokens - 3) * 0.4 + 3 * 0.1 + usage.output_tokens * 1.6) / 1e6, 12);
    expect(hit!.costSavedUsd).toBeCloseTo(expected.costSavedUsd, 12);
    expect(hit!.co2SavedG).toBeCloseTo(expected.co2SavedG, 12);
  });

  test("prompt types and prompt text on the Responses wire shapes", async () => {
    const eco = wrap(client());
    const cases: [ResponseCreateParamsNonStreaming, string, string][] = [
      [ask("plain"), "text", "plain"],
      [ask([{ role: "user", content: [{ type: "input_text", text: "what is this" }, { type: "input_image", detail: "auto", image_url: "data:image/png;base64,iVBORw0KGgo=" }] }]), "image", "what is this"],
      [ask([{ role: "user", content: [{ type: "input_file", filename: "a.pdf", file_data: "data:application/pdf;base64,JVBERi0=" }, { type: "input_text", text: "summarise" }] }]), "file", "summarise"],
      [ask("weather?", { tools: [{ type: "function", name: "w", strict: false, parameters: { type: "object" } }] }), "tool", "weather?"],
      [ask("as json", { text: { format: SCHEMA } }), "structured", "as json"],
      [ask([{ role: "user", content: "first" }, { role: "assistant", content: "ok" }, { role: "user", content: "second" }], { instructions: "terse" }), "text", "second"],
    ];
    for (const [request] of cases) await eco.responses.create(request);
    const records = (await eco.history()).reverse();
    expect(records.map((record) => record.promptType)).toEqual(cases.map(([, type]) => type) as never);
    expect(records.map((record) => record.prompt)).toEqual(cases.map(([, , prompt]) => prompt));
  });
});
