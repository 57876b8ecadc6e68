import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { Stream } from "openai/core/streaming";
import { ResponseStream } from "openai/lib/responses/ResponseStream";
import type { Response, ResponseCreateParamsNonStreaming } from "openai/resources/responses/responses";
import { SIM_HEADERS, SIM_MARKERS } from "../../src/simulator/index.ts";
import { OPENAI_SDK } from "./openai-sdk.ts";
import { FOREIGN_ANSWERS } from "./suite-answers.ts";
import { isJson, runProviderSuite, type Surface } from "./suite.ts";
import { bothHalves, runStreamSuite, type StreamSurface } from "./suite-streams.ts";
import { useProviders } from "./wrapped.ts";

const { up, wrap } = useProviders();
const ROUTE = "openai.responses";
const client = () => up.openai();

function ask(input: ResponseCreateParamsNonStreaming["input"], extra: Partial<ResponseCreateParamsNonStreaming> = {}): ResponseCreateParamsNonStreaming {
  return { model: "gpt-4.1-mini", input, ...extra };
}

const SCHEMA = { type: "json_schema" as const, name: "answer", strict: true, schema: { type: "object", properties: { answer: { type: "string" } }, required: ["answer"], additionalProperties: false } };
const TOOLS = [{ type: "function" as const, name: "get_weather", strict: true, parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false } }];

const responses: Surface<OpenAI, ResponseCreateParamsNonStreaming, Response> = {
  name: "openai responses.create",
  ...OPENAI_SDK,
  route: ROUTE,
  model: "gpt-4.1-mini",
  promptType: "text",
  request: (prompt) => ask(prompt),
  call: (client, request, ecoai) => client.responses.create(request, ecoai && { ecoai }),
  read: (response) => ({
    id: response.id,
    text: response.output_text,
    toolCalls: response.output.flatMap((item) => (item.type === "function_call" ? [{ name: item.name, arguments: JSON.parse(item.arguments) as unknown }] : [])),
    finishReason: response.incomplete_details?.reason ?? response.status ?? "",
    usage: { inputTokens: response.usage!.input_tokens, cachedInputTokens: response.usage!.input_tokens_details.cached_tokens, outputTokens: response.usage!.output_tokens },
  }),
  nonAnswers: [
    { name: "incomplete: content filter", request: (prompt) => ask(`${SIM_MARKERS.contentFilter} ${prompt}`), is: (r) => r.incomplete_details?.reason === "content_filter" },
    { name: "incomplete: output limit", request: (prompt) => ask(prompt, { max_output_tokens: 3 }), is: (r) => r.incomplete_details?.reason === "max_output_tokens" },
    { name: "refusal", request: (prompt) => ask(`${SIM_MARKERS.refusal} ${prompt}`), is: (r) => r.output.some((item) => item.type === "message" && item.content.some((part) => part.type === "refusal")) },
    { name: "invalid JSON under a JSON schema", request: (prompt) => ask(`${SIM_MARKERS.invalidJson} ${prompt}`, { text: { format: SCHEMA } }), is: (r) => r.status === "completed" && !isJson(r.output_text) },
    { name: "invalid JSON in JSON mode", request: (prompt) => ask(`${SIM_MARKERS.invalidJson} ${prompt}`, { text: { format: { type: "json_object" } } }), is: (r) => r.status === "completed" && !isJson(r.output_text) },
  ],
  answers: [
    { name: "valid structured output", request: (prompt) => ask(prompt, { text: { format: SCHEMA } }), is: (r) => isJson(r.output_text) && "answer" in JSON.parse(r.output_text) },
    { name: "function call", request: (prompt) => ask(`${SIM_MARKERS.toolCall} ${prompt}`, { tools: TOOLS }), is: (r) => r.output[0]?.type === "function_call" },
  ],
  foreign: FOREIGN_ANSWERS.chatCompletion,
  promptCache: true,
};

runProviderSuite(up, responses);

