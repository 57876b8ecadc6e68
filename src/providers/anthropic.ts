import { detectPromptType } from "../cache/prompt-type.ts";
import { keyWithout, trimmedBaseURL, type CachedMethod, type ProviderAdapter } from "./adapter.ts";
import { stainlessLimits } from "./call-limits.ts";
import { parsesAsJson, withResponseIds } from "./json.ts";
import { messageStream } from "./anthropic-stream.ts";
import { stainlessRequest, stainlessStreamingClient } from "./stainless-options.ts";
import { chatSemanticParts } from "./semantic-parts.ts";
import { contentText, isRecord, lastUserText } from "./text.ts";

/**
 * Stops that end a turn without a usable answer: a refusal, and a server-tool turn the API
 * paused (the caller is expected to send it back to continue).
 */
const NON_ANSWER_STOPS = new Set(["refusal", "pause_turn"]);

/**
 * `metadata` names the end user; a message does not echo it. The SDK sends `workspace_id` and
 * `user_profile_id` as headers, where the wire keys them.
 */
const messagesKeyParams = keyWithout(["metadata", "workspace_id", "user_profile_id"]);

/** `messages.create` of `@anthropic-ai/sdk`, plain and with `stream: true`. */
const messagesCreate: CachedMethod = {
  path: ["messages", "create"],
  endpoint: "messages",
  bypass: () => false,
  stream: messageStream,
  model: (params) => String(params.model ?? ""),
  promptText(params) {
    const text = lastUserText(params.messages, (message) => message.role === "user", (message) => contentText(message.content));
    return text !== "" ? text : contentText(params.system);
  },
  promptType: detectPromptType,
  keyParams: messagesKeyParams,
  semanticParts: (params) => chatSemanticParts(messagesKeyParams(params)),
  isResponse: isMessage,
  isAnswer(response, params) {
    if (!isMessage(response)) return false;
    if (NON_ANSWER_STOPS.has(String(response.stop_reason))) return false;
    if (!wantsJson(params) || response.stop_reason === "tool_use") return true;
    return parsesAsJson(contentText(response.content));
  },
  usage(response) {
    const usage = isRecord(response) && isRecord(response.usage) ? response.usage : {};
    // Anthropic's `input_tokens` excludes the prompt-cache reads and writes it reports apart.
    const cacheRead = Number(usage.cache_read_input_tokens ?? 0);
    const cacheWrite = Number(usage.cache_creation_input_tokens ?? 0);
    return {
      inputTokens: Number(usage.input_tokens ?? 0) + cacheRead + cacheWrite,
      cachedInputTokens: cacheRead,
      outputTokens: Number(usage.output_tokens ?? 0),
    };
  },
  rebuild: (stored) => withResponseIds(stored, ["_request_id", "_workspace_id"]),
};

/** `messages.stream()`: the SDK's `MessageStream` helper over a streamed `create`. */
const messagesStreamHelper: CachedMethod = {
  ...messagesCreate,
  path: ["messages", "stream"],
  helper: true,
  stream: { ...messageStream, streams: () => true },
};

/** A message's shape: `type: "message"` with a `content` list. */
function isMessage(value: unknown): value is Record<string, unknown> & { content: unknown[] } {
  return isRecord(value) && value.type === "message" && Array.isArray(value.content);
}

/** Structured output: `output_config.format` (or the beta `output_format`) asks for JSON. */
function wantsJson(params: Record<string, unknown>): boolean {
  const config = isRecord(params.output_config) ? params.output_config : {};
  const format = config.format ?? params.output_format;
  return isRecord(format) && format.type === "json_schema";
}

export const anthropicAdapter: ProviderAdapter = {
  provider: "anthropic",
  sdk: "@anthropic-ai/sdk (Anthropic)",
  detect(client) {
    const candidate = client as { messages?: { create?: unknown; stream?: unknown }; chat?: unknown; baseURL?: unknown };
    return (
      typeof candidate.messages?.create === "function" &&
      typeof candidate.messages.stream === "function" &&
      candidate.chat === undefined &&
      typeof candidate.baseURL === "string"
    );
  },
  baseURL: (client) => trimmedBaseURL((client as { baseURL: string }).baseURL),
  sent(client, method, params, options) {
    // The SDK takes these two out of the body and sends them as headers, ahead of the caller's.
    const call = { "anthropic-workspace-id": params.workspace_id ?? undefined, "anthropic-user-profile-id": params.user_profile_id ?? undefined };
    return stainlessRequest(client, method, params, options, { call });
  },
  apiPromise: true,
  limits: stainlessLimits,
  streamingClient: stainlessStreamingClient,
  methods: [messagesCreate, messagesStreamHelper],
};
