/**
 * `POST /v1/responses`: a deterministic `Response` object, or the same answer as the
 * `response.*` event stream (named SSE events) that the SDK's stream helpers accumulate.
 *
 * @module
 */
import { sampleFromSchema } from "./json-schema.ts";
import { asObject, missingParameter, openaiError, openaiHeaders, openaiJson } from "./openai-wire.ts";
import { REFUSAL_TEXT, canonicalJson, estimateTokens, findMarkers, partialText, randomId, replyText, shortHash, streamPieces, truncateToTokens } from "./reply.ts";
import { jsonEvent } from "./sse.ts";
import type { SimRequest, SimResponse, SseEvent } from "./types.ts";

/** Handle `POST /v1/responses`. */
export function handleResponses(request: SimRequest): SimResponse {
  const body = asObject(request.body) ?? {};
  if (typeof body.model !== "string" || body.model === "") return missingParameter("model");
  if (body.input === undefined && body.previous_response_id === undefined) return missingParameter("input");
  const response = buildResponse(body, request.headers);
  if (body.stream === true) return { status: 200, headers: openaiHeaders(), events: responseEvents(response, response.fails) };
  if (response.fails) return openaiError(500, "The server had an error while processing your request. Sorry about that!");
  return openaiJson(response.json);
}

interface SimResponseObject {
  json: Record<string, unknown>;
  /** The text streamed as deltas, when the output is a message with text. */
  text: string | undefined;
  fails: boolean;
}

function buildResponse(body: Record<string, unknown>, headers: Record<string, string>): SimResponseObject {
  const model = String(body.model);
  const prompt = promptOf(body.input);
  const markers = findMarkers(prompt.lastUser);
  const { stream: _stream, ...params } = body;
  const reply = replyText({ model, prompt: prompt.lastUser, requestHash: shortHash(canonicalJson(params)) });
  const format = asObject(asObject(body.text)?.format);
  const tool = (Array.isArray(body.tools) ? body.tools.map(asObject) : []).find((t) => t?.type === "function");
  const messageId = randomId("msg_", 24);

  let status = "completed";
  let incomplete: Record<string, unknown> | null = null;
  let output: Record<string, unknown>[];
  let text: string | undefined;
  if (markers.has("refusal")) {
    output = [message(messageId, [{ type: "refusal", refusal: REFUSAL_TEXT }])];
  } else if (tool && (markers.has("toolCall") || body.tool_choice === "required")) {
    const args = JSON.stringify(sampleFromSchema(tool.parameters, prompt.lastUser));
    output = [{ id: randomId("fc_", 24), type: "function_call", status: "completed", arguments: args, call_id: randomId("call_", 24), name: String(tool.name) }];
  } else {
    text = reply;
    if (format?.type === "json_object") text = JSON.stringify({ answer: reply });
    if (format?.type === "json_schema") text = JSON.stringify(sampleFromSchema(format.schema, reply));
    if (format && format.type !== "text" && markers.has("invalidJson")) text = `Here is what you asked for: ${reply}`;
    const limit = typeof body.max_output_tokens === "number" ? body.max_output_tokens : undefined;
    if (markers.has("contentFilter")) {
      text = partialText(text);
      status = "incomplete";
      incomplete = { reason: "content_filter" };
    } else if (limit !== undefined && estimateTokens(text) > limit) {
      text = truncateToTokens(text, limit);
      status = "incomplete";
      incomplete = { reason: "max_output_tokens" };
    }
    output = [message(messageId, [{ type: "output_text", annotations: [], logprobs: [], text }])];
  }

  const inputTokens = prompt.tokens + (Array.isArray(body.tools) ? estimateTokens(JSON.stringify(body.tools)) : 0);
  const outputTokens = estimateTokens(JSON.stringify(output.map((item) => item.content ?? item.arguments)));
  const cached = Math.min(inputTokens, Math.max(0, Number.parseInt(headers["x-sim-cached-tokens"] ?? "0", 10) || 0));
  const json: Record<string, unknown> = {
    id: randomId("resp_", 40),
    object: "response",
    created_at: Math.floor(Date.now() / 1000),
    status,
    background: false,
    error: null,
    incomplete_details: incomplete,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model,
    output,
    parallel_tool_calls: true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: "default",
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: body.text ?? { format: { type: "text" }, verbosity: "medium" },
    tool_choice: body.tool_choice ?? "auto",
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: "disabled",
    usage: {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: cached },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: inputTokens + outputTokens,
    },
    user: null,
    metadata: body.metadata ?? {},
  };
  return { json, text, fails: markers.has("streamError") };
}

