/**
 * Streamed messages (`stream: true`, `messages.stream()`): named events from `message_start` to
 * `message_stop`, assembled into the message a plain call gets as the SDK's `MessageStream`
 * assembles it, and synthesised back from a stored message.
 *
 * @module
 */
import type { StreamedMethod, StreamEvent } from "./adapter.ts";
import { eventJson, jsonEvent } from "./sse-json.ts";
import { isRecord } from "./text.ts";

type Block = Record<string, unknown>;

/** The message the events add up to; tool input is parsed from its JSON pieces at the block's end. */
function assembleMessage(events: readonly StreamEvent[]): Record<string, unknown> | undefined {
  let message: (Record<string, unknown> & { content: Block[]; usage: Record<string, unknown> }) | undefined;
  const toolJson = new Map<number, string>();
  for (const event of events) {
    const data = eventJson(event);
    if (!data) continue;
    if (data.type === "message_start" && isRecord(data.message)) {
      message = { ...data.message, content: [], usage: isRecord(data.message.usage) ? { ...data.message.usage } : {} } as typeof message;
      continue;
    }
    if (!message) continue;
    const index = Number(data.index ?? 0);
    switch (data.type) {
      case "content_block_start":
        if (isRecord(data.content_block)) message.content[index] = { ...data.content_block };
        break;
      case "content_block_delta": {
        const block = message.content[index];
        const delta = isRecord(data.delta) ? data.delta : {};
        if (!block) break;
        if (delta.type === "text_delta") block.text = String(block.text ?? "") + String(delta.text ?? "");
        else if (delta.type === "citations_delta") block.citations = [...(Array.isArray(block.citations) ? block.citations : []), delta.citation];
        else if (delta.type === "thinking_delta") block.thinking = String(block.thinking ?? "") + String(delta.thinking ?? "");
        else if (delta.type === "signature_delta") block.signature = delta.signature;
        else if (delta.type === "input_json_delta") toolJson.set(index, (toolJson.get(index) ?? "") + String(delta.partial_json ?? ""));
        break;
      }
      case "content_block_stop": {
        const block = message.content[index];
        const json = toolJson.get(index);
        if (block && json !== undefined) block.input = json === "" ? {} : (JSON.parse(json) as unknown);
        break;
      }
      case "message_delta": {
        const delta = isRecord(data.delta) ? data.delta : {};
        message.stop_reason = delta.stop_reason ?? null;
        message.stop_sequence = delta.stop_sequence ?? null;
        if ("stop_details" in delta) message.stop_details = delta.stop_details;
        if (delta.container != null) message.container = delta.container;
        // Counters are whole-message totals, omitted when they do not apply: overwrite, never add.
        if (isRecord(data.usage)) for (const [name, value] of Object.entries(data.usage)) if (value != null) message.usage[name] = value;
        break;
      }
    }
  }
  return message;
}

/** The events of a stream answering with `message`: its start, each block in one delta, its stop reason and usage. */
function synthesiseMessage(message: Record<string, unknown>): StreamEvent[] {
  const event = (type: string, data: Record<string, unknown> = {}) => jsonEvent({ type, ...data }, type);
  const usage = isRecord(message.usage) ? message.usage : {};
  const { _request_id: _id, ...stored } = message;
  const events = [event("message_start", { message: { ...stored, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 0 } } })];
  const blocks = Array.isArray(message.content) ? (message.content as Block[]) : [];
  for (const [index, block] of blocks.entries()) {
    if (block.type === "text") {
      const { text = "", citations, ...rest } = block;
      events.push(event("content_block_start", { index, content_block: { ...rest, text: "" } }));
      if (text !== "") events.push(event("content_block_delta", { index, delta: { type: "text_delta", text } }));
      for (const citation of Array.isArray(citations) ? citations : []) events.push(event("content_block_delta", { index, delta: { type: "citations_delta", citation } }));
    } else if (block.type === "thinking") {
      events.push(event("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } }));
      events.push(event("content_block_delta", { index, delta: { type: "thinking_delta", thinking: block.thinking ?? "" } }));
      events.push(event("content_block_delta", { index, delta: { type: "signature_delta", signature: block.signature ?? "" } }));
    } else if ("input" in block) {
      events.push(event("content_block_start", { index, content_block: { ...block, input: {} } }));
      events.push(event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input) } }));
    } else {
      events.push(event("content_block_start", { index, content_block: block }));
    }
    events.push(event("content_block_stop", { index }));
  }
  const delta: Record<string, unknown> = { stop_reason: message.stop_reason ?? null, stop_sequence: message.stop_sequence ?? null };
  if ("stop_details" in message) delta.stop_details = message.stop_details;
  events.push(event("message_delta", { delta, usage }));
  events.push(event("message_stop"));
  return events;
}

/** Anthropic message streams. */
export const messageStream: StreamedMethod = {
  streams: (params) => params.stream === true,
  isComplete(events) {
    let stopped = false;
    for (const event of events) {
      if (event.event === "error") return false;
      if (event.event === "message_stop") stopped = true;
    }
    return stopped;
  },
  assemble: (events) => assembleMessage(events),
  synthesise: (response) => (isRecord(response) ? synthesiseMessage(response) : []),
};
