/**
 * `POST /anthropic/v1/messages`: a deterministic `Message`, or the same answer as the named
 * SSE events (see `anthropic-messages-stream.ts`). A request with `thinking` enabled gets a
 * thinking block (with its signature) before the answer.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { anthropicError, anthropicHeaders, anthropicJson } from "./anthropic.ts";
import { messageEvents, messageStreamFailure } from "./anthropic-messages-stream.ts";
import { SIM_HEADERS, headerNumber } from "./headers.ts";
import { sampleFromSchema } from "./json-schema.ts";
import { asObject } from "./openai-wire.ts";
import { REFUSAL_TEXT, canonicalJson, estimateTokens, findMarkers, randomId, replyText, requestedLength, shortHash, truncateToTokens } from "./reply.ts";
import { sseAnswer } from "./sse.ts";
import type { SimRequest, SimResponse } from "./types.ts";

/** Handle `POST /v1/messages`. */
export function handleMessages(request: SimRequest): SimResponse {
  const body = asObject(request.body) ?? {};
  for (const field of ["model", "max_tokens", "messages"]) {
    if (body[field] === undefined) return anthropicError(400, `${field}: Field required`);
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) return anthropicError(400, "messages: at least one message is required");
  const message = buildMessage(body, request.headers);
  const fails = findMarkers(lastUserText(body.messages)).has("streamError");
  if (body.stream === true) {
    const events = messageEvents(message);
    return sseAnswer(events, messageStreamFailure, { fails, headers: anthropicHeaders() });
  }
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
  const requestHash = shortHash(canonicalJson(params));
  const reply = replyText({ model, prompt, requestHash, minTokens: requestedLength(markers, headers) });
  const tools = Array.isArray(body.tools) ? body.tools.map(asObject).filter((tool): tool is Record<string, unknown> => typeof tool?.name === "string") : [];
  const choice = asObject(body.tool_choice);
  const forced = choice?.type === "any" || choice?.type === "tool";
  const named = tools.filter((t) => choice?.type !== "tool" || t.name === choice.name);
  const parallel = markers.has("parallelToolCalls") && choice?.type !== "tool" && choice?.disable_parallel_tool_use !== true;
  const calls = parallel ? named : named.slice(0, 1);
  const format = asObject(asObject(body.output_config)?.format) ?? asObject(body.output_format);
  const thinking = thinkingBlock(body, prompt, requestHash);

  let content: Record<string, unknown>[];
  let stopReason = "end_turn";
  let stopDetails: Record<string, unknown> | null = null;
  if (markers.has("refusal") || markers.has("contentFilter")) {
    content = [{ type: "text", text: REFUSAL_TEXT, citations: null }];
    stopReason = "refusal";
    stopDetails = { type: "refusal", category: null, explanation: null };
  } else if (calls.length > 0 && (forced || markers.has("toolCall") || parallel)) {
    // `caller` says who asked for the call: the model itself here, not a server-side tool.
    content = calls.map((tool) => ({ type: "tool_use", id: randomId("toolu_", 24), caller: { type: "direct" }, name: tool.name, input: sampleFromSchema(tool.input_schema, prompt) }));
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
  if (thinking && stopReason !== "refusal") content.unshift(thinking);

  const system = typeof body.system === "string" ? body.system : JSON.stringify(body.system ?? "");
  const total = 3 + estimateTokens(JSON.stringify(messages)) + estimateTokens(system) + (tools.length > 0 ? estimateTokens(JSON.stringify(tools)) : 0);
  const cached = Math.min(total, headerNumber(headers, SIM_HEADERS.cachedTokens) ?? 0);
  const written = Math.min(total - cached, headerNumber(headers, SIM_HEADERS.cacheWriteTokens) ?? 0);
  return {
    id: randomId("msg_", 24),
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    stop_details: stopDetails,
    usage: {
      // `x-sim-prompt-tokens` sends its text instead, as some compatible servers do ("n/a").
      input_tokens: headers["x-sim-prompt-tokens"] ?? total - cached - written,
      cache_creation_input_tokens: written,
      cache_read_input_tokens: cached,
      cache_creation: { ephemeral_5m_input_tokens: written, ephemeral_1h_input_tokens: 0 },
      output_tokens: estimateTokens(JSON.stringify(content.map((block) => block.text ?? block.thinking ?? block.input))),
      server_tool_use: null,
      service_tier: "standard",
    },
  };
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

/** The thinking block of a request with `thinking` enabled (or adaptive), else `undefined`. */
function thinkingBlock(body: Record<string, unknown>, prompt: string, requestHash: string): Record<string, unknown> | undefined {
  const type = asObject(body.thinking)?.type;
  if (type !== "enabled" && type !== "adaptive") return undefined;
  const quote = prompt.replace(/\s+/g, " ").trim().slice(0, 60);
  const thinking = `The user asks "${quote}". A short, direct answer fits; request ${requestHash} always gets the same one.`;
  // Real signatures are opaque base64; this one is stable per request, like the answer.
  const signature = createHash("sha512").update(`${requestHash}:${thinking}`).digest("base64");
  return { type: "thinking", thinking, signature };
}
