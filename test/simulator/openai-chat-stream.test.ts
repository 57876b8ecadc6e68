import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { SIM_HEADERS, SIM_MARKERS } from "../../src/simulator/index.ts";
import { drain, parseSse, rejection, useClients } from "./clients.ts";

const up = useClients();
const model = "gpt-4o-mini";
const ask = (content: string, extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}) => ({
  model,
  messages: [{ role: "user" as const, content }],
  ...extra,
});
const tools: OpenAI.ChatCompletionTool[] = [
  { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } },
  { type: "function", function: { name: "get_time", parameters: { type: "object", properties: { zone: { type: "string" } }, required: ["zone"] } } },
];

/** The helper's stream of `params`, with the usage chunk so its final completion has usage too. */
const helper = ({ stream: _plain, ...params }: OpenAI.ChatCompletionCreateParamsNonStreaming, options?: OpenAI.RequestOptions) =>
  up.openai.chat.completions.stream({ ...params, stream_options: { include_usage: true } }, options);

/** What a streamed and a plain answer must share: everything but the per-call id, time and stream-only fields. */
function comparable(completion: OpenAI.ChatCompletion) {
  return {
    model: completion.model,
    usage: completion.usage,
    choices: completion.choices.map(({ index, finish_reason, logprobs, message }) => ({
      index,
      finish_reason,
      logprobs,
      content: message.content,
      refusal: message.refusal,
      calls: message.tool_calls?.map((call) => (call.type === "function" ? [call.function.name, call.function.arguments] : call.type)),
    })),
  };
}

