/**
 * The OpenAI provider of the simulator, mounted at `/v1`: route table, bearer-key check,
 * embeddings and models. Chat completions, responses and images live in their own files.
 *
 * @module
 */
import { defaultDimensions, embedText, toBase64 } from "./embedding.ts";
import { handleChatCompletions } from "./openai-chat.ts";
import { handleImageEdits, handleImageGenerations } from "./openai-images.ts";
import { handleResponses } from "./openai-responses.ts";
import { asObject, missingParameter, openaiError, openaiJson } from "./openai-wire.ts";
import { estimateTokens } from "./reply.ts";
import type { JsonResponse, ProviderMount, SimRequest } from "./types.ts";

/** Models listed by `GET /v1/models`; chat and embeddings accept any model name. */
export const OPENAI_MODELS: readonly string[] = [
  "gpt-4o",
  "gpt-4o-mini",
  "gpt-4.1",
  "gpt-4.1-mini",
  "gpt-4.1-nano",
  "gpt-4-turbo",
  "gpt-3.5-turbo",
  "o3-mini",
  "text-embedding-3-small",
  "text-embedding-3-large",
  "text-embedding-ada-002",
  "gpt-image-1",
  "dall-e-3",
];

// A fixed date, so listings are identical across runs.
const MODEL_CREATED = 1_715_367_049;

/**
 * The OpenAI mount. The SDK's `baseURL` is `<simulator url>/v1`.
 */
export const openaiMount: ProviderMount = {
  name: "openai",
  basePath: "/v1",
  routes: [
    { method: "POST", pattern: /^\/chat\/completions$/, name: "openai.chat.completions", handle: handleChatCompletions },
    { method: "POST", pattern: /^\/responses$/, name: "openai.responses", handle: handleResponses },
    { method: "POST", pattern: /^\/images\/generations$/, name: "openai.images.generations", handle: handleImageGenerations },
    { method: "POST", pattern: /^\/images\/edits$/, name: "openai.images.edits", handle: handleImageEdits },
    { method: "POST", pattern: /^\/embeddings$/, name: "openai.embeddings", handle: handleEmbeddings },
    { method: "GET", pattern: /^\/models$/, name: "openai.models", handle: handleListModels },
    { method: "GET", pattern: /^\/models\/(.+)$/, name: "openai.models.retrieve", handle: handleRetrieveModel },
  ],
  error: openaiError,
  authenticate(request: SimRequest): JsonResponse | undefined {
    const match = /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? "");
    if (match) return undefined;
    return openaiError(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      { code: null },
    );
  },
};

function modelObject(id: string): Record<string, unknown> {
  return { id, object: "model", created: MODEL_CREATED, owned_by: id.startsWith("gpt-3.5") ? "openai" : "system" };
}

function handleListModels(): JsonResponse {
  return openaiJson({ object: "list", data: OPENAI_MODELS.map(modelObject) });
}

function handleRetrieveModel(_request: SimRequest, match: RegExpMatchArray): JsonResponse {
  const id = decodeURIComponent(match[1] ?? "");
  if (!OPENAI_MODELS.includes(id)) {
    return openaiError(404, `The model '${id}' does not exist`, { param: "model", code: "model_not_found" });
  }
  return openaiJson(modelObject(id));
}

/**
 * `POST /v1/embeddings`. The SDK v6 asks for `encoding_format: "base64"` unless the caller
 * sets one, and decodes it back to `number[]`; both encodings carry the same float32 values.
 */
function handleEmbeddings(request: SimRequest): JsonResponse {
  const body = asObject(request.body) ?? {};
  if (typeof body.model !== "string" || body.model === "") return missingParameter("model");
  const inputs = embeddingInputs(body.input);
  if (inputs === undefined) return missingParameter("input");
  if (inputs.length === 0 || inputs.some((text) => text === "")) {
    return openaiError(400, "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", {
      param: "input",
    });
  }
  const dimensions = typeof body.dimensions === "number" ? body.dimensions : defaultDimensions(body.model);
  if (!Number.isInteger(dimensions) || dimensions < 1) {
    return openaiError(400, `Invalid value for 'dimensions' = ${dimensions}. Must be a positive integer.`, { param: "dimensions" });
  }
  const base64 = body.encoding_format === "base64";
  const tokens = inputs.reduce((sum, text) => sum + estimateTokens(text), 0);
  return openaiJson({
    object: "list",
    data: inputs.map((text, index) => {
      const vector = embedText(text, dimensions);
      return { object: "embedding", index, embedding: base64 ? toBase64(vector) : Array.from(vector) };
    }),
    model: body.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

/** Texts of `input`: a string, strings, or token arrays (embedded as their id list). */
function embeddingInputs(input: unknown): string[] | undefined {
  if (typeof input === "string") return [input];
  if (!Array.isArray(input)) return undefined;
  if (input.every((item) => typeof item === "number")) return [input.join(" ")];
  return input.map((item) => (typeof item === "string" ? item : Array.isArray(item) ? item.join(" ") : String(item)));
}
