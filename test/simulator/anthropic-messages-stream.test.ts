import { describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { SIM_HEADERS, SIM_MARKERS } from "../../src/simulator/index.ts";
import { drain, parseSse, rejection, useClients } from "./clients.ts";

const up = useClients();
const ask = (content: string, extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}): Anthropic.MessageCreateParamsNonStreaming => ({
  model: "claude-haiku-4-5",
  max_tokens: 1024,
  messages: [{ role: "user", content }],
  ...extra,
});
const tools: Anthropic.Tool[] = [
  { name: "lookup", input_schema: { type: "object", properties: { q: { type: "string" } }, required: ["q"] } },
  { name: "count", input_schema: { type: "object", properties: { n: { type: "integer" } }, required: ["n"] } },
];

/** A message without what differs between two calls (its id) or what only the stream helper adds (`parsed_output`). */
function comparable(message: Anthropic.Message): Record<string, unknown> {
  const { id: _id, parsed_output: _parsed, ...rest } = message as Anthropic.Message & { parsed_output?: unknown };
  return { ...rest, content: message.content.map((block) => (block.type === "tool_use" ? { ...block, id: "" } : block)) };
}

describe("messages stream", () => {
  test("the wire: message_start, block start, ping, deltas, block stop, message_delta with usage, message_stop", async () => {
    const response = await fetch(`${up.sim.anthropicBaseURL}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "sk-ant-raw" },
      body: JSON.stringify({ ...ask("Hello"), stream: true }),
    });
    const events = parseSse(await response.text()) as Array<{ event: string; data: any }>;
    const names = events.map((event) => event.event);
    const deltas = names.filter((name) => name === "content_block_delta").length;
    expect(deltas).toBeGreaterThan(3);
    expect(names).toEqual(["message_start", "content_block_start", "ping", ...Array<string>(deltas).fill("content_block_delta"), "content_block_stop", "message_delta", "message_stop"]);
    for (const event of events) expect(event.data.type).toBe(event.event);
    expect(events[0]!.data.message).toMatchObject({ content: [], stop_reason: null, usage: { output_tokens: 1 } });
    expect(events.at(-2)!.data).toMatchObject({ delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: expect.any(Number), input_tokens: expect.any(Number) } });
  });

  test("messages.stream(): text events and a final message equal to the plain answer", async () => {
    const params = ask(`Explain ${SIM_MARKERS.long}`);
    const stream = up.anthropic.messages.stream(params);
    const deltas: string[] = [];
    stream.on("text", (delta) => deltas.push(delta));
    const final = await stream.finalMessage();
    const plain = await up.anthropic.messages.create(params);
    expect(deltas.length).toBeGreaterThan(50);
    expect(await stream.finalText()).toBe(deltas.join(""));
    expect(comparable(final)).toEqual(comparable(plain));
    expect(final.usage.output_tokens).toBeGreaterThanOrEqual(300);
  });

  test("tool use streams its input as input_json_delta pieces; parallel calls are separate blocks", async () => {
    const params = ask(`Look it up ${SIM_MARKERS.parallelToolCalls}`, { tools });
    const { items } = await drain(await up.anthropic.messages.create({ ...params, stream: true }));
    const starts = items.filter((event) => event.type === "content_block_start");
    expect(starts.map((event) => event.type === "content_block_start" && event.content_block)).toEqual([
      { type: "tool_use", id: expect.stringMatching(/^toolu_/), caller: { type: "direct" }, name: "lookup", input: {} },
      { type: "tool_use", id: expect.stringMatching(/^toolu_/), caller: { type: "direct" }, name: "count", input: {} },
    ]);
    const stream = up.anthropic.messages.stream(params);
    const pieces: string[] = [];
    stream.on("inputJson", (partial) => pieces.push(partial));
    const final = await stream.finalMessage();
    expect(pieces.length).toBeGreaterThan(2);
    expect(final.stop_reason).toBe("tool_use");
    expect(comparable(final)).toEqual(comparable(await up.anthropic.messages.create(params)));
    const forced = await up.anthropic.messages.stream(ask("Look it up", { tools, tool_choice: { type: "tool", name: "count" } })).finalMessage();
    expect(forced.content).toEqual([{ type: "tool_use", id: expect.any(String), caller: { type: "direct" }, name: "count", input: { n: 1 } }]);
  });

  test("thinking streams as thinking deltas and a signature before the answer", async () => {
    const params = ask("Think first", { thinking: { type: "enabled", budget_tokens: 1024 } });
    const stream = up.anthropic.messages.stream(params);
    const thoughts: string[] = [];
    const signatures: string[] = [];
    stream.on("thinking", (delta) => thoughts.push(delta));
    stream.on("signature", (signature) => signatures.push(signature));
    const final = await stream.finalMessage();
    expect(final.content.map((block) => block.type)).toEqual(["thinking", "text"]);
    expect(thoughts.join("")).toBe(final.content[0]!.type === "thinking" ? final.content[0]!.thinking : "");
    expect(signatures).toHaveLength(1);
    expect(comparable(final)).toEqual(comparable(await up.anthropic.messages.create(params)));
  });

  test("a refusal stops with stop_reason refusal and its stop details", async () => {
    const params = ask(`Do something bad ${SIM_MARKERS.refusal}`);
    const final = await up.anthropic.messages.stream(params).finalMessage();
    expect(final).toMatchObject({ stop_reason: "refusal", stop_details: { type: "refusal" } });
    expect(comparable(final)).toEqual(comparable(await up.anthropic.messages.create(params)));
  });

  test("a mid-stream error event rejects with the SDK's APIError; a cut with a connection error", async () => {
    const failing = up.anthropic.messages.stream(ask(`Break ${SIM_MARKERS.streamError}`));
    const error = await rejection(failing.finalMessage());
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: "error", error: { type: "overloaded_error" } });

    const fault = await drain(await up.anthropic.messages.create({ ...ask("Fail later"), stream: true }, { headers: { [SIM_HEADERS.errorAfter]: "4" } }));
    // The SDK drops `ping`, which counts as one of the four events on the wire.
    expect(fault.items).toHaveLength(3);
    expect(fault.error).toBeInstanceOf(Anthropic.APIError);

    const cut = up.anthropic.messages.stream(ask("Cut"), { headers: { [SIM_HEADERS.cutAfter]: "3" } });
    const cutError = await rejection(cut.finalMessage());
    expect(cutError).toBeInstanceOf(Error);
    expect(cutError).not.toBeInstanceOf(Anthropic.APIError);
  });
});
