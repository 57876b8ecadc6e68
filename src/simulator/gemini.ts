/**
 * The Gemini provider of the simulator, mounted at `/gemini`: `models/{model}:generateContent`
 * and `models/{model}:streamGenerateContent` (`alt=sse`) under any API version, as both
 * `@google/genai` (`httpOptions.baseUrl`) and `@google/generative-ai` (`baseUrl`) call them,
 * with the key in `x-goog-api-key` or `?key=`.
 *
 * Markers (see `SIM_MARKERS`) map to Gemini outcomes: `contentFilter` stops the candidate with
 * `finishReason: "SAFETY"`, `refusal` blocks the prompt (`promptFeedback.blockReason`, no
 * candidates), `toolCall` calls the first declared function, `invalidJson` breaks JSON output,
 * `streamError` fails the generation.
 *
 * @module
 */
import { sampleFromSchema } from "./json-schema.ts";
import { asObject } from "./openai-wire.ts";
import { canonicalJson, estimateTokens, findMarkers, partialText, randomId, replyText, shortHash, streamPieces, truncateToTokens, SIM_MARKERS } from "./reply.ts";
import { jsonEvent } from "./sse.ts";
import type { JsonResponse, ProviderMount, SimRequest, SimResponse, SseEvent } from "./types.ts";

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
  /** Text of the first candidate, streamed piece by piece. */
  text: string;
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

/** The answer as chunks of text, the last one carrying the finish reason and full usage. */
function handleStream(request: SimRequest, match: RegExpMatchArray): SimResponse {
  const answer = buildAnswer(request, decodeURIComponent(match[1] ?? ""));
  if ("status" in answer) return answer;
  const { candidates, ...rest } = answer.response;
  const first = asObject((candidates as unknown[] | undefined)?.[0]);
  if (request.url.searchParams.get("alt") !== "sse") return { status: 200, json: [answer.response] };
  if (!first) return { status: 200, events: [jsonEvent(answer.response)] };
  const content = asObject(first.content) ?? {};
  const textual = Array.isArray(content.parts) && content.parts.every((part) => typeof asObject(part)?.text === "string");
  const pieces = textual && answer.text !== "" ? streamPieces(answer.text) : [];
  const events: SseEvent[] = [];
  const shown = answer.fails ? pieces.slice(0, Math.ceil(pieces.length / 2)) : pieces.slice(0, -1);
  for (const piece of shown) {
    events.push(jsonEvent({ candidates: [{ content: { parts: [{ text: piece }], role: "model" }, index: 0 }], ...rest }));
  }
  if (answer.fails) {
    events.push(jsonEvent(geminiError(500, "An internal error has occurred.").json));
    return { status: 200, events };
  }
  const last = textual && pieces.length > 0 ? { ...first, content: { parts: [{ text: pieces.at(-1) }], role: "model" } } : first;
  events.push(jsonEvent({ candidates: [last], ...rest }));
  return { status: 200, events };
}

function buildAnswer(request: SimRequest, model: string): GeminiAnswer | JsonResponse {
  const body = asObject(request.body) ?? {};
  if (!Array.isArray(body.contents) || body.contents.length === 0) return geminiError(400, "* GenerateContentRequest.contents: contents is not specified");
  const lastUser = lastUserText(body.contents);
  const markers = findMarkers(lastUser);
  const config = asObject(body.generationConfig) ?? {};
  const requestHash = shortHash(canonicalJson(body));
  const promptTokens = estimateTokens(JSON.stringify(body.contents)) + (body.tools ? estimateTokens(JSON.stringify(body.tools)) : 0);
  const cached = Math.min(promptTokens, Number.parseInt(request.headers["x-sim-cached-tokens"] ?? "0", 10) || 0);
  const base = { modelVersion: model, responseId: randomId("", 22) };

  if (markers.has("refusal")) {
    return {
      response: { promptFeedback: { blockReason: "SAFETY", safetyRatings: [{ category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH", blocked: true }] }, usageMetadata: { promptTokenCount: promptTokens, totalTokenCount: promptTokens }, ...base },
      text: "",
      fails: false,
    };
  }

  const count = typeof config.candidateCount === "number" && config.candidateCount > 1 ? Math.floor(config.candidateCount) : 1;
  const tool = pickFunction(body, markers.has("toolCall"));
  const candidates: Record<string, unknown>[] = [];
  let outputTokens = 0;
  let firstText = "";
  for (let index = 0; index < count; index++) {
    let parts: Record<string, unknown>[];
    let finishReason = "STOP";
    let text = "";
    if (tool) {
      const args = sampleFromSchema(lowerTypes(tool.parameters), stripMarkers(lastUser));
      parts = [{ functionCall: { name: tool.name, args } }];
      outputTokens += estimateTokens(JSON.stringify(args));
    } else {
      text = answerText(config, replyText({ model, prompt: lastUser, requestHash, variant: index }), markers.has("invalidJson"));
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
    if (index === 0) firstText = text;
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
  return { response: { candidates, usageMetadata, ...base }, text: firstText, fails: markers.has("streamError") };
}

function answerText(config: Record<string, unknown>, reply: string, invalid: boolean): string {
  const schema = config.responseJsonSchema ?? config.responseSchema;
  if (config.responseMimeType !== "application/json") return reply;
  if (invalid) return `Here is what you asked for: ${reply}`;
  return JSON.stringify(schema ? sampleFromSchema(lowerTypes(schema), reply) : { answer: reply });
}

/** The declared function the model calls, when asked by the marker or forced by `mode: ANY`. */
function pickFunction(body: Record<string, unknown>, marked: boolean): { name: string; parameters: unknown } | undefined {
  const declarations = (Array.isArray(body.tools) ? body.tools : []).flatMap((tool) => {
    const list = asObject(tool)?.functionDeclarations;
    return Array.isArray(list) ? list.map(asObject).filter((d) => typeof d?.name === "string") : [];
  });
  const mode = String(asObject(asObject(body.toolConfig)?.functionCallingConfig)?.mode ?? "AUTO").toUpperCase();
  if (declarations.length === 0 || mode === "NONE" || (!marked && mode !== "ANY")) return undefined;
  const fn = declarations[0]!;
  return { name: String(fn.name), parameters: fn.parameters ?? fn.parametersJsonSchema };
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

function stripMarkers(text: string): string {
  let result = text;
  for (const marker of Object.values(SIM_MARKERS)) result = result.split(marker).join("");
  return result.replace(/\s+/g, " ").trim();
}
