import { describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { MessageStream } from "@anthropic-ai/sdk/lib/MessageStream";
import { Stream } from "@anthropic-ai/sdk/streaming";
import { SIM_HEADERS, SIM_MARKERS } from "../../src/simulator/index.ts";
import { TEST_API_KEY } from "../harness.ts";
import { FOREIGN_ANSWERS } from "./suite-answers.ts";
import { isJson, runProviderSuite, type Surface } from "./suite.ts";
import { bothHalves, runStreamSuite, type StreamSurface } from "./suite-streams.ts";
import { useProviders } from "./wrapped.ts";

const { up, wrap, anthropic } = useProviders();
const ROUTE = "anthropic.messages";
const MODEL = "claude-haiku-4-5";

function ask(content: Anthropic.MessageParam["content"], extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}): Anthropic.MessageCreateParamsNonStreaming {
  return { model: MODEL, max_tokens: 256, messages: [{ role: "user", content }], ...extra };
}

const TOOLS: Anthropic.Tool[] = [{ name: "get_weather", description: "Weather", input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }];
const JSON_SCHEMA = { output_config: { format: { type: "json_schema" as const, schema: { type: "object", properties: { answer: { type: "string" } }, required: ["answer"], additionalProperties: false } } } };
const text = (message: Anthropic.Message) => message.content.map((block) => (block.type === "text" ? block.text : "")).join("");

const messages: Surface<Anthropic, Anthropic.MessageCreateParamsNonStreaming, Anthropic.Message> = {
  name: "@anthropic-ai/sdk messages.create",
  provider: "anthropic",
  route: ROUTE,
  model: MODEL,
  promptType: "text",
  client: (sim, headers) => new Anthropic({ baseURL: sim.anthropicBaseURL, apiKey: TEST_API_KEY, maxRetries: 0, defaultHeaders: headers }),
  request: (prompt) => ask(prompt),
  call: (client, request, ecoai) => client.messages.create(request, ecoai && { ecoai }),
  read: (message) => ({
    id: message.id,
    text: text(message),
    toolCalls: message.content.flatMap((block) => (block.type === "tool_use" ? [{ name: block.name, arguments: block.input }] : [])),
    finishReason: message.stop_reason ?? "",
    usage: {
      inputTokens: message.usage.input_tokens + (message.usage.cache_read_input_tokens ?? 0) + (message.usage.cache_creation_input_tokens ?? 0),
      cachedInputTokens: message.usage.cache_read_input_tokens ?? 0,
      outputTokens: message.usage.output_tokens,
    },
  }),
  receivedOnly: ["_request_id", "_workspace_id"],
  errors: [
    { status: 529, type: Anthropic.InternalServerError },
    { status: 429, type: Anthropic.RateLimitError },
    { status: 400, type: Anthropic.BadRequestError },
  ],
  nonAnswers: [
    { name: "refusal", request: (prompt) => ask(`${SIM_MARKERS.refusal} ${prompt}`), is: (m) => m.stop_reason === "refusal" },
    { name: "invalid JSON under a JSON schema", request: (prompt) => ask(`${SIM_MARKERS.invalidJson} ${prompt}`, JSON_SCHEMA), is: (m) => m.stop_reason === "end_turn" && !isJson(text(m)) },
  ],
  answers: [
    { name: "max_tokens stop", request: (prompt) => ask(prompt, { max_tokens: 3 }), is: (m) => m.stop_reason === "max_tokens" },
    { name: "valid JSON under a JSON schema", request: (prompt) => ask(prompt, JSON_SCHEMA), is: (m) => isJson(text(m)) && "answer" in JSON.parse(text(m)) },
    { name: "tool call", request: (prompt) => ask(`${SIM_MARKERS.toolCall} ${prompt}`, { tools: TOOLS }), is: (m) => m.stop_reason === "tool_use" },
  ],
  foreign: FOREIGN_ANSWERS.chatCompletion,
  promptCache: true,
};

runProviderSuite(up, messages);

