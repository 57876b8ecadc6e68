import type { TokenUsage } from "../types.ts";
import { parsesAsJson } from "./json.ts";
import { contentText, isRecord, lastUserText } from "./text.ts";

/**
 * The Gemini `generateContent` wire format, shared by the `@google/genai` and
 * `@google/generative-ai` adapters: contents in their canonical form, what counts as an answer,
 * token usage and prompt text.
 */

/** Stops that mean the model answered: a full answer, or as much as `maxOutputTokens` allowed. */
const ANSWER_FINISH_REASONS = new Set(["STOP", "MAX_TOKENS"]);

/**
 * `contents` as the SDKs send them: a list of `{ role, parts }`. A string, a part or a list of
 * parts becomes one user turn, as both SDKs do before sending. Undefined for input the SDK
 * rejects (it reports that itself).
 */
export function canonicalContents(input: unknown): Record<string, unknown>[] | undefined {
  if (input === null || input === undefined) return undefined;
  if (!Array.isArray(input)) {
    if (isContent(input)) return [input];
    const part = canonicalPart(input);
    return part && !isFunctionPart(part) ? [{ role: "user", parts: [part] }] : undefined;
  }
  if (input.length === 0) return undefined;
  if (input.every(isContent)) return input;
  const parts = input.map(canonicalPart);
  if (parts.some((part) => part === undefined || isContent(part))) return undefined;
  return [{ role: "user", parts }];
}

function canonicalPart(part: unknown): Record<string, unknown> | undefined {
  if (typeof part === "string") return { text: part };
  return isRecord(part) ? part : undefined;
}

function isContent(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && Array.isArray(value.parts);
}

/** Function calls and responses need an explicit role, so a bare one is not a user turn. */
export function isFunctionPart(part: Record<string, unknown>): boolean {
  return "functionCall" in part || "functionResponse" in part;
}

/** The model name without the `models/` resource prefix, as pricing and logs name it. */
export function modelName(model: unknown): string {
  return String(model ?? "").replace(/^models\//, "");
}

/** The text of the last user turn (a turn without a role is the user's), else of every turn. */
export function promptText(contents: unknown): string {
  return lastUserText(
    contents,
    (turn) => turn.role === undefined || turn.role === "user",
    (turn) => contentText(turn.parts),
  );
}

/** Whether a generation config asks for JSON: a JSON MIME type, or a schema not in enum mode. */
export function wantsJson(config: unknown): boolean {
  if (!isRecord(config)) return false;
  const mime = typeof config.responseMimeType === "string" ? config.responseMimeType.toLowerCase() : undefined;
  if (mime === "application/json") return true;
  const schema = config.responseSchema ?? config.responseJsonSchema;
  return schema != null && mime !== "text/x.enum";
}

/** A `GenerateContentResponse`'s shape: a non-empty list of `candidates`. */
export function isResponse(value: unknown): value is Record<string, unknown> & { candidates: Record<string, unknown>[] } {
  return isRecord(value) && Array.isArray(value.candidates) && value.candidates.length > 0 && value.candidates.every(isRecord);
}

/**
 * Whether a `GenerateContentResponse` is a real answer: candidates that stopped normally or at
 * the token limit, no blocked prompt, and text that parses when JSON was asked for. Safety,
 * recitation, blocklist, prohibited-content, SPII, malformed-call and other stops are not.
 */
export function isAnswer(response: unknown, json: boolean): boolean {
  if (!isResponse(response)) return false;
  if (isRecord(response.promptFeedback) && response.promptFeedback.blockReason != null) return false;
  return response.candidates.every((candidate) => {
    if (!ANSWER_FINISH_REASONS.has(String(candidate.finishReason))) return false;
    if (!json) return true;
    const parts = isRecord(candidate.content) && Array.isArray(candidate.content.parts) ? candidate.content.parts : [];
    if (parts.some((part) => isRecord(part) && part.functionCall != null)) return true;
    const text = parts
      .filter((part): part is Record<string, unknown> => isRecord(part) && typeof part.text === "string" && part.thought !== true)
      .map((part) => part.text)
      .join("");
    return parsesAsJson(text);
  });
}

/** Token counts from `usageMetadata`; thinking tokens are billed as output. */
export function usage(response: unknown): TokenUsage {
  const metadata = isRecord(response) && isRecord(response.usageMetadata) ? response.usageMetadata : {};
  const count = (field: string) => Number(metadata[field] ?? 0) || 0;
  return {
    inputTokens: count("promptTokenCount") + count("toolUsePromptTokenCount"),
    cachedInputTokens: count("cachedContentTokenCount"),
    outputTokens: count("candidatesTokenCount") + count("thoughtsTokenCount"),
    ...(count("thoughtsTokenCount") > 0 ? { reasoningTokens: count("thoughtsTokenCount") } : {}),
  };
}
