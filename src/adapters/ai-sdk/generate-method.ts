import SuperJSON, { type SuperJSONResult } from "superjson";
import type { CachedMethod } from "../../providers/adapter.ts";
import { parsesAsJson } from "../../providers/json.ts";
import { chatSemanticParts } from "../../providers/semantic-parts.ts";
import { contentText, isRecord, lastUserText } from "../../providers/text.ts";
import type { PromptType, TokenUsage } from "../../types.ts";

/**
 * Call options that cannot change what the model answers: the caller's abort signal, HTTP
 * headers (credentials, tracing) and whether raw provider chunks ride along a stream. Everything
 * else the AI SDK passes (prompt, settings, tools, tool choice, response format, provider
 * options, and options a later version adds) enters the key.
 */
const UNKEYED_OPTIONS = new Set(["abortSignal", "headers", "includeRawChunks"]);

/** The `providerOptions` namespace that carries ecoai's own per-call options; no provider reads it. */
export const ECOAI_PROVIDER_OPTIONS = "ecoai";

/** Finish reasons of a real answer; a filtered, failed or interrupted generation is never stored. */
const ANSWER_FINISH_REASONS = new Set(["stop", "length", "tool-calls"]);

/**
 * The request as the engine keys it: the model's provider and id, where its provider sends
 * requests, and every call option that can change the output.
 */
export interface AiSdkRequest extends Record<string, unknown> {
  /** `model.provider`, e.g. `openai.responses`. */
  provider: string;
  /** `model.modelId`, e.g. `gpt-4o`. */
  modelId: string;
  /** The call options, without those in {@link UNKEYED_OPTIONS} and ecoai's own provider options. */
  options: Record<string, unknown>;
  /** A `doStream` call: same key as `doGenerate`, so one entry serves both. */
  streamed?: boolean;
  /** The caller asked for raw provider chunks in its stream (not in the key). */
  rawChunks?: boolean;
}

/** The part of the AI SDK's call options that enters the key. */
export function keyedCallOptions(options: Record<string, unknown>): Record<string, unknown> {
  const keyed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) if (!UNKEYED_OPTIONS.has(name)) keyed[name] = value;
  if (isRecord(keyed.providerOptions) && ECOAI_PROVIDER_OPTIONS in keyed.providerOptions) {
    const { [ECOAI_PROVIDER_OPTIONS]: _ecoai, ...providerOptions } = keyed.providerOptions;
    keyed.providerOptions = Object.keys(providerOptions).length > 0 ? providerOptions : undefined;
  }
  return keyed;
}

/**
 * A result as stored: JSON with what JSON cannot hold (`response.timestamp` and other dates,
 * file bytes, `undefined` fields) described beside it, so the result comes back exactly as it was.
 */
export type EncodedResult = SuperJSONResult;

export function encodeResult(result: unknown): EncodedResult {
  return SuperJSON.serialize(result);
}

/**
 * The result an encoded one describes. `fresh`: the encoded value was just parsed from its JSON
 * and is used for nothing else, so it is restored in place rather than copied first.
 */
export function decodeResult<T>(encoded: EncodedResult, fresh = false): T {
  return SuperJSON.deserialize<T>(encoded, { inPlace: fresh });
}

/** The JSON half of a stored result, when it has the shape of a generate result. */
function resultJson(encoded: unknown): Record<string, unknown> | undefined {
  if (!isRecord(encoded) || !isRecord(encoded.json)) return undefined;
  const json = encoded.json;
  return Array.isArray(json.content) && isRecord(json.finishReason) && isRecord(json.usage) ? json : undefined;
}

function promptOf(params: Record<string, unknown>): unknown[] {
  const options = params.options as Record<string, unknown>;
  return Array.isArray(options.prompt) ? options.prompt : [];
}

/** The kind of prompt, first match wins: structured > tool > file > audio > image > text. */
function aiSdkPromptType(params: Record<string, unknown>): PromptType {
  const options = params.options as Record<string, unknown>;
  if (isRecord(options.responseFormat) && options.responseFormat.type === "json") return "structured";
  // The AI SDK sends a tool choice with every call; without tools it asks for nothing.
  if (Array.isArray(options.tools) && options.tools.length > 0) return "tool";
  const media = promptOf(params).flatMap((message) =>
    isRecord(message) && Array.isArray(message.content) ? message.content.filter((part) => isRecord(part) && part.type === "file").map((part) => String((part as { mediaType?: unknown }).mediaType ?? "")) : [],
  );
  if (media.some((type) => !type.startsWith("image/") && !type.startsWith("audio/"))) return "file";
  if (media.some((type) => type.startsWith("audio/"))) return "audio";
  if (media.length > 0) return "image";
  return "text";
}

/** Input, cached input and output tokens of a result's (or a stream's `finish` part's) usage. */
export function aiSdkUsage(usage: unknown): TokenUsage {
  const input = isRecord(usage) && isRecord(usage.inputTokens) ? usage.inputTokens : {};
  const output = isRecord(usage) && isRecord(usage.outputTokens) ? usage.outputTokens : {};
  const count = (value: unknown) => (typeof value === "number" ? value : 0);
  return { inputTokens: count(input.total), cachedInputTokens: count(input.cacheRead), outputTokens: count(output.total) };
}

/** Whether a finish reason and the text of the answer make a real answer for `params`. */
export function isAiSdkAnswer(finishReason: unknown, text: string, params: Record<string, unknown>): boolean {
  if (!isRecord(finishReason) || !ANSWER_FINISH_REASONS.has(String(finishReason.unified))) return false;
  const options = params.options as Record<string, unknown>;
  // Structured output (generateObject, Output.object) that does not parse is a failed generation.
  return !(isRecord(options.responseFormat) && options.responseFormat.type === "json") || parsesAsJson(text);
}

/**
 * What the engine needs to know about a language model's `doGenerate` call, whose params are an
 * {@link AiSdkRequest} and whose responses are {@link EncodedResult}s.
 */
export const AI_SDK_GENERATE: CachedMethod = {
  path: ["doGenerate"],
  endpoint: "ai-sdk.generate",
  bypass: () => false,
  model: (params) => String(params.modelId),
  promptText: (params) => lastUserText(promptOf(params), (turn) => turn.role === "user", (turn) => contentText(turn.content)),
  promptType: aiSdkPromptType,
  keyParams: ({ streamed: _streamed, rawChunks: _rawChunks, ...keyed }) => keyed,
  semanticParts(params) {
    const split = chatSemanticParts({ messages: promptOf(params) });
    if (!split) return undefined;
    const { streamed: _streamed, rawChunks: _rawChunks, ...keyed } = params;
    const context = { ...keyed, options: { ...(params.options as object), prompt: (split.context as { messages: unknown }).messages } };
    return { context, text: split.text };
  },
  isResponse: (stored) => resultJson(stored) !== undefined,
  isAnswer(response, params) {
    const json = resultJson(response);
    if (!json) return false;
    const text = (json.content as unknown[]).map((part) => (isRecord(part) && part.type === "text" ? String(part.text) : "")).join("");
    return isAiSdkAnswer(json.finishReason, text, params);
  },
  // A result as stored (a miss's, encoded) or as served (a hit's, decoded): the usage reads alike.
  usage: (response) => aiSdkUsage(resultJson(response)?.usage ?? (isRecord(response) ? response.usage : undefined)),
  // The stored JSON given is the call's own: decoded in place.
  rebuild: (stored) => decodeResult(stored as EncodedResult, true),
  // Decoding (dates, `undefined` fields) costs several times a copy of what it gives.
  copiesRebuilt: true,
};
