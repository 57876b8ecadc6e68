import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { SIM_HEADERS, SIM_MARKERS } from "../../src/simulator/index.ts";
import { drain, parseSse, rejection, useClients } from "./clients.ts";

const up = useClients();
const model = "gpt-4o";
const tools: OpenAI.Responses.FunctionTool[] = [
  { type: "function", name: "get_weather", strict: false, parameters: { type: "object", properties: { city: { type: "string" } } } },
  { type: "function", name: "get_time", strict: false, parameters: { type: "object", properties: { zone: { type: "string" } } } },
];
type Params = Omit<OpenAI.Responses.ResponseCreateParamsNonStreaming, "stream">;
const ask = (input: string, extra: Partial<Params> = {}): Params => ({ model, input, ...extra });

/** What a streamed and a plain response must share: all but ids and times. */
function comparable(response: OpenAI.Responses.Response) {
  return {
    status: response.status,
    incomplete_details: response.incomplete_details,
    usage: response.usage,
    output_text: response.output_text,
    output: response.output.map((item) =>
      item.type === "message"
        ? { type: item.type, status: item.status, content: item.content.map((part) => ({ ...part, parsed: undefined })) }
        : item.type === "function_call"
          ? { type: item.type, name: item.name, arguments: item.arguments, status: item.status }
          : item.type,
    ),
  };
}

describe("responses stream", () => {
  test("the full event sequence, numbered, ending with response.completed and its usage", async () => {
    const { items } = await drain(await up.openai.responses.create({ ...ask("Hello"), stream: true }));
    const types: string[] = items.map((event) => event.type);
    const deltas = types.filter((type) => type === "response.output_text.delta").length;
    expect(deltas).toBeGreaterThan(3);
    expect(types).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      ...Array<string>(deltas).fill("response.output_text.delta"),
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(items.map((event) => event.sequence_number)).toEqual(items.map((_, index) => index));
    const created = items[0] as OpenAI.Responses.ResponseCreatedEvent;
    expect(created.response).toMatchObject({ status: "in_progress", output: [], usage: null });
    const completed = items.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    expect(completed.response.usage!.output_tokens).toBeGreaterThan(0);
    expect(completed.response.id).toBe(created.response.id);
  });

  test("the wire names every event, and the name matches the data's type", async () => {
    const response = await fetch(`${up.sim.openaiBaseURL}/responses`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-raw" },
      body: JSON.stringify({ ...ask("Hello"), stream: true }),
    });
    const events = parseSse(await response.text()) as Array<{ event?: string; data: { type: string } }>;
    for (const event of events) expect(event.event).toBe(event.data.type);
  });

  test("responses.stream(): delta events with snapshots and a final response equal to the plain answer", async () => {
    const params = ask(`Explain ${SIM_MARKERS.long}`);
    const stream = up.openai.responses.stream(params);
    const snapshots: string[] = [];
    stream.on("response.output_text.delta", (event) => snapshots.push(event.snapshot));
    const final = await stream.finalResponse();
    const plain = await up.openai.responses.create(params);
    expect(snapshots.length).toBeGreaterThan(50);
    expect(snapshots.at(-1)).toBe(plain.output_text);
    expect(comparable(final)).toEqual(comparable(plain));
  });

  test("output-text logprobs stream with each delta when included", async () => {
    const params = ask("Hello", { include: ["message.output_text.logprobs"], top_logprobs: 2 });
    const { items } = await drain(await up.openai.responses.create({ ...params, stream: true }));
    for (const event of items) {
      if (event.type !== "response.output_text.delta") continue;
      expect(event.logprobs.map((entry) => entry.token).join("")).toBe(event.delta);
    }
    expect(comparable(await up.openai.responses.stream(params).finalResponse())).toEqual(comparable(await up.openai.responses.create(params)));
  });

  test("function calls stream their arguments as deltas; parallel calls are separate output items", async () => {
    const params = ask(`Weather and time? ${SIM_MARKERS.parallelToolCalls}`, { tools });
    const { items } = await drain(await up.openai.responses.create({ ...params, stream: true }));
    const added = items.filter((event) => event.type === "response.output_item.added");
    expect(added.map((event) => event.type === "response.output_item.added" && event.item.type === "function_call" && [event.output_index, event.item.name, event.item.arguments])).toEqual([
      [0, "get_weather", ""],
      [1, "get_time", ""],
    ]);
    const done = items.filter((event) => event.type === "response.function_call_arguments.done");
    expect(done).toHaveLength(2);
    for (const event of done) {
      if (event.type !== "response.function_call_arguments.done") continue;
      const deltas = items.filter((e) => e.type === "response.function_call_arguments.delta" && e.output_index === event.output_index);
      expect(deltas.map((e) => (e.type === "response.function_call_arguments.delta" ? e.delta : "")).join("")).toBe(event.arguments);
    }
    expect(comparable(await up.openai.responses.stream(params).finalResponse())).toEqual(comparable(await up.openai.responses.create(params)));
  });

  test("a refusal streams as a refusal content part with refusal deltas", async () => {
    const params = ask(`Do something bad ${SIM_MARKERS.refusal}`);
    const { items } = await drain(await up.openai.responses.create({ ...params, stream: true }));
    expect(items.filter((event) => event.type === "response.refusal.delta").length).toBeGreaterThan(1);
    const final = await up.openai.responses.stream(params).finalResponse();
    expect(comparable(final)).toEqual(comparable(await up.openai.responses.create(params)));
  });

  test("max_output_tokens and a content filter end with response.incomplete and the reason", async () => {
    for (const [params, reason] of [
      [ask("A long one", { max_output_tokens: 4 }), "max_output_tokens"],
      [ask(`Risky ${SIM_MARKERS.contentFilter}`), "content_filter"],
    ] as const) {
      const { items } = await drain(await up.openai.responses.create({ ...params, stream: true }));
      expect(items.at(-1)).toMatchObject({ type: "response.incomplete", response: { status: "incomplete", incomplete_details: { reason } } });
      const final = await up.openai.responses.stream(params).finalResponse();
      expect(comparable(final)).toEqual(comparable(await up.openai.responses.create(params)));
    }
  });

  test("a failed generation sends an error event, then response.failed; the helper rejects with the error event", async () => {
    const params = ask(`Break ${SIM_MARKERS.streamError}`);
    const { items, error } = await drain(await up.openai.responses.create({ ...params, stream: true }));
    expect(error).toBeUndefined();
    const [failure, failed] = items.slice(-2);
    expect(failure).toMatchObject({ type: "error", code: "server_error", sequence_number: items.length - 2 });
    expect(failed).toMatchObject({ type: "response.failed", response: { status: "failed", error: { code: "server_error" } } });
    expect(items.some((event) => event.type === "response.completed")).toBe(false);

    const helperError = await rejection(up.openai.responses.stream(params).finalResponse());
    expect(helperError).toMatchObject({ type: "error", code: "server_error" });
  });

  test("a cut stream ends the helper with a connection error", async () => {
    const stream = up.openai.responses.stream(ask("Cut"), { headers: { [SIM_HEADERS.cutAfter]: "5" } });
    const events: unknown[] = [];
    stream.on("event", (event) => events.push(event));
    const error = await rejection(stream.finalResponse());
    expect(events).toHaveLength(5);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(OpenAI.APIError);
  });
});
