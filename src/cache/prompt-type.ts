import { isRecord } from "../providers/text.ts";
import type { PromptType } from "../types.ts";

const DATA_URI = /^data:([\w.+-]+\/[\w.+-]+)[;,]/i;
const IMAGE_PART_TYPES = new Set(["image_url", "input_image", "image"]);
const AUDIO_PART_TYPES = new Set(["input_audio", "audio"]);
const FILE_PART_TYPES = new Set(["document", "input_file"]);
const TOOL_FIELDS = ["tools", "functions", "tool_choice", "toolConfig", "tool_config"];
const STRUCTURED_CONFIG_FIELDS = ["responseSchema", "responseJsonSchema", "response_schema"];

interface MediaSeen {
  image: boolean;
  audio: boolean;
  file: boolean;
}

/**
 * Classifies a request of any supported provider, first match wins:
 * `structured` (a response format or schema) > `tool` > `file` > `audio` > `image` > `text`.
 *
 * @example
 * detectPromptType({ model: "gpt-4o", messages: [{ role: "user", content: [
 *   { type: "text", text: "What is this?" },
 *   { type: "image_url", image_url: { url: "data:image/png;base64,iVBO…" } },
 * ] }] }) // → "image"
 */
export function detectPromptType(params: unknown): PromptType {
  if (!isRecord(params)) return "text";
  if (isStructured(params)) return "structured";
  if (usesTools(params)) return "tool";
  const seen: MediaSeen = { image: false, audio: false, file: false };
  scanMedia(params, seen, 0);
  if (seen.file) return "file";
  if (seen.audio) return "audio";
  if (seen.image) return "image";
  return "text";
}

function isStructured(params: Record<string, unknown>): boolean {
  if (params.output_format != null) return true;
  if (isRecord(params.output_config) && params.output_config.format != null) return true;
  // Chat completions' `response_format` and the Responses API's `text.format`: any but plain text.
  for (const format of [params.response_format, isRecord(params.text) ? params.text.format : undefined]) {
    if (format != null && !(isRecord(format) && format.type === "text")) return true;
  }
  for (const config of [params.config, params.generationConfig, params.generation_config]) {
    if (!isRecord(config)) continue;
    if (STRUCTURED_CONFIG_FIELDS.some((field) => config[field] != null)) return true;
    const mime = config.responseMimeType ?? config.response_mime_type;
    if (typeof mime === "string" && mime !== "text/plain") return true;
  }
  return false;
}

function usesTools(params: Record<string, unknown>): boolean {
  const present = (holder: unknown) =>
    isRecord(holder) &&
    TOOL_FIELDS.some((field) => {
      const value = holder[field];
      return Array.isArray(value) ? value.length > 0 : value != null;
    });
  return present(params) || present(params.config);
}

function scanMedia(value: unknown, seen: MediaSeen, depth: number): void {
  if (depth > 32) return;
  if (typeof value === "string") {
    classifyMime(DATA_URI.exec(value)?.[1], seen);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) scanMedia(item, seen, depth + 1);
    return;
  }
  if (!isRecord(value)) return;
  const type = value.type;
  if (typeof type === "string") {
    if (IMAGE_PART_TYPES.has(type)) seen.image = true;
    else if (AUDIO_PART_TYPES.has(type)) seen.audio = true;
    else if (FILE_PART_TYPES.has(type)) seen.file = true;
    // OpenAI's chat file part is `{ type: "file", file }`; Anthropic's `{ type: "file", file_id }` is
    // the source of an image or document block, which that block's own type classifies.
    else if (type === "file" && value.file != null) seen.file = true;
  }
  for (const [field, item] of Object.entries(value)) {
    if (field === "file_url" && item != null) seen.file = true;
    else if (field === "inlineData" || field === "inline_data" || field === "fileData" || field === "file_data") {
      if (isRecord(item)) classifyMime(String(item.mimeType ?? item.mime_type ?? ""), seen, true);
      else if (typeof item === "string") classifyMime(DATA_URI.exec(item)?.[1] ?? "", seen, true);
    }
    scanMedia(item, seen, depth + 1);
  }
}

/** A MIME type of image/* or audio/* counts as such; any other (PDF, text, video…) counts as a file. */
function classifyMime(mime: string | undefined, seen: MediaSeen, isAttachment = false): void {
  if (mime === undefined) return;
  const lower = mime.toLowerCase();
  if (lower.startsWith("image/")) seen.image = true;
  else if (lower.startsWith("audio/")) seen.audio = true;
  else if (lower !== "" || isAttachment) seen.file = true;
}
