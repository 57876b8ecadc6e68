/**
 * An Anthropic `Message` as the named SSE events the real API streams: `message_start` (usage
 * with the input counts), per content block `content_block_start`, its deltas (`text_delta`,
 * `thinking_delta` then `signature_delta`, or `input_json_delta` pieces) and
 * `content_block_stop`, a `ping` after the first block starts, then `message_delta` with the
 * stop reason and the final usage, and `message_stop`.
 *
 * @module
 */
import { jsonEvent } from "./sse.ts";
import { streamPieces } from "./tokens.ts";
import type { SseEvent } from "./types.ts";

type Block = Record<string, unknown>;

/** The events of a streamed message whose final state is `message`. */
export function messageEvents(message: Record<string, unknown>): SseEvent[] {
  const event = (type: string, data: Record<string, unknown> = {}): SseEvent => jsonEvent({ type, ...data }, type);
  const usage = message.usage as Record<string, unknown>;
  const events = [
    event("message_start", {
      message: { ...message, content: [], stop_reason: null, stop_sequence: null, stop_details: null, usage: { ...usage, output_tokens: 1 } },
    }),
  ];
  for (const [index, block] of (message.content as Block[]).entries()) {
    events.push(event("content_block_start", { index, content_block: emptyBlock(block) }));
    if (index === 0) events.push(event("ping"));
    for (const delta of blockDeltas(block)) events.push(event("content_block_delta", { index, delta }));
    events.push(event("content_block_stop", { index }));
  }
  events.push(
    event("message_delta", {
      delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence, stop_details: message.stop_details ?? null },
      usage: {
        input_tokens: usage.input_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens,
        cache_read_input_tokens: usage.cache_read_input_tokens,
        output_tokens: usage.output_tokens,
      },
    }),
  );
  events.push(event("message_stop"));
  return events;
}

/** What the API sends when a generation fails mid-stream: an `error` event, then nothing. */
export function messageStreamFailure(): SseEvent[] {
  return [jsonEvent({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, "error")];
}

/** A block as `content_block_start` announces it, before any delta. */
function emptyBlock(block: Block): Block {
  if (block.type === "text") return { ...block, text: "" };
  if (block.type === "thinking") return { type: "thinking", thinking: "", signature: "" };
  return { ...block, input: {} };
}

function blockDeltas(block: Block): Block[] {
  if (block.type === "text") return streamPieces(String(block.text)).map((text) => ({ type: "text_delta", text }));
  if (block.type === "thinking") {
    const thinking = streamPieces(String(block.thinking)).map((piece) => ({ type: "thinking_delta", thinking: piece }));
    return [...thinking, { type: "signature_delta", signature: block.signature }];
  }
  // Tool input arrives as JSON text in pieces, the first one empty, as the API sends it.
  const json = JSON.stringify(block.input);
  return ["", ...streamPieces(json)].map((partial_json) => ({ type: "input_json_delta", partial_json }));
}
