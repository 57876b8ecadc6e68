/**
 * `POST /v1/chat/completions`: a deterministic `ChatCompletion`, or the same answer as a
 * stream of `chat.completion.chunk` events that the SDK reassembles to identical content.
 *
 * @module
 */
import { sampleFromSchema } from "./json-schema.ts";
import { asObject, missingParameter, openaiError, openaiHeaders, openaiJson } from "./openai-wire.ts";
import { SIM_HEADERS, headerNumber } from "./headers.ts";
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
  stripMarkers,
  truncateToTokens,
} from "./reply.ts";
import { chatCompletionEvents, chatStreamFailure } from "./openai-chat-stream.ts";
import { sseAnswer } from "./sse.ts";
import { tokenLogprobs } from "./tokens.ts";
import type { SimMarker } from "./reply.ts";
import type { SimRequest, SimResponse } from "./types.ts";

type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

/** One function call the simulated model makes. */
export interface SimToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** One generated choice, before it is shaped as a message or as chunks. */
export interface SimChoice {
  content: string | null;
  refusal: string | null;
  toolCalls: SimToolCall[] | undefined;
  finishReason: FinishReason;
}

/** Everything both the JSON and the streaming answer are built from. */
export interface ChatAnswer {
  id: string;
  created: number;
  model: string;
  systemFingerprint: string;
  choices: SimChoice[];
  usage: Record<string, unknown>;
  /** Set by the `[sim:stream-error]` marker. */
  fails: boolean;
}

// Rough per-part costs of non-text inputs; the real API's numbers vary by size and detail.
const MEDIA_TOKENS: Record<string, number> = { image_url: 85, input_audio: 50, file: 100 };

