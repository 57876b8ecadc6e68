import { detectPromptType } from "../cache/prompt-type.ts";
import { trimmedBaseURL, type CachedMethod, type CallLimits, type ProviderAdapter, type SentRequest } from "./adapter.ts";
import { abortSignalOf, fetchAbortError } from "./call-limits.ts";
import { isAnswer, isResponse, modelName, promptText, usage, wantsJson } from "./gemini-wire.ts";
import { keyedHeaders } from "./headers.ts";
import { generativeAIErrors, withHelpers } from "./generative-ai-response.ts";
import { generativeContentStream, generativeStreamingClient } from "./generative-ai-stream.ts";
import { geminiSemanticParts } from "./semantic-parts.ts";
import { isRecord } from "./text.ts";

/**
 * `@google/generative-ai` (`GenerativeModel` from `getGenerativeModel`): `generateContent` and
 * `generateContentStream` are cached, one entry serving both; every other method passes through.
 */

const DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com";
const DEFAULT_API_VERSION = "v1beta";

/** The fields of a `GenerativeModel` that the SDK sends with every request. */
interface ModelSettings {
  model: string;
  generationConfig?: unknown;
  safetySettings?: unknown;
  tools?: unknown;
  toolConfig?: unknown;
  systemInstruction?: unknown;
  cachedContent?: { name?: string };
  _requestOptions?: { baseUrl?: string; apiVersion?: string; customHeaders?: unknown; signal?: unknown; timeout?: unknown };
}

const generateContent: CachedMethod = {
  path: ["generateContent"],
  endpoint: "generateContent",
  request: requestBody,
  bypass: () => false,
  model: (params) => modelName(params.model),
  promptText: (params) => promptText(params.contents),
  promptType: detectPromptType,
  keyParams: (params) => params,
  semanticParts: geminiSemanticParts,
  // What is stored is the SDK's result: `{ response }`.
  isResponse: (stored) => isResponse(responseOf(stored)),
  isAnswer: (result, params) => isAnswer(responseOf(result), wantsJson(params.generationConfig)),
  usage: (result) => usage(responseOf(result)),
  async rebuild(stored) {
    if (isRecord(stored) && isRecord(stored.response)) withHelpers(stored.response, await generativeAIErrors());
    return stored;
  },
};

/** `generateContentStream`: the same request, streamed; its `{ stream, response }` (see generative-ai-stream.ts). */
const generateContentStream: CachedMethod = {
  ...generateContent,
  path: ["generateContentStream"],
  stream: generativeContentStream,
};

/**
 * The body the SDK sends for `generateContent(request)`: the model's settings, overridden by
 * the request's own fields, with the prompt as `contents`. A string, a list of parts and
 * `{ contents: [...] }` that mean the same request give the same body.
 */
function requestBody(request: unknown, owner: object): Record<string, unknown> | undefined {
  const model = owner as ModelSettings;
  let fields: Record<string, unknown>;
  if (typeof request === "string" || Array.isArray(request)) {
    const turn = userTurn(typeof request === "string" ? [request] : request);
    if (!turn) return undefined;
    fields = { contents: [turn] };
  } else if (isRecord(request) && Array.isArray(request.contents)) {
    fields = { ...request };
    if (request.systemInstruction != null) fields.systemInstruction = systemInstruction(request.systemInstruction);
  } else {
    return undefined;
  }
  return {
    model: model.model,
    generationConfig: model.generationConfig,
    safetySettings: model.safetySettings,
    tools: model.tools,
    toolConfig: model.toolConfig,
    systemInstruction: model.systemInstruction,
    cachedContent: model.cachedContent?.name,
    ...fields,
  };
}

/**
 * The wire of a call: the SDK merges the call's request options over the model's, field by field.
 * Options that send the request elsewhere (`baseUrl`, `apiVersion`) give the URL it goes to, since
 * the adapter's `baseURL` is the model's own; `customHeaders` (the call's, else the model's) are
 * headers like any other. `timeout`, `signal` and `apiClient` (attribution) change nothing.
 */