describe("chat completions stream", () => {
  test("the wire: a role chunk, content deltas, a finish chunk, the usage chunk, [DONE]", async () => {
    const response = await fetch(`${up.sim.openaiBaseURL}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-raw" },
      body: JSON.stringify({ ...ask("Hello"), stream: true, stream_options: { include_usage: true } }),
    });
    expect(response.headers.get("content-type")).toStartWith("text/event-stream");
    const events = parseSse(await response.text()) as Array<{ event?: string; data: any }>;
    expect(events.every((event) => event.event === undefined)).toBe(true);
    expect(events.at(-1)!.data).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((event) => event.data);
    expect(chunks[0].choices[0]).toEqual({ index: 0, delta: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: null });
    expect(chunks.at(-2).choices[0]).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: "stop" });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) } });
    for (const chunk of chunks.slice(0, -1)) expect(chunk).toMatchObject({ object: "chat.completion.chunk", id: chunks[0].id, usage: null });
  });

  test("chat.completions.stream(): content events and a final completion equal to the plain answer", async () => {
    const params = ask(`Explain ${SIM_MARKERS.long}`);
    const stream = helper(params);
    const deltas: string[] = [];
    let done = "";
    stream.on("content", (delta) => deltas.push(delta));
    stream.on("content.done", (event) => (done = event.content));
    const final = await stream.finalChatCompletion();
    const plain = await up.openai.chat.completions.create(params);
    expect(deltas.length).toBeGreaterThan(50);
    expect(deltas.join("")).toBe(done);
    expect(comparable(final)).toEqual(comparable(plain));
    expect(await stream.finalContent()).toBe(plain.choices[0]!.message.content);
  });

  test("n > 1 interleaves the choices; each reassembles to its plain answer", async () => {
    const params = ask("Two takes please", { n: 2 });
    const { items } = await drain(await up.openai.chat.completions.create({ ...params, stream: true }));
    const order = items.flatMap((chunk) => chunk.choices.map((choice) => choice.index));
    expect(order.slice(0, 4)).toEqual([0, 1, 0, 1]);
    const final = await helper(params).finalChatCompletion();
    const plain = await up.openai.chat.completions.create(params);
    expect(comparable(final).choices).toEqual(comparable(plain).choices);
  });

  test("logprobs, with top_logprobs, ride on each content delta and add up to the plain answer's", async () => {
    const params = ask("Hello", { logprobs: true, top_logprobs: 2 });
    const { items } = await drain(await up.openai.chat.completions.create({ ...params, stream: true }));
    const withText = items.filter((chunk) => chunk.choices[0]?.delta.content);
    for (const chunk of withText) {
      const { delta, logprobs } = chunk.choices[0]!;
      expect(logprobs!.content!.map((entry) => entry.token).join("")).toBe(delta.content!);
      for (const entry of logprobs!.content!) expect(entry.top_logprobs).toHaveLength(2);
    }
    const stream = helper(params);
    let streamed: unknown;
    stream.on("logprobs.content.done", (event) => (streamed = event.content));
    const final = await stream.finalChatCompletion();
    const plain = await up.openai.chat.completions.create(params);
    expect(streamed).toEqual(plain.choices[0]!.logprobs!.content!);
    expect(final.choices[0]!.logprobs).toEqual(plain.choices[0]!.logprobs);
  });

  test("a tool call streams its id and name first, then the arguments in pieces", async () => {
    const params = ask(`Weather in Paris? ${SIM_MARKERS.toolCall}`, { tools });
    const { items } = await drain(await up.openai.chat.completions.create({ ...params, stream: true }));
    const calls = items.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^call_/), type: "function", function: { name: "get_weather", arguments: "" } });
    expect(calls.length).toBeGreaterThan(2);
    for (const piece of calls.slice(1)) expect(piece).toEqual({ index: 0, function: { arguments: expect.any(String) } });
    expect(items.at(-1)!.choices[0]!.finish_reason).toBe("tool_calls");

    const stream = helper(params);
    const argumentDeltas: string[] = [];
    let parsed: unknown;
    stream.on("tool_calls.function.arguments.delta", (event) => argumentDeltas.push(event.arguments_delta));
    stream.on("tool_calls.function.arguments.done", (event) => (parsed = JSON.parse(event.arguments)));
    const final = await stream.finalChatCompletion();
    expect(argumentDeltas.length).toBeGreaterThan(1);
    expect(parsed).toEqual({ city: "Weather in Paris?" });
    expect(comparable(final)).toEqual(comparable(await up.openai.chat.completions.create(params)));
  });

  test(`${SIM_MARKERS.parallelToolCalls} calls every tool, each call under its own index`, async () => {
    const params = ask(`Weather and time? ${SIM_MARKERS.parallelToolCalls}`, { tools });
    const { items } = await drain(await up.openai.chat.completions.create({ ...params, stream: true }));
    const heads = items.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []).filter((call) => call.id);
    expect(heads.map((call) => [call.index, call.function?.name])).toEqual([[0, "get_weather"], [1, "get_time"]]);
    const final = await helper(params).finalChatCompletion();
    expect(comparable(final)).toEqual(comparable(await up.openai.chat.completions.create(params)));
    const single = await up.openai.chat.completions.create({ ...params, parallel_tool_calls: false });
    expect(single.choices[0]!.message.tool_calls).toHaveLength(1);
  });

  test("a refusal streams as refusal deltas; the final message has the refusal and no content", async () => {
    const params = ask(`Do something bad ${SIM_MARKERS.refusal}`);
    const stream = helper(params);
    const deltas: string[] = [];
    stream.on("refusal.delta", (event) => deltas.push(event.delta));
    const final = await stream.finalChatCompletion();
    expect(deltas.length).toBeGreaterThan(1);
    expect(final.choices[0]!.message).toMatchObject({ content: null, refusal: deltas.join("") });
    expect(comparable(final)).toEqual(comparable(await up.openai.chat.completions.create(params)));
  });

  test("a content filter stops the stream with finish_reason content_filter after part of the answer", async () => {
    const params = ask(`Something risky ${SIM_MARKERS.contentFilter}`);
    const final = await helper(params).finalChatCompletion();
    expect(final.choices[0]!.finish_reason).toBe("content_filter");
    expect(final.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(comparable(final)).toEqual(comparable(await up.openai.chat.completions.create(params)));
  });

  test("a mid-stream error rejects the helper with the SDK's APIError; a cut with a connection error", async () => {
    const failing = helper(ask(`Break ${SIM_MARKERS.streamError}`));
    const seen: unknown[] = [];
    failing.on("error", (error) => seen.push(error));
    const error = await rejection(failing.finalChatCompletion());
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ type: "server_error" });
    expect(seen).toEqual([error]);

    const cut = helper(ask("Cut"), { headers: { [SIM_HEADERS.cutAfter]: "2" } });
    const chunks: unknown[] = [];
    cut.on("chunk", (chunk) => chunks.push(chunk));
    const cutError = await rejection(cut.finalChatCompletion());
    expect(chunks).toHaveLength(2);
    expect(cutError).toBeInstanceOf(Error);
    expect(cutError).not.toBeInstanceOf(OpenAI.APIError);
  });
});
