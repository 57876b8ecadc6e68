import { detectPromptType } from "../cache/prompt-type.ts";
import { keyWithout, type CachedMethod } from "./adapter.ts";
import { parsesAsJson, withResponseIds } from "./json.ts";
import { responseStream } from "./openai-responses-stream.ts";
import { openaiTokenUsage } from "./openai-usage.ts";
import { responsesSemanticParts } from "./semantic-parts.ts";
import { contentText, isRecord, lastUserText } from "./text.ts";

/** `stream_options` only shape the events of a stream, never the response they add up to. */
const responsesKeyParams = keyWithout(["stream_options"]);

/**
 * `responses.create` of the `openai` SDK. Only a `completed` response is an answer: a queued,
 * failed, cancelled or incomplete one (content filter, output limit) is sent upstream again.
 */
export const openaiResponses: CachedMethod = {
  path: ["responses", "create"],
  endpoint: "responses",
  bypass: () => false,
  stream: responseStream,
  model: (params) => String(params.model ?? ""),
  promptText(params) {
    const input = params.input;
    const text = typeof input === "string" ? input : lastUserText(input, (item) => item.role === "user", (item) => contentText(item.content));
    return text !== "" ? text : typeof params.instructions === "string" ? params.instructions : "";
  },
  promptType: detectPromptType,
  keyParams: responsesKeyParams,
  semanticParts: (params) => responsesSemanticParts(responsesKeyParams(params)),
  isResponse: isResponseObject,
  isAnswer(response, params) {
    if (!isResponseObject(response) || response.status !== "completed") return false;
    const messages = response.output.filter((item): item is Record<string, unknown> => isRecord(item) && item.type === "message");
    const refused = messages.some((item) => Array.isArray(item.content) && item.content.some((part: unknown) => isRecord(part) && part.type === "refusal"));
    if (refused) return false;
    const format = isRecord(params.text) && isRecord(params.text.format) ? params.text.format.type : undefined;
    if (format !== "json_schema" && format !== "json_object") return true;
    return messages.length === 0 || parsesAsJson(outputText(response));
  },
  usage: (response) => openaiTokenUsage(response, "input"),
  rebuild(stored) {
    // The SDK adds `output_text` to every live response; it is stored with it, but older or
    // foreign entries may lack it.
    if (isRecord(stored) && typeof stored.output_text !== "string") stored.output_text = outputText(stored);
    return withResponseIds(stored);
  },
};

/**
 * `responses.stream()`: the SDK's `ResponseStream` helper over a streamed `create`. Resuming a
 * stored response (`response_id`) retrieves it instead: that is not a request to cache.
 */
export const openaiResponsesStreamHelper: CachedMethod = {
  ...openaiResponses,
  path: ["responses", "stream"],
  helper: true,
  bypass: (params) => "response_id" in params,
  stream: { ...responseStream, streams: () => true },
};

/** A Responses API response's shape: `object: "response"` with an `output` list. */
function isResponseObject(value: unknown): value is Record<string, unknown> & { output: unknown[] } {
  return isRecord(value) && value.object === "response" && Array.isArray(value.output);
}

/** The concatenated `output_text` parts of the response's messages, as the SDK computes it. */
function outputText(response: Record<string, unknown>): string {
  if (!Array.isArray(response.output)) return "";
  const texts: string[] = [];
  for (const item of response.output) {
    if (!isRecord(item) || item.type !== "message" || !Array.isArray(item.content)) continue;
    for (const part of item.content) if (isRecord(part) && part.type === "output_text" && typeof part.text === "string") texts.push(part.text);
  }
  return texts.join("");
}
