/**
 * `POST /v1/responses`: a deterministic `Response` object, or the same answer as the
 * `response.*` event stream (see `openai-responses-stream.ts`).
 *
 * @module
 */
import { SIM_HEADERS, headerNumber } from "./headers.ts";
import { sampleFromSchema } from "./json-schema.ts";
import { asObject, missingParameter, openaiError, openaiHeaders, openaiJson } from "./openai-wire.ts";
import { responseEvents, responseStreamFailure } from "./openai-responses-stream.ts";
import {
  REFUSAL_TEXT,
  canonicalJson,
  estimateTokens,
  findMarkers,
  partialText,
  randomId,
  replyText,
  requestedLength,
  shortHash,
  truncateToTokens,
} from "./reply.ts";
import { sseAnswer } from "./sse.ts";
import { tokenLogprobs } from "./tokens.ts";
import type { SimRequest, SimResponse } from "./types.ts";

/** Handle `POST /v1/responses`. */
export function handleResponses(request: SimRequest): SimResponse {
  const body = asObject(request.body) ?? {};
  if (typeof body.model !== "string" || body.model === "") return missingParameter("model");
  if (body.input === undefined && body.previous_response_id === undefined) return missingParameter("input");
  const response = buildResponse(body, request.headers);
  if (body.stream === true) {
    const obfuscate = asObject(body.stream_options)?.include_obfuscation !== false;
    const events = responseEvents(response.json, { obfuscate, logprobs: response.logprobs });
    return sseAnswer(events, (sent) => responseStreamFailure(response.json, sent), { fails: response.fails, headers: openaiHeaders() });
  }
  if (response.fails) return openaiError(500, "The server had an error while processing your request. Sorry about that!");
  return openaiJson(response.json);
}

interface SimResponseObject {
  json: Record<string, unknown>;
  /** `top_logprobs` asked for with `include: ["message.output_text.logprobs"]`; `undefined` when not. */
  logprobs: number | undefined;
  fails: boolean;
}

function buildResponse(body: Record<string, unknown>, headers: Record<string, string>): SimResponseObject {
  const model = String(body.model);
  const prompt = promptOf(body.input);
  const markers = findMarkers(prompt.lastUser);
  const { stream: _stream, stream_options: _options, ...params } = body;
  const reply = replyText({ model, prompt: prompt.lastUser, requestHash: shortHash(canonicalJson(params)), minTokens: requestedLength(markers, headers) });
  const format = asObject(asObject(body.text)?.format);
  const functions = (Array.isArray(body.tools) ? body.tools.map(asObject) : []).filter((t): t is Record<string, unknown> => t?.type === "function");
  const calls = markers.has("parallelToolCalls") && body.parallel_tool_calls !== false ? functions : functions.slice(0, 1);
  const include = Array.isArray(body.include) ? body.include : [];
  const logprobs = include.includes("message.output_text.logprobs") ? (typeof body.top_logprobs === "number" ? body.top_logprobs : 0) : undefined;

  let status = "completed";
  let incomplete: Record<string, unknown> | null = null;
  let output: Record<string, unknown>[];
  if (markers.has("refusal")) {
    output = [message([{ type: "refusal", refusal: REFUSAL_TEXT }], "completed")];
  } else if (calls.length > 0 && (markers.has("toolCall") || markers.has("parallelToolCalls") || body.tool_choice === "required")) {
    output = calls.map((tool) => ({
      id: randomId("fc_", 24),
      type: "function_call",
      status: "completed",
      arguments: JSON.stringify(sampleFromSchema(tool.parameters, prompt.lastUser)),
      call_id: randomId("call_", 24),
      name: String(tool.name),
    }));
  } else {
    let text = reply;
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
    const part = { type: "output_text", annotations: [], logprobs: logprobs === undefined ? [] : tokenLogprobs(text, logprobs), text };
    output = [message([part], status === "completed" ? "completed" : "incomplete")];
  }

  const inputTokens = prompt.tokens + (Array.isArray(body.tools) ? estimateTokens(JSON.stringify(body.tools)) : 0);
  const outputTokens = estimateTokens(JSON.stringify(output.map((item) => item.content ?? item.arguments)));
  const cached = Math.min(inputTokens, headerNumber(headers, SIM_HEADERS.cachedTokens) ?? 0);
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
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: "default",
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: body.text ?? { format: { type: "text" }, verbosity: "medium" },
    tool_choice: body.tool_choice ?? "auto",
    tools: body.tools ?? [],
    top_logprobs: body.top_logprobs ?? 0,
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
  return { json, logprobs, fails: markers.has("streamError") };
}

function message(content: unknown[], status: string): Record<string, unknown> {
  return { id: randomId("msg_", 24), type: "message", status, role: "assistant", content };
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
