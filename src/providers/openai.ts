import { detectPromptType } from "../cache/prompt-type.ts";
import { keyWithout, trimmedBaseURL, type CachedMethod, type ProviderAdapter } from "./adapter.ts";
import { stainlessLimits } from "./call-limits.ts";
import { openaiImagesEdit, openaiImagesGenerate } from "./openai-images.ts";
import { openaiResponses } from "./openai-responses.ts";
import { parsesAsJson, withResponseIds } from "./json.ts";
import { openaiTokenUsage } from "./openai-usage.ts";
import { chatSemanticParts } from "./semantic-parts.ts";
import { contentText, isRecord, lastUserText } from "./text.ts";

/** End-user ids, prompt-cache routing and stored-completion tags: a completion echoes none of them. */
const chatKeyParams = keyWithout(["stream_options", "user", "safety_identifier", "prompt_cache_key", "prompt_cache_retention", "metadata"]);

const chatCompletions: CachedMethod = {
  path: ["chat", "completions", "create"],
  endpoint: "chat.completions",
  bypass: (params) => params.stream === true,
  model: (params) => String(params.model ?? ""),
  promptText: (params) => lastUserText(params.messages, (message) => message.role === "user", (message) => contentText(message.content)),
  promptType: detectPromptType,
  keyParams: chatKeyParams,
  semanticParts: (params) => chatSemanticParts(chatKeyParams(params)),
  isAnswer(response, params) {
    if (!isRecord(response) || !Array.isArray(response.choices) || response.choices.length === 0) return false;
    const wantsJson = isRecord(params.response_format) && params.response_format.type !== "text";
    return response.choices.every((choice) => {
      if (!isRecord(choice) || !isRecord(choice.message)) return false;
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
  apiPromise: true,
  limits: stainlessLimits,
  methods: [chatCompletions, openaiResponses, openaiImagesGenerate, openaiImagesEdit],
};
