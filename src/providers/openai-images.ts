import type { PromptType } from "../types.ts";
import { keyWithout, type CachedMethod } from "./adapter.ts";
import { withResponseIds } from "./json.ts";
import { openaiTokenUsage } from "./openai-usage.ts";
import { isRecord } from "./text.ts";
import { readUploads, uploadDigest } from "./upload-bytes.ts";

/**
 * `user` names the end user; an images response does not echo it. `partial_images` only adds
 * preview events to a stream, never changing the images it ends with.
 */
const imageKeyParams = keyWithout(["user", "partial_images"]);

/** The fields of an image edit that carry file uploads. */
const UPLOAD_FIELDS = ["image", "mask"] as const;

/**
 * Whether a request's images come back as base64 data, the only image answers worth keeping:
 * URLs expire after an hour. GPT image models always answer in base64 and refuse
 * `response_format`; dall-e answers with URLs unless asked for `b64_json`.
 */
function returnsBase64(params: Record<string, unknown>): boolean {
  if (params.response_format !== undefined) return params.response_format === "b64_json";
  return /^(gpt-image|chatgpt-image)/i.test(imageModel(params));
}

function imageModel(params: Record<string, unknown>): string {
  return String(params.model ?? "dall-e-2");
}

const imageMethod = {
  bypass: (params: Record<string, unknown>) => params.stream === true || !returnsBase64(params),
  model: imageModel,
  promptText: (params: Record<string, unknown>) => (typeof params.prompt === "string" ? params.prompt : ""),
  promptType: (): PromptType => "image_output",
  /** Base64 images, the only image answers ever stored. */
  isResponse(stored: unknown): boolean {
    if (!isRecord(stored) || !Array.isArray(stored.data) || stored.data.length === 0) return false;
    return stored.data.every((image) => isRecord(image) && typeof image.b64_json === "string" && image.b64_json !== "" && image.url == null);
  },
  isAnswer(response: unknown): boolean {
    return imageMethod.isResponse(response);
  },
  usage(response: unknown, params: Record<string, unknown>) {
    const body = isRecord(response) ? response : {};
    return {
      ...openaiTokenUsage(response, "input"),
      images: {
        count: Array.isArray(body.data) ? body.data.length : 0,
        size: String(body.size ?? params.size ?? "1024x1024"),
        quality: String(body.quality ?? params.quality ?? "standard"),
      },
    };
  },
  rebuild: (stored: unknown) => withResponseIds(stored),
};

/** `images.generate` of the `openai` SDK, cached when the images come back as base64. */
export const openaiImagesGenerate: CachedMethod = {
  ...imageMethod,
  path: ["images", "generate"],
  endpoint: "images.generations",
  keyParams: imageKeyParams,
};

/**
 * `images.edit` of the `openai` SDK, cached when the images come back as base64, keyed by the
 * bytes of its image(s) and mask whatever form they come in.
 */
export const openaiImagesEdit: CachedMethod = {
  ...imageMethod,
  path: ["images", "edit"],
  endpoint: "images.edits",
  async prepare(params) {
    const prepared = { ...params };
    for (const field of UPLOAD_FIELDS) {
      if (params[field] !== undefined) prepared[field] = await readUploads(params[field], field);
    }
    return prepared;
  },
  keyParams(params) {
    const keyed = imageKeyParams(params);
    const result = { ...keyed };
    for (const field of UPLOAD_FIELDS) {
      if (keyed[field] !== undefined) result[field] = uploadDigest(keyed[field]);
    }
    return result;
  },
};