/** Handle `POST /v1/chat/completions`. */
export function handleChatCompletions(request: SimRequest): SimResponse {
  const body = asObject(request.body) ?? {};
  if (typeof body.model !== "string" || body.model === "") return missingParameter("model");
  if (!Array.isArray(body.messages)) return missingParameter("messages");
  if (body.messages.length === 0) {
    return openaiError(400, "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", {
      param: "messages",
      code: "empty_array",
    });
  }
  if (body.stream_options != null && body.stream !== true) {
    return openaiError(400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.", { param: "stream_options" });
  }

  const answer = buildAnswer(body, body.model, body.messages, request.headers);
  const logprobs = body.logprobs === true ? (typeof body.top_logprobs === "number" ? body.top_logprobs : 0) : undefined;
  if (body.stream === true) {
    const options = asObject(body.stream_options) ?? {};
    const events = chatCompletionEvents(answer, {
      includeUsage: options.include_usage === true,
      obfuscate: options.include_obfuscation !== false,
      logprobs,
    });
    return sseAnswer(events, chatStreamFailure, { fails: answer.fails, headers: openaiHeaders() });
  }
  if (answer.fails) return openaiError(500, "The server had an error while processing your request. Sorry about that!");
  return openaiJson(toCompletion(answer, logprobs));
}

function buildAnswer(body: Record<string, unknown>, model: string, messages: unknown[], headers: Record<string, string>): ChatAnswer {
  const prompt = promptOf(messages);
  const markers = findMarkers(prompt.lastUser);
  const requestHash = shortHash(canonicalJson(answerFields(body)));
  const n = typeof body.n === "number" && body.n > 1 ? Math.floor(body.n) : 1;
  const limit = firstNumber(body.max_completion_tokens, body.max_tokens);
  const format = asObject(body.response_format);
  const tools = pickTools(body, markers);
  const minTokens = requestedLength(markers, headers);

  const choices: SimChoice[] = [];
  for (let index = 0; index < n; index++) {
    const reply = replyText({ model, prompt: prompt.lastUser, requestHash, variant: index, minTokens });
    if (markers.has("refusal")) {
      choices.push({ content: null, refusal: REFUSAL_TEXT, toolCalls: undefined, finishReason: "stop" });
    } else if (tools.length > 0) {
      const calls = tools.map((tool): SimToolCall => ({
        id: randomId("call_", 24),
        type: "function",
        function: { name: tool.name, arguments: JSON.stringify(sampleFromSchema(tool.parameters, stripMarkers(prompt.lastUser))) },
      }));
      choices.push({ content: null, refusal: null, toolCalls: calls, finishReason: "tool_calls" });
    } else {
      let content = format ? structuredContent(format, reply, markers.has("invalidJson")) : reply;
      let finishReason: FinishReason = "stop";
      if (markers.has("contentFilter")) {
        content = partialText(content);
        finishReason = "content_filter";
      } else if (limit !== undefined && estimateTokens(content) > limit) {
        content = truncateToTokens(content, limit);
        finishReason = "length";
      }
      choices.push({ content, refusal: null, toolCalls: undefined, finishReason });
    }
  }

  const promptTokens = prompt.tokens + (Array.isArray(body.tools) ? estimateTokens(JSON.stringify(body.tools)) : 0);
  const reasoningTokens = headerNumber(headers, SIM_HEADERS.reasoningTokens) ?? 0;
  const completionTokens = reasoningTokens + choices.reduce((sum, c) => sum + estimateTokens(c.content ?? c.refusal ?? c.toolCalls?.map((call) => call.function.arguments).join("") ?? ""), 0);
  const cached = Math.min(promptTokens, headerNumber(headers, SIM_HEADERS.cachedTokens) ?? 0);
  return {
    id: randomId("chatcmpl-"),
    created: Math.floor(Date.now() / 1000),
    model,
    systemFingerprint: `fp_${shortHash(model, 10)}`,
    choices,
    usage: {
      // `x-sim-prompt-tokens` sends its text instead, as some OpenAI-compatible servers do ("n/a").
      prompt_tokens: headers["x-sim-prompt-tokens"] ?? promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    fails: markers.has("streamError"),
  };
}

/** `logprobs` is the number of `top_logprobs` asked for, or `undefined` when logprobs are off. */
function toCompletion(answer: ChatAnswer, logprobs: number | undefined): Record<string, unknown> {
  return {
    id: answer.id,
    object: "chat.completion",
    created: answer.created,
    model: answer.model,
    choices: answer.choices.map((choice, index) => ({
      index,
      message: {
        role: "assistant",
        content: choice.content,
        refusal: choice.refusal,
        ...(choice.toolCalls ? { tool_calls: choice.toolCalls } : {}),
        annotations: [],
      },
      logprobs: logprobs === undefined || choice.toolCalls ? null : choiceLogprobs(choice, logprobs),
      finish_reason: choice.finishReason,
    })),
    usage: answer.usage,
    service_tier: "default",
    system_fingerprint: answer.systemFingerprint,
  };
}

/** The `logprobs` of a text or refusal choice, as the stream's deltas add up to. */
function choiceLogprobs(choice: SimChoice, top: number): Record<string, unknown> {
  return {
    content: choice.content === null ? null : tokenLogprobs(choice.content, top),
    refusal: choice.refusal === null ? null : tokenLogprobs(choice.refusal, top),
  };
}

function structuredContent(format: Record<string, unknown>, reply: string, invalid: boolean): string {
  if (format.type !== "json_object" && format.type !== "json_schema") return reply;
  if (invalid) return `Here is what you asked for: ${reply}`;
  if (format.type === "json_object") return JSON.stringify({ answer: reply });
  return JSON.stringify(sampleFromSchema(asObject(format.json_schema)?.schema, reply));
}

/**
 * The functions the model calls: none unless tools are offered and a call is asked for (marker)
 * or forced (`tool_choice`); every offered one for `[sim:parallel-tool-calls]` unless
 * `parallel_tool_calls` is false; else the named or the first one.
 */
function pickTools(body: Record<string, unknown>, markers: Set<SimMarker>): Array<{ name: string; parameters: unknown }> {
  const tools = Array.isArray(body.tools) ? body.tools.map(asObject) : [];
  const functions = tools
    .map((t) => asObject(t?.function))
    .filter((f): f is Record<string, unknown> => typeof f?.name === "string")
    .map((f) => ({ name: String(f.name), parameters: f.parameters }));
  const choice = body.tool_choice;
  if (functions.length === 0 || choice === "none") return [];
  const named = asObject(asObject(choice)?.function)?.name;
  const parallel = markers.has("parallelToolCalls");
  if (!parallel && !markers.has("toolCall") && choice !== "required" && named === undefined) return [];
  if (parallel && named === undefined && body.parallel_tool_calls !== false) return functions;
  return [functions.find((f) => f.name === named) ?? functions[0]!];
}

function promptOf(messages: unknown[]): { lastUser: string; tokens: number } {
  let tokens = 3;
  let lastUser: string | undefined;
  let all = "";
  for (const raw of messages) {
    const message = asObject(raw) ?? {};
    const { text, media } = contentText(message.content);
    tokens += 3 + estimateTokens(text) + media;
    all += `${text}\n`;
    if (message.role === "user") lastUser = text;
  }
  return { lastUser: lastUser ?? all.trim(), tokens };
}

/** Text of a string or an array of content parts, plus the token cost of non-text parts. */
function contentText(content: unknown): { text: string; media: number } {
  if (typeof content === "string") return { text: content, media: 0 };
  if (!Array.isArray(content)) return { text: "", media: 0 };
  const texts: string[] = [];
  let media = 0;
  for (const raw of content) {
    const part = asObject(raw) ?? {};
    if (part.type === "text" && typeof part.text === "string") texts.push(part.text);
    else if (part.type === "refusal" && typeof part.refusal === "string") texts.push(part.refusal);
    else media += MEDIA_TOKENS[String(part.type)] ?? 0;
  }
  return { text: texts.join("\n"), media };
}

function firstNumber(...values: unknown[]): number | undefined {
  return values.find((v): v is number => typeof v === "number");
}

/** Fields that cannot change the answer, as with the real API: streaming, end-user ids, prompt-cache routing, stored-completion tags. */
const NOT_ANSWER_FIELDS = new Set(["stream", "stream_options", "user", "safety_identifier", "prompt_cache_key", "prompt_cache_retention", "metadata"]);

function answerFields(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([field]) => !NOT_ANSWER_FIELDS.has(field)));
}
