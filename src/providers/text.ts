/** Text of a message content: a string, or the `text` of its parts (OpenAI, Anthropic and Gemini part shapes). */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (typeof part === "string" ? part : isRecord(part) && typeof part.text === "string" ? part.text : ""))
      .filter((text) => text !== "")
      .join("\n");
  }
  if (isRecord(content) && typeof content.text === "string") return content.text;
  return "";
}

/** The last user turn's text, falling back to the text of every turn. */
export function lastUserText(turns: unknown, isUser: (turn: Record<string, unknown>) => boolean, textOf: (turn: Record<string, unknown>) => string): string {
  if (!Array.isArray(turns)) return "";
  for (let index = turns.length - 1; index >= 0; index--) {
    const turn = turns[index];
    if (isRecord(turn) && isUser(turn)) {
      const text = textOf(turn);
      if (text !== "") return text;
    }
  }
  return turns
    .map((turn) => (isRecord(turn) ? textOf(turn) : ""))
    .filter((text) => text !== "")
    .join("\n");
}

/** Whether `value` is a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
