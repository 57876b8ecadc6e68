import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { SIM_MARKERS, cosineSimilarity, startSimulator } from "../../src/simulator/index.ts";
import type { Simulator } from "../../src/simulator/index.ts";

let sim: Simulator;
let client: OpenAI;
const model = "gpt-4o-mini";
const ask = (content: string) => [{ role: "user" as const, content }];
// The SDK's APIPromise overrides `then`, which bun's `expect().rejects` does not follow.
const rejection = (promise: PromiseLike<unknown>): Promise<unknown> =>
  Promise.resolve(promise).then(
    () => undefined,
    (error: unknown) => error,
  );

beforeAll(async () => {
  sim = await startSimulator();
  client = new OpenAI({ baseURL: sim.openaiBaseURL, apiKey: "sk-test-upstream" });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  sim.delayMs = 0;
});

describe("chat completions", () => {
  test("answers with a real-shaped ChatCompletion", async () => {
    const completion = await client.chat.completions.create({ model, messages: ask("What is the capital of France?") });
    expect(completion.object).toBe("chat.completion");
    expect(completion.id).toMatch(/^chatcmpl-\w+$/);
    expect(completion.model).toBe(model);
    expect(completion._request_id).toMatch(/^req_/);
    const [choice] = completion.choices;
    expect(choice?.finish_reason).toBe("stop");
    expect(choice?.message).toMatchObject({ role: "assistant", refusal: null, annotations: [] });
    expect(choice?.message.content).toContain("What is the capital of France?");
    expect(choice?.message.content).toContain(model);
    const usage = completion.usage!;
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.prompt_tokens_details?.cached_tokens).toBe(0);
    expect(sim.count("openai.chat.completions")).toBe(1);
    expect(sim.requests[0]).toMatchObject({ method: "POST", path: "/v1/chat/completions", body: { model } });
    expect(sim.requests[0]?.headers.authorization).toBe("Bearer sk-test-upstream");
  });

  test("content is deterministic, ids are unique", async () => {
    const a = await client.chat.completions.create({ model, messages: ask("Tell me a joke") });
    const b = await client.chat.completions.create({ model, messages: ask("Tell me a joke") });
    const c = await client.chat.completions.create({ model, messages: ask("Tell me a story") });
    const d = await client.chat.completions.create({ model, messages: ask("Tell me a joke"), temperature: 0.2 });
    expect(a.choices[0]?.message.content).toBe(b.choices[0]?.message.content!);
    expect(a.id).not.toBe(b.id);
    expect(c.choices[0]?.message.content).not.toBe(a.choices[0]?.message.content!);
    expect(d.choices[0]?.message.content).not.toBe(a.choices[0]?.message.content!);
  });

  test("honours n and extracts text from content parts", async () => {
    const completion = await client.chat.completions.create({
      model,
      n: 2,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Describe this picture" },
            { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
          ],
        },
      ],
    });
    expect(completion.choices.map((c) => c.index)).toEqual([0, 1]);
    expect(completion.choices[0]?.message.content).toContain("Describe this picture");
    expect(completion.choices[1]?.message.content).not.toBe(completion.choices[0]?.message.content!);
  });

  test("a stream reassembles to the non-stream answer, with usage when asked", async () => {
    const params = { model, messages: ask("Explain streaming in one line"), n: 2 };
    const whole = await client.chat.completions.create(params);
    const stream = await client.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } });
    const texts = ["", ""];
    const finish: Array<string | null> = [];
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      chunks++;
      expect(chunk.object).toBe("chat.completion.chunk");
      for (const choice of chunk.choices) {
        texts[choice.index] += choice.delta.content ?? "";
        if (choice.finish_reason) finish[choice.index] = choice.finish_reason;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(4);
    expect(texts).toEqual(whole.choices.map((c) => c.message.content ?? ""));
    expect(finish).toEqual(["stop", "stop"]);
    expect(usage).toEqual(whole.usage!);
    expect(sim.requests[1]?.body).toMatchObject({ stream: true });
  });

  test("a stream without include_usage has no usage chunk", async () => {
    const stream = await client.chat.completions.create({ model, messages: ask("Hi"), stream: true });
    for await (const chunk of stream) expect(chunk.usage).toBeUndefined();
  });

  test("max_tokens truncates with finish_reason length", async () => {
    const full = await client.chat.completions.create({ model, messages: ask("Write a long essay") });
    const short = await client.chat.completions.create({ model, messages: ask("Write a long essay"), max_tokens: 5 });
    const content = short.choices[0]?.message.content ?? "";
    expect(short.choices[0]?.finish_reason).toBe("length");
    expect(short.usage?.completion_tokens).toBe(5);
    expect(content.length).toBeLessThan(full.choices[0]?.message.content?.length ?? 0);
    const limited = await client.chat.completions.create({ model, messages: ask("Write a long essay"), max_completion_tokens: 3 });
    expect(limited.choices[0]?.finish_reason).toBe("length");
  });

  test("x-sim-cached-tokens sets prompt_tokens_details.cached_tokens", async () => {
    const completion = await client.chat.completions.create(
      { model, messages: ask("A long shared prefix and a question") },
      { headers: { "x-sim-cached-tokens": "4" } },
    );
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(4);
  });
});

