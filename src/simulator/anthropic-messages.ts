/**
 * `POST /anthropic/v1/messages`: a deterministic `Message`, or the same answer as the named
 * SSE events (`message_start` … `message_stop`) that the SDK's `MessageStream` accumulates.
 *
 * @module
 */
import { anthropicError, anthropicHeaders, anthropicJson } from "./anthropic.ts";
import { sampleFromSchema } from "./json-schema.ts";
import { asObject } from "./openai-wire.ts";
import { REFUSAL_TEXT, canonicalJson, estimateTokens, findMarkers, randomId, replyText, shortHash, streamPieces, truncateToTokens } from "./reply.ts";
import { jsonEvent } from "./sse.ts";
import type { SimRequest, SimResponse, SseEvent } from "./types.ts";

/** Handle `POST /v1/messages`. */
export function handleMessages(request: SimRequest): SimResponse {
  const body = asObject(request.body) ?? {};
  for (const field of ["model", "max_tokens", "messages"]) {
    if (body[field] === undefined) return anthropicError(400, `${field}: Field required`);
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) return anthropicError(400, "messages: at least one message is required");
  const message = buildMessage(body, request.headers);
  const fails = findMarkers(lastUserText(body.messages)).has("streamError");
  if (body.stream === true) return { status: 200, headers: anthropicHeaders(), events: messageEvents(message, fails) };
  if (fails) return anthropicError(500, "Internal server error");
  return anthropicJson(message);
}

function buildMessage(body: Record<string, unknown>, headers: Record<string, string>): Record<string, unknown> {
  const model = String(body.model);
  const messages = body.messages as unknown[];
  const prompt = lastUserText(messages);
  const markers = findMarkers(prompt);
  // Streaming and the end-user id (`metadata`) cannot change the answer, as with the real API.
  const { stream: _stream, metadata: _metadata, ...params } = body;
  const reply = replyText({ model, prompt, requestHash: shortHash(canonicalJson(params)) });
  const tools = Array.isArray(body.tools) ? body.tools.map(asObject).filter((tool) => typeof tool?.name === "string") : [];
  const choice = asObject(body.tool_choice);
  const forced = choice?.type === "any" || choice?.type === "tool";
  const tool = tools.find((t) => choice?.type !== "tool" || t?.name === choice.name);
  const format = asObject(asObject(body.output_config)?.format) ?? asObject(body.output_format);

  let content: Record<string, unknown>[];
  let stopReason = "end_turn";
  if (markers.has("refusal") || markers.has("contentFilter")) {
    content = [{ type: "text", text: REFUSAL_TEXT, citations: null }];
    stopReason = "refusal";
  } else if (tool && (forced || markers.has("toolCall"))) {
    content = [{ type: "tool_use", id: randomId("toolu_", 24), name: tool.name, input: sampleFromSchema(tool.input_schema, prompt) }];
    stopReason = "tool_use";
  } else {
    let text = format?.type === "json_schema" ? JSON.stringify(sampleFromSchema(format.schema, reply)) : reply;
    if (format && markers.has("invalidJson")) text = `Here is what you asked for: ${reply}`;
    const limit = Number(body.max_tokens);
    if (estimateTokens(text) > limit) {
      text = truncateToTokens(text, limit);
      stopReason = "max_tokens";
    }
    content = [{ type: "text", text, citations: null }];
  }

  const system = typeof body.system === "string" ? body.system : JSON.stringify(body.system ?? "");
  const total = 3 + estimateTokens(JSON.stringify(messages)) + estimateTokens(system) + (tools.length > 0 ? estimateTokens(JSON.stringify(tools)) : 0);
  const cached = Math.min(total, Math.max(0, Number.parseInt(headers["x-sim-cached-tokens"] ?? "0", 10) || 0));
  return {
    id: randomId("msg_", 24),
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: {
      // `x-sim-prompt-tokens` sends its text instead, as some compatible servers do ("n/a").
      input_tokens: headers["x-sim-prompt-tokens"] ?? total - cached,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: cached,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      output_tokens: estimateTokens(JSON.stringify(content.map((block) => block.text ?? block.input))),
      server_tool_use: null,
      service_tier: "standard",
    },
  };
}

/** The named events of a streamed message; a failing one stops halfway with an `error` event. */
function messageEvents(message: Record<string, unknown>, fails: boolean): SseEvent[] {
  const event = (type: string, data: Record<string, unknown> = {}): SseEvent => jsonEvent({ type, ...data }, type);
  const usage = message.usage as Record<string, unknown>;
  const events = [
    event("message_start", { message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } }),
    event("ping"),
  ];
  for (const [index, block] of (message.content as Record<string, unknown>[]).entries()) {
    const isText = block.type === "text";
    events.push(event("content_block_start", { index, content_block: isText ? { ...block, text: "" } : { ...block, input: {} } }));
    const pieces = isText ? streamPieces(String(block.text)) : [JSON.stringify(block.input)];
    for (const [n, piece] of pieces.entries()) {
      if (fails && n === Math.ceil(pieces.length / 2)) {
        return [...events, event("error", { error: { type: "overloaded_error", message: "Overloaded" } })];
      }
      events.push(event("content_block_delta", { index, delta: isText ? { type: "text_delta", text: piece } : { type: "input_json_delta", partial_json: piece } }));
    }
    events.push(event("content_block_stop", { index }));
  }
  events.push(event("message_delta", { delta: { stop_reason: message.stop_reason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } }));
  events.push(event("message_stop"));
  return events;
}

/** Text of the last user turn with text, markers included. */
function lastUserText(messages: unknown[]): string {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = asObject(messages[index]);
    if (message?.role !== "user") continue;
    const content = message.content;
    const text = typeof content === "string" ? content : Array.isArray(content) ? content.map((block) => String(asObject(block)?.text ?? "")).join("") : "";
    if (text !== "") return text;
  }
  return "";
}
