import { withoutStream, type SemanticParts } from "./adapter.ts";
import { contentText, isRecord } from "./text.ts";

/**
 * Semantic split of a chat-style request (`messages` of `{ role, content }` turns, as OpenAI chat
 * completions and Anthropic messages take): the key params with the last user turn's text taken
 * out, and that text. Undefined when that turn holds anything but text (images, files, tool
 * results), or no text at all.
 */
export function chatSemanticParts(params: Record<string, unknown>): SemanticParts | undefined {
  const messages = Array.isArray(params.messages) ? params.messages : [];
  const last = messages.findLastIndex((message) => isRecord(message) && message.role === "user");
  const message = messages[last];
  if (!isRecord(message) || !isTextOnly(message.content)) return undefined;
  const text = contentText(message.content);
  if (text.trim() === "") return undefined;
  // The turn stays in place (its role, name and position count); only its text leaves the context.
  const context = { ...withoutStream(params), messages: messages.with(last, { ...message, content: null }) };
  return { context, text };
}

/**
 * Semantic split of an OpenAI Responses API request: `input` as a string, or the last user
 * message of an `input` list, taken out; `instructions` and everything else stay in the context.
 */
export function responsesSemanticParts(params: Record<string, unknown>): SemanticParts | undefined {
  if (typeof params.input === "string") {
    return params.input.trim() === "" ? undefined : { context: { ...withoutStream(params), input: null }, text: params.input };
  }
  const split = chatSemanticParts({ messages: params.input });
  return split && { context: { ...withoutStream(params), input: (split.context as { messages: unknown }).messages }, text: split.text };
}

/**
 * Semantic split of a Gemini request in its keyed form (`contents` as a list of `{ role, parts }`):
 * the last user turn's parts taken out when they are all plain text; the system instruction,
 * config and earlier turns stay in the context.
 */
export function geminiSemanticParts(keyed: unknown): SemanticParts | undefined {
  if (!isRecord(keyed) || !Array.isArray(keyed.contents)) return undefined;
  const contents = keyed.contents;
  const last = contents.findLastIndex((turn) => isRecord(turn) && (turn.role === undefined || turn.role === "user"));
  const turn = contents[last];
  if (!isRecord(turn) || !Array.isArray(turn.parts) || turn.parts.length === 0) return undefined;
  const plainText = turn.parts.every((part) => isRecord(part) && typeof part.text === "string" && Object.keys(part).every((field) => field === "text"));
  if (!plainText) return undefined;
  const text = contentText(turn.parts);
  if (text.trim() === "") return undefined;
  return { context: { ...keyed, contents: contents.with(last, { ...turn, parts: null }) }, text };
}

/** Text parts are `text` in chat messages and `input_text` in Responses API input. */
const TEXT_PARTS = new Set(["text", "input_text"]);

function isTextOnly(content: unknown): boolean {
  if (typeof content === "string") return true;
  return Array.isArray(content) && content.length > 0 && content.every((part) => isRecord(part) && TEXT_PARTS.has(String(part.type)) && typeof part.text === "string");
}
