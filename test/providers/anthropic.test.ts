import { describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { savingsFor } from "../../src/usage/pricing.ts";
import { useProviders } from "./wrapped.ts";

const { up, wrap, anthropic } = useProviders();
const ROUTE = "anthropic.messages";
const MODEL = "claude-haiku-4-5";

function ask(content: Anthropic.MessageParam["content"], extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}): Anthropic.MessageCreateParamsNonStreaming {
  return { model: MODEL, max_tokens: 256, messages: [{ role: "user", content }], ...extra };
}

describe("Anthropic messages through the real SDK", () => {
  test("a repeated call makes no upstream request; the hit equals the live message, ids included", async () => {
    const eco = wrap(anthropic());
    const before = up.sim.count(ROUTE);
    const first = await eco.messages.create(ask("What is the capital of France?"));
    const second = await eco.messages.create(ask("What is the capital of France?"));
    expect(up.sim.count(ROUTE) - before).toBe(1);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect(second.id).toBe(first.id);
    expect(Object.keys(second)).toEqual(Object.keys(first));
    expect(typeof first._request_id).toBe("string");
    expect(Object.keys(second)).not.toContain("_request_id");
    for (const id of ["_request_id", "_workspace_id"]) {
      expect(Object.getOwnPropertyDescriptor(second, id)).toEqual({ ...Object.getOwnPropertyDescriptor(first, id)!, value: null });
    }
  });

  test("a changed system prompt, model or parameter misses", async () => {
    const eco = wrap(anthropic());
    const before = up.sim.count(ROUTE);
    await eco.messages.create(ask("Name a colour"));
    await eco.messages.create(ask("Name a colour", { system: "Be brief." }));
    await eco.messages.create(ask("Name a colour", { model: "claude-opus-4-1" }));
    await eco.messages.create(ask("Name a colour", { stop_sequences: ["END"] }));
    await eco.messages.create(ask("Name a colour", { system: "Be brief." }));
    expect(up.sim.count(ROUTE) - before).toBe(4);
  });

  test("metadata (the end-user id) cannot change the answer and shares one entry", async () => {
    const eco = wrap(anthropic());
    const before = up.sim.count(ROUTE);
    const first = await eco.messages.create(ask("Who wrote Hamlet?", { metadata: { user_id: "user-a" } }));
    const second = await eco.messages.create(ask("Who wrote Hamlet?", { metadata: { user_id: "user-b" } }));
    await eco.messages.create(ask("Who wrote Hamlet?"));
    expect(up.sim.count(ROUTE) - before).toBe(1);
    expect(second.id).toBe(first.id);
  });

  test("stream: true and messages.stream() still stream and always go upstream", async () => {
    const eco = wrap(anthropic());
    const plain = await eco.messages.create(ask("stream this"));
    const text = (plain.content[0] as Anthropic.TextBlock).text;
    const before = up.sim.count(ROUTE);
    for (let round = 0; round < 2; round++) {
      const stream = await eco.messages.create({ ...ask("stream this"), stream: true });
      let streamed = "";
      for await (const event of stream) if (event.type === "content_block_delta" && event.delta.type === "text_delta") streamed += event.delta.text;
      expect(streamed).toBe(text);
      const helper = eco.messages.stream(ask("stream this"));
      const deltas: string[] = [];
      helper.on("text", (delta) => deltas.push(delta));
      const final = await helper.finalMessage();
      expect(deltas.length).toBeGreaterThan(1);
      expect((final.content[0] as Anthropic.TextBlock).text).toBe(text);
    }
    expect(up.sim.count(ROUTE) - before).toBe(4);
    const history = await eco.history();
    expect(history.filter((record) => record.cacheHit)).toHaveLength(0);
  });

  test("an upstream error is the SDK's own error, re-thrown unchanged and not cached", async () => {
    const eco = wrap(anthropic());
    for (const [status, type] of [
      [529, Anthropic.InternalServerError],
      [429, Anthropic.RateLimitError],
      [400, Anthropic.BadRequestError],
    ] as const) {
      up.sim.failNext(status, { route: ROUTE });
      const failure = await eco.messages.create(ask(`fails once ${status}`)).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(type);
      expect((failure as InstanceType<typeof Anthropic.APIError>).status).toBe(status);
      const before = up.sim.count(ROUTE);
      await eco.messages.create(ask(`fails once ${status}`));
      expect(up.sim.count(ROUTE) - before).toBe(1);
    }
    const denied = await fetch(`${up.sim.anthropicBaseURL}/v1/messages`, { method: "POST", body: JSON.stringify(ask("no key")), headers: { "content-type": "application/json" } });
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
  });

  test("non-answers are not cached: refusal, invalid JSON under a JSON schema", async () => {
    const eco = wrap(anthropic());
    const schema = { type: "json_schema" as const, schema: { type: "object", properties: { answer: { type: "string" } }, required: ["answer"], additionalProperties: false } };
    for (const request of [ask("[sim:refusal] tell me"), ask("[sim:invalid-json] give json", { output_config: { format: schema } })]) {
      const before = up.sim.count(ROUTE);
      const first = await eco.messages.create(request);
      await eco.messages.create(request);
      expect(up.sim.count(ROUTE) - before).toBe(2);
      if (request.output_config === undefined) expect(first.stop_reason).toBe("refusal");
    }
    const valid = ask("give json", { output_config: { format: schema } });
    const before = up.sim.count(ROUTE);
    const json = await eco.messages.create(valid);
    await eco.messages.create(valid);
    expect(JSON.parse((json.content[0] as Anthropic.TextBlock).text)).toHaveProperty("answer");
    expect(up.sim.count(ROUTE) - before).toBe(1);
  });

  test("a max_tokens stop and a tool call are cached", async () => {
    const eco = wrap(anthropic());
    const tools: Anthropic.Tool[] = [{ name: "get_weather", description: "Weather", input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }];
    const before = up.sim.count(ROUTE);
    const short = await eco.messages.create(ask("a long story please about many things", { max_tokens: 3 }));
    await eco.messages.create(ask("a long story please about many things", { max_tokens: 3 }));
    const call = await eco.messages.create(ask("[sim:tool-call] weather in Paris", { tools }));
    const again = await eco.messages.create(ask("[sim:tool-call] weather in Paris", { tools }));
    expect(up.sim.count(ROUTE) - before).toBe(2);
    expect(short.stop_reason).toBe("max_tokens");
    expect(call.stop_reason).toBe("tool_use");
    expect(again.content).toEqual(call.content);
  });

  test("usage records carry provider, model, prompt type and savings priced with prompt-cache reads", async () => {
    const eco = wrap(anthropic());
    const request = ask("price this please");
    // The simulator's header changes the answer (its usage), so both calls carry it.
    const cachedTokens = { headers: { "x-sim-cached-tokens": "4" } };
    const live = await eco.messages.create(request, cachedTokens);
    await eco.messages.create(request, cachedTokens);
    const [hit, miss] = await eco.history();
    expect(miss).toMatchObject({ provider: "anthropic", model: MODEL, cacheHit: false, promptType: "text", prompt: "price this please", costSavedUsd: 0 });
    const { input_tokens, cache_read_input_tokens, output_tokens } = live.usage;
    expect(cache_read_input_tokens).toBe(4);
    const expected = savingsFor(MODEL, { inputTokens: input_tokens + 4, cachedInputTokens: 4, outputTokens: output_tokens });
    expect(hit).toMatchObject({ provider: "anthropic", model: MODEL, cacheHit: true, promptType: "text", tokensSaved: output_tokens, inputTokens: input_tokens + 4, outputTokens: output_tokens });
    expect(hit!.costSavedUsd).toBeCloseTo(expected.costSavedUsd, 12);
    expect(hit!.co2SavedG).toBeCloseTo(expected.co2SavedG, 12);
    // Haiku 4.5: $1 input, $0.10 cache reads, $5 output per million tokens.
    expect(hit!.costSavedUsd).toBeCloseTo((input_tokens * 1 + 4 * 0.1 + output_tokens * 5) / 1e6, 12);
  });

  test("prompt types and prompt text on Anthropic's wire shapes", async () => {
    const eco = wrap(anthropic());
    const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    const cases: [Anthropic.MessageCreateParamsNonStreaming, string, string][] = [
      [ask("plain"), "text", "plain"],
      [ask([{ type: "text", text: "what is this" }, { type: "image", source: { type: "base64", media_type: "image/png", data: png } }]), "image", "what is this"],
      [ask([{ type: "document", source: { type: "text", media_type: "text/plain", data: "a contract" } }, { type: "text", text: "summarise" }]), "file", "summarise"],
      // An image uploaded through the Files API is still an image; its source is of type "file".
      [ask([{ type: "image", source: { type: "file", file_id: "file_011" } }, { type: "text", text: "describe" }]), "image", "describe"],
      [ask([{ type: "document", source: { type: "file", file_id: "file_012" } }, { type: "text", text: "read" }]), "file", "read"],
      [ask("weather?", { tools: [{ name: "w", input_schema: { type: "object" } }] }), "tool", "weather?"],
      [ask("as json", { output_config: { format: { type: "json_schema", schema: { type: "object", properties: { a: { type: "string" } }, required: ["a"], additionalProperties: false } } } }), "structured", "as json"],
      [
        { model: MODEL, max_tokens: 64, system: "You are terse.", messages: [{ role: "user", content: "first" }, { role: "assistant", content: "ok" }, { role: "user", content: "second" }] },
        "text",
        "second",
      ],
    ];
    for (const [request, type] of cases) await eco.messages.create(request);
    const records = (await eco.history()).reverse();
    expect(records.map((record) => record.promptType)).toEqual(cases.map(([, type]) => type) as never);
    expect(records.map((record) => record.prompt)).toEqual(cases.map(([, , prompt]) => prompt));
  });

  test("other members are forwarded: the client, its base URL, countTokens-style resources", async () => {
    const client = anthropic();
    const eco = wrap(client);
    expect(eco.client).toBe(client);
    expect(eco.baseURL).toBe(up.sim.anthropicBaseURL);
    expect(typeof eco.messages.countTokens).toBe("function");
    expect(eco.models).toBe(client.models);
  });
});
