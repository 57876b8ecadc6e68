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

function isTextOnly(content: unknown): boolean {
  if (typeof content === "string") return true;
  return Array.isArray(content) && content.length > 0 && content.every((part) => isRecord(part) && part.type === "text" && typeof part.text === "string");
}
