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
  if (isFormat(params.response_format) || (isRecord(params.text) && isFormat(params.text.format))) return true;
  return isStructuredConfig(params.config) || isStructuredConfig(params.generationConfig) || isStructuredConfig(params.generation_config);
}

// Written without arrays or closures: this runs on every miss, where each allocation costs.
function isFormat(format: unknown): boolean {
  return format != null && !(isRecord(format) && format.type === "text");
}

function isStructuredConfig(config: unknown): boolean {
  if (!isRecord(config)) return false;
  for (const field of STRUCTURED_CONFIG_FIELDS) if (config[field] != null) return true;
  const mime = config.responseMimeType ?? config.response_mime_type;
  return typeof mime === "string" && mime !== "text/plain";
}

function usesTools(params: Record<string, unknown>): boolean {
  return hasTools(params) || hasTools(params.config);
}

function hasTools(holder: unknown): boolean {
  if (!isRecord(holder)) return false;
  for (const field of TOOL_FIELDS) {
    const value = holder[field];
    if (Array.isArray(value) ? value.length > 0 : value != null) return true;
  }
  return false;
}

function scanMedia(value: unknown, seen: MediaSeen, depth: number): void {
  if (depth > 32) return;
  if (typeof value === "string") {
    // Only a string starting with "d" or "D" can be a data URI: the others skip the regex.
    if ((value.charCodeAt(0) | 32) === 100) classifyMime(DATA_URI.exec(value)?.[1], seen);
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
  const fields = Object.keys(value);
  for (let index = 0; index < fields.length; index++) {
    const field = fields[index]!;
    const item = value[field];
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