function sent(client: object, _method: CachedMethod, params: Record<string, unknown>, options: Record<string, unknown>): SentRequest {
  const own = (client as ModelSettings)._requestOptions ?? {};
  const merged: Record<string, unknown> = { ...own, ...options };
  const url = requestURL(merged);
  return { params, wire: { url: url === requestURL(own) ? undefined : url, headers: keyedHeaders(merged.customHeaders) } };
}

/** The URL prefix the SDK sends to; `||` as the SDK: an empty base URL or version means the default. */
function requestURL(options: { baseUrl?: unknown; apiVersion?: unknown }): string {
  return `${trimmedBaseURL(options.baseUrl || DEFAULT_BASE_URL)}/${options.apiVersion || DEFAULT_API_VERSION}`;
}

/** Parts given without a turn: a user turn, or a function turn when they answer function calls. */
function userTurn(items: unknown[]): Record<string, unknown> | undefined {
  const parts = items.map((item) => (typeof item === "string" ? { text: item } : item));
  if (parts.length === 0 || !parts.every(isRecord)) return undefined;
  const responses = parts.filter((part) => "functionResponse" in part).length;
  if (responses > 0 && responses < parts.length) return undefined;
  return { role: responses > 0 ? "function" : "user", parts };
}

/** The SDK's own normalisation of a request-level `systemInstruction`. */
function systemInstruction(input: unknown): unknown {
  if (typeof input === "string") return { role: "system", parts: [{ text: input }] };
  if (isRecord(input) && input.text) return { role: "system", parts: [input] };
  if (isRecord(input) && input.parts && !input.role) return { role: "system", parts: input.parts };
  return input;
}

function responseOf(result: unknown): unknown {
  return isRecord(result) ? result.response : undefined;
}

/**
 * `signal` and `timeout` of the call's request options over the model's. The SDK has no retries;
 * its timeout (0 included) runs from the call's start. It listens for the signal's "abort" event
 * only, so a signal aborted before the call is never heard. Both end the call with a
 * `GoogleGenerativeAIAbortError` naming the URL, imported from the SDK when one is thrown.
 */
function limits(client: object, _params: Record<string, unknown>, options: Record<string, unknown>): CallLimits {
  const model = client as ModelSettings;
  const merged: Record<string, unknown> = { ...model._requestOptions, ...options };
  const signal = abortSignalOf(merged.signal);
  const timeout = merged.timeout as number;
  const url = `${merged.baseUrl || DEFAULT_BASE_URL}/${merged.apiVersion || DEFAULT_API_VERSION}/${model.model}:generateContent`;
  const error = async () => {
    const sdk = (await import(SDK_PACKAGE)) as { GoogleGenerativeAIAbortError: new (message: string) => Error };
    return new sdk.GoogleGenerativeAIAbortError(`Request aborted when fetching ${url}: ${fetchAbortError().message}`);
  };
  return { signal: signal?.aborted ? undefined : signal, timeoutMs: timeout >= 0 ? timeout : undefined, aborted: error, timedOut: error };
}

/** A variable, not a literal: neither tsc nor a bundler resolves an optional package the user may not have. */
const SDK_PACKAGE = "@google/generative-ai";

export const googleGenerativeAIAdapter: ProviderAdapter = {
  provider: "gemini",
  sdk: "@google/generative-ai (GenerativeModel)",
  detect: (client) => {
    const model = client as { generateContent?: unknown; generateContentStream?: unknown; model?: unknown };
    return typeof model.generateContent === "function" && typeof model.generateContentStream === "function" && typeof model.model === "string";
  },
  baseURL: (client) => requestURL((client as ModelSettings)._requestOptions ?? {}),
  sent,
  methods: [generateContent, generateContentStream],
  streamingClient: generativeStreamingClient,
  limits,
};
