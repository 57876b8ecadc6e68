/**
 * `POST /v1/images/generations` (JSON) and `POST /v1/images/edits` (multipart): deterministic
 * image bytes per request, as base64 or as a URL the way each model family answers.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { asObject, missingParameter, openaiError, openaiJson } from "./openai-wire.ts";
import { canonicalJson, estimateTokens, findMarkers } from "./reply.ts";
import type { JsonResponse, SimRequest } from "./types.ts";

/** Output tokens of one GPT image by quality, for 1024x1024 (OpenAI's published counts). */
const IMAGE_TOKENS: Record<string, number> = { low: 272, medium: 1056, high: 4160 };

/** Handle `POST /v1/images/generations`. */
export function handleImageGenerations(request: SimRequest): JsonResponse {
  const body = asObject(request.body) ?? {};
  if (typeof body.prompt !== "string" || body.prompt === "") return missingParameter("prompt");
  return answer(body, String(body.model ?? "dall-e-2"), "");
}

/** Handle `POST /v1/images/edits`: the uploaded image(s) and mask change the output. */
export function handleImageEdits(request: SimRequest): JsonResponse {
  const body = asObject(request.body) ?? {};
  const images = (request.files ?? []).filter((file) => file.field === "image" || file.field === "image[]");
  if (images.length === 0) return missingParameter("image");
  if (typeof body.prompt !== "string" || body.prompt === "") return missingParameter("prompt");
  const uploads = createHash("sha256");
  for (const file of request.files ?? []) uploads.update(file.field).update(file.bytes);
  return answer(body, String(body.model ?? "dall-e-2"), uploads.digest("hex"));
}

function answer(body: Record<string, unknown>, model: string, uploads: string): JsonResponse {
  const gptImage = /^(gpt-image|chatgpt-image)/.test(model);
  if (gptImage && body.response_format !== undefined) {
    return openaiError(400, "Unknown parameter: 'response_format'.", { param: "response_format", code: "unknown_parameter" });
  }
  if (findMarkers(String(body.prompt)).has("contentFilter")) {
    return openaiError(400, "Your request was rejected as a result of our safety system.", { code: "moderation_blocked" });
  }
  const n = Number(body.n ?? 1);
  const base64 = gptImage || body.response_format === "b64_json";
  const quality = String(body.quality ?? (gptImage ? "auto" : "standard")).replace("auto", "medium");
  const size = String(body.size ?? "1024x1024").replace("auto", "1024x1024");
  // Streaming and the end-user id cannot change the images, as with the real API.
  const seed = canonicalJson({ ...body, stream: undefined, user: undefined }) + uploads;
  const data = Array.from({ length: n }, (_, index) => {
    const bytes = imageBytes(`${seed}#${index}`);
    const image: Record<string, unknown> = base64 ? { b64_json: bytes.toString("base64") } : { url: `https://sim.invalid/images/${bytes.subarray(8, 24).toString("hex")}.png` };
    if (model.startsWith("dall-e-3")) image.revised_prompt = `A detailed rendering of: ${String(body.prompt)}`;
    return image;
  });
  const json: Record<string, unknown> = { created: Math.floor(Date.now() / 1000), data };
  if (gptImage) {
    const inputTokens = estimateTokens(String(body.prompt)) + (uploads ? 323 : 0);
    const outputTokens = n * (IMAGE_TOKENS[quality] ?? 1056);
    Object.assign(json, {
      background: body.background ?? "opaque",
      output_format: body.output_format ?? "png",
      quality,
      size,
      usage: {
        input_tokens: inputTokens,
        input_tokens_details: { image_tokens: uploads ? 323 : 0, text_tokens: inputTokens - (uploads ? 323 : 0) },
        output_tokens: outputTokens,
        total_tokens: inputTokens + outputTokens,
      },
    });
  }
  return openaiJson(json);
}

/** A few deterministic bytes behind a PNG signature: enough to tell images apart. */
function imageBytes(seed: string): Buffer {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, createHash("sha256").update(seed).digest()]);
}