describe("structured output and markers", () => {
  test("json_object mode answers parseable JSON", async () => {
    const completion = await client.chat.completions.create({ model, messages: ask("Reply in JSON"), response_format: { type: "json_object" } });
    const parsed = JSON.parse(completion.choices[0]?.message.content ?? "") as { answer: string };
    expect(parsed.answer).toContain("Reply in JSON");
  });

  test("json_schema mode answers an object with the schema's properties", async () => {
    const completion = await client.chat.completions.create({
      model,
      messages: ask("Which city?"),
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "city",
          schema: { type: "object", properties: { city: { type: "string" }, population: { type: "integer" }, tags: { type: "array", items: { type: "string" } } }, required: ["city", "population", "tags"] },
        },
      },
    });
    const parsed = JSON.parse(completion.choices[0]?.message.content ?? "") as Record<string, unknown>;
    expect(Object.keys(parsed).sort()).toEqual(["city", "population", "tags"]);
    expect(typeof parsed.population).toBe("number");
  });

  test("[sim:invalid-json] gives non-JSON text in JSON mode", async () => {
    const completion = await client.chat.completions.create({ model, messages: ask(`Reply ${SIM_MARKERS.invalidJson}`), response_format: { type: "json_object" } });
    expect(() => JSON.parse(completion.choices[0]?.message.content ?? "")).toThrow();
  });

  test("[sim:content-filter] stops with content_filter, streamed too", async () => {
    const params = { model, messages: ask(`Something risky ${SIM_MARKERS.contentFilter}`) };
    const completion = await client.chat.completions.create(params);
    expect(completion.choices[0]?.finish_reason).toBe("content_filter");
    let finish: string | null = null;
    for await (const chunk of await client.chat.completions.create({ ...params, stream: true })) finish = chunk.choices[0]?.finish_reason ?? finish;
    expect(finish).toBe("content_filter");
  });

  test("[sim:refusal] sets message.refusal and null content", async () => {
    const completion = await client.chat.completions.create({ model, messages: ask(`Do something bad ${SIM_MARKERS.refusal}`) });
    expect(completion.choices[0]?.message.content).toBeNull();
    expect(completion.choices[0]?.message.refusal).toBeString();
  });

  test("[sim:tool-call] calls the first tool, in JSON and in a stream", async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } },
    ];
    const params = { model, tools, messages: ask(`Weather in Paris? ${SIM_MARKERS.toolCall}`) };
    const completion = await client.chat.completions.create(params);
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    const call = choice.message.tool_calls?.[0];
    expect(call?.type === "function" && call.function.name).toBe("get_weather");
    const args = call?.type === "function" ? (JSON.parse(call.function.arguments) as { city: string }) : undefined;
    expect(args?.city).toBe("Weather in Paris?");

    let streamedArgs = "";
    for await (const chunk of await client.chat.completions.create({ ...params, stream: true })) {
      streamedArgs += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? "";
    }
    expect(JSON.parse(streamedArgs)).toEqual(args!);
  });

  test("[sim:stream-error] fails mid-stream and as a 500 without streaming", async () => {
    const params = { model, messages: ask(`Break ${SIM_MARKERS.streamError}`) };
    const consume = async (): Promise<void> => {
      for await (const _chunk of await client.chat.completions.create({ ...params, stream: true })) {
        // drain
      }
    };
    expect(await rejection(consume())).toBeInstanceOf(OpenAI.APIError);
    expect(await rejection(client.chat.completions.create(params, { maxRetries: 0 }))).toBeInstanceOf(OpenAI.InternalServerError);
  });
});

