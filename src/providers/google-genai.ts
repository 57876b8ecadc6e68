import { detectPromptType } from "../cache/prompt-type.ts";
import { trimmedBaseURL, type CachedMethod, type CallLimits, type ProviderAdapter, type SentRequest } from "./adapter.ts";
import { abortSignalOf, fetchAbortError, positiveNumber, retryBudgetMs } from "./call-limits.ts";
import { canonicalContents, isAnswer, isResponse, modelName, promptText, usage, wantsJson } from "./gemini-wire.ts";
import { keyedHeaders } from "./headers.ts";
import { liveResponse, responseClass } from "./google-genai-response.ts";
import { genaiContentStream, genaiStreamingClient } from "./google-genai-stream.ts";
import { geminiSemanticParts } from "./semantic-parts.ts";
import { isRecord } from "./text.ts";

/**
 * `@google/genai` (`GoogleGenAI`): `models.generateContent` and `models.generateContentStream` are
 * cached, one entry serving both; every other method passes through. Per-call ecoai options go in a second argument,
 * `generateContent(params, { ecoai })`, since the SDK's own options live inside `params.config`.
 */

/** Config fields that steer the HTTP request; of `httpOptions`, only {@link SENT_HTTP_OPTIONS} enter the key. */
const REQUEST_ONLY_CONFIG = new Set(["httpOptions", "abortSignal"]);

/**
 * Per-call `httpOptions` that change what is sent: where (base URL, API version) and the body
 * (`extraBody` is merged into it). Headers enter the key through the wire (see `sent`); timeout,
 * retries and `fetch` only steer the request.
 */
const SENT_HTTP_OPTIONS = ["baseUrl", "baseUrlResourceScope", "apiVersion", "extraBody"] as const;

const generateContent: CachedMethod = {
  path: ["models", "generateContent"],
  endpoint: "models.generateContent",
  // Callable tools (functions, MCP clients) make the SDK run the caller's code between requests.
  bypass: (params) => {
    const tools = configOf(params).tools;
    return Array.isArray(tools) && tools.some(isCallableTool);
  },
  model: (params) => modelName(params.model),
  promptText: (params) => promptText(canonicalContents(params.contents) ?? params.contents),
  promptType: detectPromptType,
  keyParams(params) {
    const config: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(configOf(params))) {
      if (!REQUEST_ONLY_CONFIG.has(field)) config[field] = value;
    }
    const http = configOf(params).httpOptions;
    const sent = isRecord(http) ? SENT_HTTP_OPTIONS.filter((field) => http[field] !== undefined) : [];
    if (sent.length > 0) config.httpOptions = Object.fromEntries(sent.map((field) => [field, (http as Record<string, unknown>)[field]]));
    // The SDK moves a `$schema`-bearing responseSchema to responseJsonSchema (mutating the caller's
    // params); key the request as sent, so re-using the same params object is still a hit.
    if (isRecord(config.responseSchema) && "$schema" in config.responseSchema && config.responseJsonSchema == null) {
      config.responseJsonSchema = config.responseSchema;
      delete config.responseSchema;
    }
    return { model: modelName(params.model), contents: canonicalContents(params.contents) ?? params.contents, config };
  },
  semanticParts: (params) => geminiSemanticParts(generateContent.keyParams(params)),
  isResponse,
  isAnswer: (response, params) => isAnswer(response, wantsJson(configOf(params))),
  usage,
  async rebuild(stored) {
    return liveResponse(await responseClass(), stored as Record<string, unknown>);
  },
};

/** `models.generateContentStream`: the same request, streamed (see google-genai-stream.ts). */
const generateContentStream: CachedMethod = {
  ...generateContent,
  path: ["models", "generateContentStream"],
  stream: genaiContentStream,
};

function configOf(params: Record<string, unknown>): Record<string, unknown> {
  return isRecord(params.config) ? params.config : {};
}

function isCallableTool(tool: unknown): boolean {
  return isRecord(tool) && typeof tool.callTool === "function";
}

