import { detectPromptType } from "../cache/prompt-type.ts";
import { keyWithout, trimmedBaseURL, type CachedMethod, type ProviderAdapter } from "./adapter.ts";
import { stainlessLimits } from "./call-limits.ts";
import { openaiImagesEdit, openaiImagesGenerate } from "./openai-images.ts";
import { openaiResponses, openaiResponsesStreamHelper } from "./openai-responses.ts";
import { parsesAsJson, withResponseIds } from "./json.ts";
import { openaiTokenUsage } from "./openai-usage.ts";
import { chatCompletionStream } from "./openai-chat-stream.ts";
import { stainlessRequest, stainlessStreamingClient } from "./stainless-options.ts";
import { chatSemanticParts } from "./semantic-parts.ts";
import { contentText, isRecord, lastUserText } from "./text.ts";

/** End-user ids, prompt-cache routing and stored-completion tags: a completion echoes none of them. */
const chatKeyParams = keyWithout(["stream_options", "user", "safety_identifier", "prompt_cache_key", "prompt_cache_retention", "metadata"]);

/** A chat completion's shape: a non-empty `choices`, each with a `message`. */
function isChatCompletion(value: unknown): value is { choices: { message: Record<string, unknown>; finish_reason?: unknown }[] } {
  return isRecord(value) && Array.isArray(value.choices) && value.choices.length > 0 && value.choices.every((choice) => isRecord(choice) && isRecord(choice.message));
}

const chatCompletions: CachedMethod = {
  path: ["chat", "completions", "create"],
  endpoint: "chat.completions",
  bypass: () => false,
  stream: chatCompletionStream,
  model: (params) => String(params.model ?? ""),
  promptText: (params) => lastUserText(params.messages, (message) => message.role === "user", (message) => contentText(message.content)),
  promptType: detectPromptType,
  keyParams: chatKeyParams,
  semanticParts: (params) => chatSemanticParts(chatKeyParams(params)),
  isResponse: isChatCompletion,
  isAnswer(response, params) {
    if (!isChatCompletion(response)) return false;
    const wantsJson = isRecord(params.response_format) && params.response_format.type !== "text";
    return response.choices.every((choice) => {
      if (choice.finish_reason === "content_filter" || choice.message.refusal) return false;
      const content = choice.message.content;
      if (Array.isArray(choice.message.tool_calls) && choice.message.tool_calls.length > 0) return true;
      if (typeof content !== "string") return false;
      return !wantsJson || parsesAsJson(content);
    });
  },
  usage: (response) => openaiTokenUsage(response, "prompt"),
  rebuild: (stored) => withResponseIds(stored),
};

/** `chat.completions.stream()`: the SDK's `ChatCompletionStream` helper over a streamed `create`. */
const chatCompletionsStreamHelper: CachedMethod = {
  ...chatCompletions,
  path: ["chat", "completions", "stream"],
  helper: true,
  stream: { ...chatCompletionStream, streams: () => true },
};

/** The SDK paths an `AzureOpenAI` client sends to its deployment (`/deployments/<name>/…`). */
const AZURE_DEPLOYMENT_ENDPOINTS = new Set(["chat.completions", "images.generations", "images.edits"]);

/** The parts of an `OpenAI` or `AzureOpenAI` client that every request carries. */
interface OpenAIClient {
  organization?: string | null;
  project?: string | null;
  /** `AzureOpenAI` only. */
  deploymentName?: string;
}

/**
 * `openai` (OpenAI and AzureOpenAI clients): chat completions, responses and base64 image
 * generations and edits are cached; streams and image URL responses pass through.
 */
export const openaiAdapter: ProviderAdapter = {
  provider: "openai",
  sdk: "openai (OpenAI)",
  detect: (client) => {
    const candidate = client as { chat?: { completions?: { create?: unknown } }; baseURL?: unknown };
    return typeof candidate.chat?.completions?.create === "function" && typeof candidate.baseURL === "string";
  },
  baseURL: (client) => trimmedBaseURL((client as { baseURL: string }).baseURL),
  sent(client, method, params, options) {
    // Organization and project scope what a request may reach (fine-tuned models, files, stored
    // prompts): they separate entries as the headers the SDK sends them in.
    const { organization, project, deploymentName } = client as OpenAIClient;
    // Without either, the client sets neither header (null removes nothing before the client's own).
    const own = organization == null && project == null ? undefined : { client: { "OpenAI-Organization": organization, "OpenAI-Project": project } };
    const sent = stainlessRequest(client, method, params, options, own);
    // Azure answers a deployment call with the deployment's model, whatever the body's `model` says.
    if (!sent || !deploymentName || !AZURE_DEPLOYMENT_ENDPOINTS.has(method.endpoint)) return sent;
    return { ...sent, wire: { ...sent.wire, deployment: deploymentName } };
  },
  apiPromise: true,
  limits: stainlessLimits,
  // `withOptions()` of an `AzureOpenAI` client keeps neither its API version nor its deployment.
  streamingClient(client, exchange) {
    const { apiVersion, deploymentName } = client as OpenAIClient & { apiVersion?: string };
    return stainlessStreamingClient(client, exchange, apiVersion ? { apiVersion, deployment: deploymentName } : {});
  },
  methods: [chatCompletions, chatCompletionsStreamHelper, openaiResponses, openaiResponsesStreamHelper, openaiImagesGenerate, openaiImagesEdit],
};