describe("embeddings and models", () => {
  test("embeddings come back as deterministic number[] (the SDK asks for base64)", async () => {
    const first = await client.embeddings.create({ model: "text-embedding-3-small", input: ["hello world", "bake bread"] });
    expect(sim.requests[0]?.body).toMatchObject({ encoding_format: "base64" });
    const [a, b] = first.data.map((d) => d.embedding);
    expect(Array.isArray(a)).toBe(true);
    expect(a).toHaveLength(1536);
    expect(typeof a?.[0]).toBe("number");
    expect(Math.hypot(...a!)).toBeCloseTo(1, 5);
    expect(cosineSimilarity(a!, b!)).toBeLessThan(0.5);
    expect(first.usage.prompt_tokens).toBeGreaterThan(0);

    const again = await client.embeddings.create({ model: "text-embedding-3-small", input: "hello world", encoding_format: "float" });
    expect(again.data[0]?.embedding).toEqual(a!);
    const small = await client.embeddings.create({ model: "text-embedding-3-large", input: "hello world", dimensions: 256 });
    expect(small.data[0]?.embedding).toHaveLength(256);
  });

  test("models.list and models.retrieve", async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain("gpt-4o-mini");
    expect(models.data[0]).toMatchObject({ object: "model" });
    expect((await client.models.retrieve("gpt-4o")).id).toBe("gpt-4o");
    expect(await rejection(client.models.retrieve("no-such-model"))).toBeInstanceOf(OpenAI.NotFoundError);
    expect(sim.count("openai.models")).toBe(1);
  });
});

describe("errors", () => {
  test("failNext(500) throws InternalServerError and is counted", async () => {
    sim.failNext(500);
    const error = await rejection(client.chat.completions.create({ model, messages: ask("Hi") }, { maxRetries: 0 }));
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ type: "server_error", code: null });
    expect(sim.count("openai.chat.completions")).toBe(1);
    expect((await client.chat.completions.create({ model, messages: ask("Hi") })).choices).toHaveLength(1);
  });

  test("SDK retries are counted requests; route and times filter failures", async () => {
    sim.failNext(429, { times: 2, route: "openai.chat.completions" });
    await client.models.list();
    await client.chat.completions.create({ model, messages: ask("Hi") });
    expect(sim.count("openai.chat.completions")).toBe(3);

    sim.failNext(401, { message: "Bad key" });
    const error = await rejection(client.models.list());
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as Error).message).toContain("Bad key");
    sim.failNext(429, { retryAfter: null });
    expect(await rejection(client.models.list({ maxRetries: 0 }))).toBeInstanceOf(OpenAI.RateLimitError);
  });

  test("validation errors use the OpenAI error shape", async () => {
    const missing = await rejection(client.chat.completions.create({ model } as never));
    expect(missing).toBeInstanceOf(OpenAI.BadRequestError);
    expect((missing as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ type: "invalid_request_error", param: "messages" });

    const post = (path: string, body: string, auth = true) =>
      fetch(sim.url + path, { method: "POST", body, headers: { "content-type": "application/json", ...(auth ? { authorization: "Bearer sk-x" } : {}) } });
    const invalid = await post("/v1/chat/completions", "{not json");
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
    expect((await post("/v1/nope", "{}")).status).toBe(404);
    expect((await post("/v1/chat/completions", "{}", false)).status).toBe(401);
    expect(sim.requests.map((r) => r.route)).toEqual(["openai.chat.completions", "openai.chat.completions", "unknown", "openai.chat.completions"]);
    expect(sim.requests[1]?.body).toBeNull();
  });
});

describe("control", () => {
  test("delayMs delays every response; x-sim-delay-ms one request", async () => {
    sim.delayMs = 120;
    let start = performance.now();
    await client.models.list();
    // Timers may fire a millisecond or two early on a coarse clock.
    expect(performance.now() - start).toBeGreaterThanOrEqual(115);
    sim.delayMs = 0;
    start = performance.now();
    await client.models.list({ headers: { "x-sim-delay-ms": "80" } });
    expect(performance.now() - start).toBeGreaterThanOrEqual(75);
  });

  test("a client idle for longer than node:http's default keep-alive (5 s) reuses its connection: one request, no reset", async () => {
    const once = new OpenAI({ baseURL: sim.openaiBaseURL, apiKey: "sk-test-upstream", maxRetries: 0 });
    await once.chat.completions.create({ model, messages: ask("before the pauses") });
    // A short pause first: the connection is then one the pool has reused, as a busy client's are.
    await Bun.sleep(1000);
    await once.chat.completions.create({ model, messages: ask("between the pauses") });
    await Bun.sleep(6000);
    const after = await once.chat.completions.create({ model, messages: ask("after the pauses") });
    expect(after.choices[0]?.message.content).toBeString();
    expect(sim.count("openai.chat.completions")).toBe(3);
  }, 20_000);

  test("count and reset", async () => {
    await client.models.list();
    await client.embeddings.create({ model: "text-embedding-3-small", input: "x" });
    expect(sim.count()).toBe(2);
    expect(sim.count("openai.embeddings")).toBe(1);
    expect(sim.count("openai.chat.completions")).toBe(0);
    sim.reset();
    expect(sim.count()).toBe(0);
    expect(sim.requests).toEqual([]);
  });
});