describe("OpenAI responses through the real SDK", () => {
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

  test("a stream, the stream helper and a plain call share one entry, the recorded deltas replayed", async () => {
    const eco = wrap(client());
    const before = up.sim.count(ROUTE);
    const deltas = async (stream: AsyncIterable<{ type: string; delta?: unknown }>) => {
      const seen: string[] = [];
      for await (const event of stream) if (event.type === "response.output_text.delta") seen.push(String(event.delta));
      return seen;
    };
    const live = await deltas(await eco.responses.create({ ...ask("stream this"), stream: true }));
    expect(live.length).toBeGreaterThan(1);
    const plain = await eco.responses.create(ask("stream this"));
    expect(plain.output_text).toBe(live.join(""));
    const helper = eco.responses.stream({ model: "gpt-4.1-mini", input: "stream this" });
    const helped: string[] = [];
    helper.on("response.output_text.delta", (event) => helped.push(event.delta));
    expect((await helper.finalResponse()).output_text).toBe(plain.output_text);
    expect(helped).toEqual(live);
    expect(up.sim.count(ROUTE) - before).toBe(1);
  });

  test("a request the API rejects is the SDK's BadRequestError", async () => {
    const eco = wrap(client());
    const bad = await eco.responses.create({ model: "gpt-4o" } as never).catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
  });

  test("a hit's savings price cached input at the model's cached rate", async () => {
    const eco = wrap(up.openai({ defaultHeaders: { [SIM_HEADERS.cachedTokens]: "3" } }));
    const live = await eco.responses.create(ask("price this please"));
    await eco.responses.create(ask("price this please"));
    const [hit] = await eco.history();
    const usage = live.usage!;
    expect(usage.input_tokens_details.cached_tokens).toBe(3);
    // gpt-4.1-mini: $0.40 input, $0.10 cached input, $1.60 output per million tokens.
    expect(hit!.costSavedUsd).toBeCloseTo(((usage.input_tokens - 3) * 0.4 + 3 * 0.1 + usage.output_tokens * 1.6) / 1e6, 12);
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

/** Streamed requests, as the caller makes them: the plain request with `stream` left to the call. */
const streamable = ({ stream: _stream, ...request }: ResponseCreateParamsNonStreaming) => request;

const responsesStream: StreamSurface<OpenAI, ResponseCreateParamsNonStreaming, Response> = {
  ...responses,
  name: "openai responses.create({ stream: true })",
  async open(eco, request, { ecoai, signal }) {
    return eco.responses.create({ ...streamable(request), stream: true }, { ...(ecoai && { ecoai }), ...(signal && { signal }) });
  },
  async call(eco, request, ecoai) {
    const stream = await eco.responses.create({ ...streamable(request), stream: true }, ecoai && { ecoai });
    expect(stream).toBeInstanceOf(Stream);
    // The response the events add up to, assembled by the SDK's own `ResponseStream` from a tee.
    const [mine, theirs] = stream.tee();
    const { events, final } = await bothHalves(Array.fromAsync(mine), ResponseStream.fromReadableStream(theirs.toReadableStream()).finalResponse());
    return { events, final: final as Response };
  },
  read: ({ final }) => responses.read(final),
  receivedOnly: [],
  nonAnswers: responses.nonAnswers.map((outcome) => ({ ...outcome, is: ({ final }) => outcome.is(final) })),
  answers: responses.answers.map((outcome) => ({ ...outcome, is: ({ final }) => outcome.is(final) })),
};

const responsesStreamHelper: StreamSurface<OpenAI, ResponseCreateParamsNonStreaming, Response> = {
  ...responsesStream,
  name: "openai responses.stream()",
  async open(eco, request, { ecoai, signal }) {
    return eco.responses.stream(streamable(request), { ...(ecoai && { ecoai }), ...(signal && { signal }) });
  },
  async call(eco, request, ecoai) {
    const helper = eco.responses.stream(streamable(request), ecoai && { ecoai });
    expect(helper).toBeInstanceOf(ResponseStream);
    const events: unknown[] = [];
    helper.on("event", (event) => events.push(event));
    return { final: (await helper.finalResponse()) as Response, events };
  },
};

for (const surface of [responsesStream, responsesStreamHelper]) {
  runProviderSuite(up, surface);
  runStreamSuite(up, surface, responses);
}