describe("Anthropic messages through the real SDK", () => {
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

  test("stream: true, messages.stream() and a plain call share one entry, the recorded deltas replayed", async () => {
    const eco = wrap(anthropic());
    const before = up.sim.count(ROUTE);
    const stream = await eco.messages.create({ ...ask("stream this"), stream: true });
    const live: string[] = [];
    for await (const event of stream) if (event.type === "content_block_delta" && event.delta.type === "text_delta") live.push(event.delta.text);
    expect(live.length).toBeGreaterThan(1);
    const plain = await eco.messages.create(ask("stream this"));
    expect((plain.content[0] as Anthropic.TextBlock).text).toBe(live.join(""));
    const helper = eco.messages.stream(ask("stream this"));
    const deltas: string[] = [];
    helper.on("text", (delta) => deltas.push(delta));
    const final = await helper.finalMessage();
    expect(deltas).toEqual(live);
    expect((final.content[0] as Anthropic.TextBlock).text).toBe(live.join(""));
    expect([final.id, final.stop_reason, final.usage]).toEqual([plain.id, plain.stop_reason, plain.usage]);
    expect(up.sim.count(ROUTE) - before).toBe(1);
    const history = await eco.history();
    expect(history.map((record) => record.cacheHit)).toEqual([true, true, false]);
    expect(history.every((record) => record.outputTokens === plain.usage.output_tokens)).toBe(true);
  });

  test("a hit's savings price prompt-cache reads at the model's cached rate", async () => {
    const eco = wrap(anthropic({ defaultHeaders: { [SIM_HEADERS.cachedTokens]: "4" } }));
    const live = await eco.messages.create(ask("price this please"));
    await eco.messages.create(ask("price this please"));
    const [hit] = await eco.history();
    const { input_tokens, cache_read_input_tokens, output_tokens } = live.usage;
    expect(cache_read_input_tokens).toBe(4);
    // Haiku 4.5: $1 input, $0.10 cache reads, $5 output per million tokens.
    expect(hit!.costSavedUsd).toBeCloseTo((input_tokens * 1 + 4 * 0.1 + output_tokens * 5) / 1e6, 12);
  });

  test("a request without an API key is refused with Anthropic's authentication error", async () => {
    const denied = await fetch(`${up.sim.anthropicBaseURL}/v1/messages`, { method: "POST", body: JSON.stringify(ask("no key")), headers: { "content-type": "application/json" } });
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
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

/** Streamed requests, as the caller makes them: the plain request with `stream` left to the call. */
const streamable = ({ stream: _stream, ...request }: Anthropic.MessageCreateParamsNonStreaming) => request;

const messagesStream: StreamSurface<Anthropic, Anthropic.MessageCreateParamsNonStreaming, Anthropic.Message> = {
  ...messages,
  name: "@anthropic-ai/sdk messages.create({ stream: true })",
  async open(client, request, { ecoai, signal }) {
    return client.messages.create({ ...streamable(request), stream: true }, { ...(ecoai && { ecoai }), ...(signal && { signal }) });
  },
  async call(client, request, ecoai) {
    const stream = await client.messages.create({ ...streamable(request), stream: true }, ecoai && { ecoai });
    expect(stream).toBeInstanceOf(Stream);
    // The message the events add up to, assembled by the SDK's own `MessageStream` from a tee.
    const [mine, theirs] = stream.tee();
    return bothHalves(Array.fromAsync(mine), MessageStream.fromReadableStream(theirs.toReadableStream()).finalMessage());
  },
  read: ({ final }) => messages.read(final),
  receivedOnly: [],
  nonAnswers: messages.nonAnswers.map((outcome) => ({ ...outcome, is: ({ final }) => outcome.is(final) })),
  answers: messages.answers.map((outcome) => ({ ...outcome, is: ({ final }) => outcome.is(final) })),
};

const messagesStreamHelper: StreamSurface<Anthropic, Anthropic.MessageCreateParamsNonStreaming, Anthropic.Message> = {
  ...messagesStream,
  name: "@anthropic-ai/sdk messages.stream()",
  async open(client, request, { ecoai, signal }) {
    return client.messages.stream(streamable(request), { ...(ecoai && { ecoai }), ...(signal && { signal }) });
  },
  async call(client, request, ecoai) {
    const helper = client.messages.stream(streamable(request), ecoai && { ecoai });
    expect(helper).toBeInstanceOf(MessageStream);
    const events: unknown[] = [];
    helper.on("streamEvent", (event) => events.push(event));
    helper.on("text", (delta) => events.push({ text: delta }));
    helper.on("inputJson", (delta) => events.push({ inputJson: delta }));
    return { final: await helper.finalMessage(), events };
  },
};

for (const surface of [messagesStream, messagesStreamHelper]) {
  runProviderSuite(up, surface);
  runStreamSuite(up, surface, messages);
}
