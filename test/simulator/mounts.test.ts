import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI, { toFile } from "openai";
import { startSimulator, type Simulator } from "../../src/simulator/index.ts";

let sim: Simulator;
let openai: OpenAI;
let anthropic: Anthropic;
beforeAll(async () => {
  sim = await startSimulator();
  openai = new OpenAI({ baseURL: sim.openaiBaseURL, apiKey: "sk-x", maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: sim.anthropicBaseURL, apiKey: "sk-ant-x", maxRetries: 0 });
});
afterAll(() => sim.close());

const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);
const message = (content: string, extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}) => ({
  model: "claude-haiku-4-5",
  max_tokens: 128,
  messages: [{ role: "user" as const, content }],
  ...extra,
});

describe("Anthropic mount", () => {
  test("answers /anthropic/v1/messages, counted as anthropic.messages, with a request id", async () => {
    sim.reset();
    const reply = await anthropic.messages.create(message("hello"));
    expect(reply.type).toBe("message");
    expect(reply._request_id).toStartWith("req_");
    expect(sim.count("anthropic.messages")).toBe(1);
    // SDK 1.x sends the key as a bearer token; older ones and raw callers use x-api-key.
    expect(sim.requests[0]!.headers.authorization).toBe("Bearer sk-ant-x");
    expect(sim.requests[0]!.path).toBe("/anthropic/v1/messages");
    const post = (headers: Record<string, string>) =>
      fetch(`${sim.anthropicBaseURL}/v1/messages`, { method: "POST", body: JSON.stringify(message("raw")), headers: { "content-type": "application/json", ...headers } });
    expect((await post({ "x-api-key": "sk-ant-x" })).status).toBe(200);
    const denied = await post({});
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
  });

  test("markers: refusal and tool use; a stream error arrives as an error event", async () => {
    expect((await anthropic.messages.create(message("[sim:refusal] no"))).stop_reason).toBe("refusal");
    const tools = [{ name: "lookup", input_schema: { type: "object" as const, properties: { q: { type: "string" } }, required: ["q"] } }];
    const call = await anthropic.messages.create(message("[sim:tool-call] find", { tools }));
    expect(call.content[0]).toMatchObject({ type: "tool_use", name: "lookup", input: { q: expect.any(String) } });
    const stream = await anthropic.messages.create({ ...message("[sim:stream-error] go"), stream: true });
    const failure = await rejection((async () => { for await (const _event of stream) void _event; })());
    expect(failure).toBeInstanceOf(Anthropic.APIError);
    expect(await rejection(anthropic.messages.create(message("[sim:stream-error] go")))).toBeInstanceOf(Anthropic.InternalServerError);
  });

  test("failNext uses the Anthropic error shape; validation errors too", async () => {
    sim.failNext(529, { route: "anthropic.messages", message: "Overloaded" });
    const overloaded = (await rejection(anthropic.messages.create(message("x")))) as InstanceType<typeof Anthropic.APIError>;
    expect(overloaded.status).toBe(529);
    expect(overloaded.error).toMatchObject({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    const invalid = await rejection(anthropic.messages.create({ model: "claude-haiku-4-5", messages: [] } as never));
    expect(invalid).toBeInstanceOf(Anthropic.BadRequestError);
  });
});

describe("OpenAI responses and images mounts", () => {
  test("responses: JSON, named SSE events that reassemble to the same text, incomplete on max_output_tokens", async () => {
    const json = await openai.responses.create({ model: "gpt-4o", input: "hi" });
    let streamed = "";
    const types = new Set<string>();
    for await (const event of await openai.responses.create({ model: "gpt-4o", input: "hi", stream: true })) {
      types.add(event.type);
      if (event.type === "response.output_text.delta") streamed += event.delta;
    }
    expect(streamed).toBe(json.output_text);
    expect([...types]).toContain("response.completed");
    const cut = await openai.responses.create({ model: "gpt-4o", input: "a long one", max_output_tokens: 2 });
    expect(cut).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } });
  });

  test("images: dall-e answers with URLs by default, GPT image models in base64 and refuse response_format", async () => {
    const url = await openai.images.generate({ model: "dall-e-3", prompt: "a cat" });
    expect(url.data![0]).toMatchObject({ url: expect.stringMatching(/^https:/), revised_prompt: expect.any(String) });
    const b64 = await openai.images.generate({ model: "gpt-image-1", prompt: "a cat" });
    expect(Buffer.from(b64.data![0]!.b64_json!, "base64").subarray(1, 4).toString()).toBe("PNG");
    expect(b64.usage!.output_tokens).toBeGreaterThan(0);
    expect(await rejection(openai.images.generate({ model: "gpt-image-1", prompt: "a cat", response_format: "b64_json" }))).toBeInstanceOf(OpenAI.BadRequestError);
  });

  test("edits: multipart fields parsed, file bytes recorded, a different image gives a different answer", async () => {
    const edit = async (bytes: string) => openai.images.edit({ model: "gpt-image-1", prompt: "a hat", image: await toFile(Buffer.from(bytes), "in.png", { type: "image/png" }), n: 1 });
    const first = await edit("one");
    const recorded = sim.requests.at(-1)!;
    expect(recorded.route).toBe("openai.images.edits");
    expect(recorded.body).toMatchObject({ model: "gpt-image-1", prompt: "a hat", n: "1" });
    expect(recorded.files).toEqual([{ field: "image", filename: "in.png", type: "image/png", bytes: Buffer.from("one") }]);
    expect((await edit("two")).data![0]!.b64_json).not.toBe(first.data![0]!.b64_json!);
    expect(await rejection(openai.images.edit({ model: "gpt-image-1", prompt: "no image" } as never))).toBeInstanceOf(OpenAI.BadRequestError);
  });
});
