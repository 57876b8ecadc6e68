/**
 * The Gemini provider of the simulator, mounted at `/gemini`: `models/{model}:generateContent`
 * and `models/{model}:streamGenerateContent` (`alt=sse`) under any API version, as both
 * `@google/genai` (`httpOptions.baseUrl`) and `@google/generative-ai` (`baseUrl`) call them,
 * with the key in `x-goog-api-key` or `?key=`.
 *
 * Markers (see `SIM_MARKERS`) map to Gemini outcomes: `contentFilter` stops the candidate with
 * `finishReason: "SAFETY"`, `refusal` blocks the prompt (`promptFeedback.blockReason`, no
 * candidates), `toolCall` calls the first declared function and `parallelToolCalls` every one,
 * `invalidJson` breaks JSON output, `streamError` fails the generation, `long` answers at length.
 *
 * @module
 */
import { geminiStreamFailure, streamChunks } from "./gemini-stream.ts";
import { SIM_HEADERS, headerNumber } from "./headers.ts";
import { sampleFromSchema } from "./json-schema.ts";
import { asObject } from "./openai-wire.ts";
import { canonicalJson, estimateTokens, findMarkers, partialText, randomId, replyText, requestedLength, shortHash, stripMarkers, truncateToTokens } from "./reply.ts";
import type { SimMarker } from "./reply.ts";
import { jsonEvent, sseAnswer } from "./sse.ts";
import type { JsonResponse, ProviderMount, SimRequest, SimResponse } from "./types.ts";

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/** A Gemini error body: `{ error: { code, message, status } }`. */
export function geminiError(status: number, message?: string): JsonResponse {
  const name = STATUS_NAMES[status] ?? (status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION");
  return { status, json: { error: { code: status, message: message ?? `Simulated ${name.toLowerCase().replace(/_/g, " ")}.`, status: name } } };
}

interface GeminiAnswer {
  /** The JSON of one whole response. */
  response: Record<string, unknown>;
  fails: boolean;
}

export const geminiMount: ProviderMount = {
  name: "gemini",
  basePath: "/gemini",
  routes: [
    { method: "POST", pattern: /^\/v1\w*\/(?:models|tunedModels)\/([^/:]+):generateContent$/, name: "gemini.generateContent", handle: handleGenerate },
    { method: "POST", pattern: /^\/v1\w*\/(?:models|tunedModels)\/([^/:]+):streamGenerateContent$/, name: "gemini.streamGenerateContent", handle: handleStream },
  ],
  error: (status, message) => geminiError(status, message),
  authenticate(request: SimRequest): JsonResponse | undefined {
    if (request.headers["x-goog-api-key"] || request.url.searchParams.get("key")) return undefined;
    return geminiError(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
  },
};

function handleGenerate(request: SimRequest, match: RegExpMatchArray): SimResponse {
  const answer = buildAnswer(request, decodeURIComponent(match[1] ?? ""));
  if ("status" in answer) return answer;
  if (answer.fails) return geminiError(500, "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting");
  return { status: 200, json: answer.response };
}

/** The answer as a stream of chunks (see `gemini-stream.ts`); a JSON array of them without `alt=sse`. */
function handleStream(request: SimRequest, match: RegExpMatchArray): SimResponse {
  const answer = buildAnswer(request, decodeURIComponent(match[1] ?? ""));
  if ("status" in answer) return answer;
  const chunks = streamChunks(answer.response);
  if (request.url.searchParams.get("alt") !== "sse") return { status: 200, json: chunks };
  const events = chunks.map((chunk) => jsonEvent(chunk));
  return sseAnswer(events, geminiStreamFailure, { fails: answer.fails });
}

function buildAnswer(request: SimRequest, model: string): GeminiAnswer | JsonResponse {
  const body = asObject(request.body) ?? {};
  if (!Array.isArray(body.contents) || body.contents.length === 0) return geminiError(400, "* GenerateContentRequest.contents: contents is not specified");
  const lastUser = lastUserText(body.contents);
  const markers = findMarkers(lastUser);
  const config = asObject(body.generationConfig) ?? {};
  const requestHash = shortHash(canonicalJson(body));
  const promptTokens = estimateTokens(JSON.stringify(body.contents)) + (body.tools ? estimateTokens(JSON.stringify(body.tools)) : 0);
  const cached = Math.min(promptTokens, headerNumber(request.headers, SIM_HEADERS.cachedTokens) ?? 0);
  const minTokens = requestedLength(markers, request.headers);
  const base = { modelVersion: model, responseId: randomId("", 22) };

  if (markers.has("refusal")) {
    return {
      response: { promptFeedback: { blockReason: "SAFETY", safetyRatings: [{ category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH", blocked: true }] }, usageMetadata: { promptTokenCount: promptTokens, totalTokenCount: promptTokens }, ...base },
      fails: false,
    };
  }

  const count = typeof config.candidateCount === "number" && config.candidateCount > 1 ? Math.floor(config.candidateCount) : 1;
  const functions = pickFunctions(body, markers);
  const candidates: Record<string, unknown>[] = [];
  let outputTokens = 0;
  for (let index = 0; index < count; index++) {
    let parts: Record<string, unknown>[];
    let finishReason = "STOP";
    if (functions.length > 0) {
      parts = functions.map((fn) => ({ functionCall: { name: fn.name, args: sampleFromSchema(lowerTypes(fn.parameters), stripMarkers(lastUser)) } }));
      outputTokens += parts.reduce((sum, part) => sum + estimateTokens(JSON.stringify(asObject(part.functionCall)?.args)), 0);
    } else {
      let text = answerText(config, replyText({ model, prompt: lastUser, requestHash, variant: index, minTokens }), markers.has("invalidJson"));
      const limit = typeof config.maxOutputTokens === "number" ? config.maxOutputTokens : undefined;
      if (markers.has("contentFilter")) {
        text = partialText(text);
        finishReason = "SAFETY";
      } else if (limit !== undefined && estimateTokens(text) > limit) {
        text = truncateToTokens(text, limit);
        finishReason = "MAX_TOKENS";
      }
      parts = [{ text }];
      outputTokens += estimateTokens(text);
    }
    candidates.push({ content: { parts, role: "model" }, finishReason, index, ...(finishReason === "SAFETY" ? { safetyRatings: [{ category: "HARM_CATEGORY_HARASSMENT", probability: "HIGH", blocked: true }] } : {}) });
  }
  const budget = Number(asObject(config.thinkingConfig)?.thinkingBudget ?? 0);
  const thoughts = budget > 0 ? Math.min(budget, 16) : 0;
  const usageMetadata: Record<string, unknown> = {
    promptTokenCount: promptTokens,
    candidatesTokenCount: outputTokens,
    totalTokenCount: promptTokens + outputTokens + thoughts,
    promptTokensDetails: [{ modality: "TEXT", tokenCount: promptTokens }],
    ...(cached > 0 ? { cachedContentTokenCount: cached } : {}),
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
  };
  return { response: { candidates, usageMetadata, ...base }, fails: markers.has("streamError") };
}

function answerText(config: Record<string, unknown>, reply: string, invalid: boolean): string {
  const schema = config.responseJsonSchema ?? config.responseSchema;
  if (config.responseMimeType !== "application/json") return reply;
  if (invalid) return `Here is what you asked for: ${reply}`;
  return JSON.stringify(schema ? sampleFromSchema(lowerTypes(schema), reply) : { answer: reply });
}

/**
 * The declared functions the model calls: the first one when asked by the marker or forced by
 * `mode: ANY`, every one for `[sim:parallel-tool-calls]`, none otherwise.
 */
function pickFunctions(body: Record<string, unknown>, markers: Set<SimMarker>): Array<{ name: string; parameters: unknown }> {
  const declarations = (Array.isArray(body.tools) ? body.tools : []).flatMap((tool) => {
    const list = asObject(tool)?.functionDeclarations;
    return Array.isArray(list) ? list.map(asObject).filter((d): d is Record<string, unknown> => typeof d?.name === "string") : [];
  });
  const mode = String(asObject(asObject(body.toolConfig)?.functionCallingConfig)?.mode ?? "AUTO").toUpperCase();
  const parallel = markers.has("parallelToolCalls");
  if (declarations.length === 0 || mode === "NONE" || (!parallel && !markers.has("toolCall") && mode !== "ANY")) return [];
  const chosen = parallel ? declarations : declarations.slice(0, 1);
  return chosen.map((fn) => ({ name: String(fn.name), parameters: fn.parameters ?? fn.parametersJsonSchema }));
}

function lastUserText(contents: unknown[]): string {
  const texts = (turn: unknown) => {
    const parts = asObject(turn)?.parts;
    return (Array.isArray(parts) ? parts : []).map((part) => asObject(part)?.text).filter((text) => typeof text === "string").join("\n");
  };
  for (let index = contents.length - 1; index >= 0; index--) {
    const role = asObject(contents[index])?.role;
    if (role === undefined || role === "user") return texts(contents[index]);
  }
  return contents.map(texts).join("\n");
}

/** Gemini schemas name types in capitals (`OBJECT`); JSON Schema in lower case. */
function lowerTypes(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(lowerTypes);
  const object = asObject(schema);
  if (!object) return schema;
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, key === "type" && typeof value === "string" ? value.toLowerCase() : lowerTypes(value)]));
}