function message(id: string, content: unknown[]): Record<string, unknown> {
  return { id, type: "message", status: "completed", role: "assistant", content };
}

/** The named `response.*` events of a streamed response; a failing one stops halfway with an `error` event. */
function responseEvents(response: SimResponseObject, fails: boolean): SseEvent[] {
  let sequence = 0;
  const event = (type: string, data: Record<string, unknown>): SseEvent => jsonEvent({ type, sequence_number: sequence++, ...data }, type);
  const inProgress = { ...response.json, status: "in_progress", output: [], usage: null, incomplete_details: null };
  const events = [event("response.created", { response: inProgress }), event("response.in_progress", { response: inProgress })];
  const output = response.json.output as Record<string, unknown>[];
  for (const [index, item] of output.entries()) {
    const itemId = item.id;
    events.push(event("response.output_item.added", { output_index: index, item: { ...item, status: "in_progress", ...(item.type === "message" ? { content: [] } : { arguments: "" }) } }));
    if (item.type === "message" && response.text !== undefined) {
      const part = (item.content as Record<string, unknown>[])[0]!;
      events.push(event("response.content_part.added", { item_id: itemId, output_index: index, content_index: 0, part: { ...part, text: "" } }));
      const pieces = streamPieces(response.text);
      for (const [n, delta] of pieces.entries()) {
        if (fails && n === Math.ceil(pieces.length / 2)) {
          return [...events, event("error", { code: "server_error", message: "The server had an error while processing your request.", param: null })];
        }
        events.push(event("response.output_text.delta", { item_id: itemId, output_index: index, content_index: 0, delta, logprobs: [] }));
      }
      events.push(event("response.output_text.done", { item_id: itemId, output_index: index, content_index: 0, text: response.text, logprobs: [] }));
      events.push(event("response.content_part.done", { item_id: itemId, output_index: index, content_index: 0, part }));
    }
    events.push(event("response.output_item.done", { output_index: index, item }));
  }
  const final = response.json.status === "completed" ? "response.completed" : "response.incomplete";
  events.push(event(final, { response: response.json }));
  return events;
}

/** The last user turn's text (markers included) and a token estimate of the whole input. */
function promptOf(input: unknown): { lastUser: string; tokens: number } {
  if (typeof input === "string") return { lastUser: input, tokens: 3 + estimateTokens(input) };
  let lastUser = "";
  let all = "";
  let tokens = 3;
  for (const raw of Array.isArray(input) ? input : []) {
    const item = asObject(raw) ?? {};
    const text = partsText(item.content);
    tokens += 3 + estimateTokens(text) + mediaTokens(item.content);
    all += `${text}\n`;
    if (item.role === "user" && text !== "") lastUser = text;
  }
  return { lastUser: lastUser || all.trim(), tokens };
}

function partsText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => asObject(part))
    .filter((part) => typeof part?.text === "string")
    .map((part) => String(part!.text))
    .join("\n");
}

function mediaTokens(content: unknown): number {
  if (!Array.isArray(content)) return 0;
  return content.filter((part) => asObject(part)?.type === "input_image" || asObject(part)?.type === "input_file").length * 85;
}