/**
 * The request `generateContent(params)` sends: its params, with the headers of the client's
 * `httpOptions` merged with the call's own `config.httpOptions.headers` (as the SDK patches them).
 */
function sent(client: object, _method: CachedMethod, params: Record<string, unknown>): SentRequest {
  const api = (client as { apiClient?: { getHeaders?: () => unknown } }).apiClient;
  let own: unknown;
  try {
    own = api?.getHeaders?.();
  } catch {
    // A client without headers set (the SDK throws): none to key.
  }
  const http = configOf(params).httpOptions;
  return { params, wire: { headers: keyedHeaders(own, isRecord(http) ? http.headers : undefined) } };
}

/** Where the client sends requests, API version included (Gemini API or Vertex AI project). */
function baseURL(client: object): string {
  const api = (client as { apiClient?: { getRequestUrl?: () => string; isVertexAI?: () => boolean; getProject?: () => string | undefined; getLocation?: () => string | undefined } }).apiClient;
  try {
    const url = trimmedBaseURL(api?.getRequestUrl?.());
    const project = api?.isVertexAI?.() ? api.getProject?.() : undefined;
    return project ? `${url}/projects/${project}/locations/${api?.getLocation?.() ?? ""}` : url;
  } catch {
    return "";
  }
}

/**
 * `config.abortSignal` and `config.httpOptions` (`timeout`, `retryOptions`) over the client's
 * `httpOptions`, merged as the SDK merges them. Each attempt has the timeout; with `retryOptions`
 * a timed-out attempt is retried (5 attempts, pauses from 1 s doubling up to 60 s, up to twice
 * that with jitter, unless set otherwise). The SDK rejects with what `fetch` throws for its
 * aborted request, a "AbortError" `DOMException`, for an abort and a timeout alike.
 */
function limits(client: object, params: Record<string, unknown>): CallLimits {
  const config = configOf(params);
  const own = isRecord(config.httpOptions) ? config.httpOptions : {};
  const clientOptions = (client as { apiClient?: { clientOptions?: { httpOptions?: unknown } } }).apiClient?.clientOptions;
  const base = isRecord(clientOptions?.httpOptions) ? clientOptions.httpOptions : {};
  const perAttemptMs = positiveNumber(own.timeout !== undefined ? own.timeout : base.timeout);
  const retry = isRecord(own.retryOptions) || isRecord(base.retryOptions) ? { ...(base.retryOptions as object), ...(own.retryOptions as object) } as Record<string, unknown> : undefined;
  let timeoutMs = perAttemptMs;
  if (perAttemptMs !== undefined && retry) {
    const number = (value: unknown, fallback: number) => (typeof value === "number" ? value : fallback);
    const firstMs = Math.round(number(retry.initialDelay, 1) * 1000);
    const maxMs = Math.max(firstMs, Math.round(number(retry.maxDelay, 60) * 1000));
    const jitter = number(retry.jitter, 1) > 0 ? 2 : 1;
    const pauseMs = (n: number) => Math.min(Math.round(jitter * Math.max(firstMs, 1) * number(retry.expBase, 2) ** n), maxMs);
    timeoutMs = retryBudgetMs(perAttemptMs, Math.max(1, number(retry.attempts, 5)), pauseMs);
  }
  return { signal: abortSignalOf(config.abortSignal), timeoutMs, aborted: fetchAbortError, timedOut: fetchAbortError };
}

export const googleGenAIAdapter: ProviderAdapter = {
  provider: "gemini",
  sdk: "@google/genai (GoogleGenAI)",
  detect: (client) => {
    const models = (client as { models?: { generateContent?: unknown; generateContentStream?: unknown } }).models;
    return typeof models?.generateContent === "function" && typeof models.generateContentStream === "function";
  },
  baseURL,
  sent,
  methods: [generateContent, generateContentStream],
  streamingClient: genaiStreamingClient,
  limits,
};
