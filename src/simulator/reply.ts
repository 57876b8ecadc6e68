/**
 * What the simulated model "says", independent of any provider's wire format: deterministic
 * answer text, token estimates, markers that trigger special outcomes, and id helpers.
 *
 * @module
 */
import { createHash, randomBytes } from "node:crypto";
import { SIM_HEADERS, headerNumber } from "./headers.ts";

/**
 * Markers a test puts in the last user message to trigger an outcome.
 *
 * @example
 * ```ts
 * await client.chat.completions.create({ model, messages: [{ role: "user", content: `Hi ${SIM_MARKERS.refusal}` }] });
 * ```
 */
export const SIM_MARKERS = {
  /** In JSON mode, answer text that does not parse as JSON. */
  invalidJson: "[sim:invalid-json]",
  /** Stop with the provider's content-filter reason after a partial answer. */
  contentFilter: "[sim:content-filter]",
  /** Refuse: OpenAI `message.refusal` set, `content` null. */
  refusal: "[sim:refusal]",
  /** When tools are offered, call the first one. */
  toolCall: "[sim:tool-call]",
  /** Fail the generation: 500 without streaming, an error event halfway through a stream. */
  streamError: "[sim:stream-error]",
  /** Answer at length (about `LONG_REPLY_TOKENS` tokens), for streams of many deltas. */
  long: "[sim:long]",
  /** When tools are offered, call every one of them at once (parallel tool calls). */
  parallelToolCalls: "[sim:parallel-tool-calls]",
} as const;

/** Length of a `[sim:long]` answer, in tokens. */
export const LONG_REPLY_TOKENS = 300;

// Bounds what `x-sim-reply-tokens` can ask for, so a typo cannot exhaust memory.
const MAX_REPLY_TOKENS = 32_768;

export type SimMarker = keyof typeof SIM_MARKERS;

/** Which markers `text` contains. */
export function findMarkers(text: string): Set<SimMarker> {
  const found = new Set<SimMarker>();
  for (const [name, marker] of Object.entries(SIM_MARKERS)) {
    if (text.includes(marker)) found.add(name as SimMarker);
  }
  return found;
}

/** Rough token count (~4 characters per token), deterministic; at least 1 for non-empty text. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** JSON with object keys sorted at every depth, so equal requests hash equally in any key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
    return sorted;
  });
}

/** Hex SHA-256 of `text`, shortened to `length` characters. */
export function shortHash(text: string, length = 8): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A random id such as `chatcmpl-Ab3…`, unique per call (ids are how tests tell fresh answers from replays). */
export function randomId(prefix: string, length = 29): string {
  const bytes = randomBytes(length);
  let id = "";
  for (const byte of bytes) id += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return prefix + id;
}

/** Inputs of `replyText`. */
export interface ReplyInput {
  model: string;
  /** Text of the last user turn. */
  prompt: string;
  /** Hash of the whole request, so any parameter change changes the answer. */
  requestHash: string;
  /** Choice index (`n` > 1 gives distinct alternatives). @default 0 */
  variant?: number;
  /** Go on until the answer is at least this many tokens long. @default 0 */
  minTokens?: number;
}

/**
 * The deterministic answer to a request: quotes the prompt and names the model, so different
 * prompts give different answers and equal requests equal answers.
 */
export function replyText({ model, prompt, requestHash, variant = 0, minTokens = 0 }: ReplyInput): string {
  const flat = prompt.replace(/\s+/g, " ").trim();
  const quote = flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
  const alternative = variant > 0 ? ` Alternative ${variant + 1}.` : "";
  let text = `Simulated answer from ${model}: you asked "${quote}". This reply is deterministic for request ${requestHash}.${alternative}`;
  for (let sentence = 1; estimateTokens(text) < minTokens; sentence++) text += ` ${fillerSentence(requestHash, sentence)}`;
  return text;
}

const FILLER_SUBJECTS = ["The simulator", "Each delta", "A cached stream", "The replayed answer", "Every chunk", "This paragraph"];
const FILLER_VERBS = ["keeps", "carries", "repeats", "explains", "describes", "adds"];
const FILLER_OBJECTS = ["a few more words", "the same text on every run", "its share of the tokens", "detail for streaming tests", "one more point", "nothing surprising"];

/** Sentence `n` of a long answer: varied words, the same for the same request. */
function fillerSentence(requestHash: string, n: number): string {
  const seed = Number.parseInt(shortHash(`${requestHash}:${n}`, 6), 16);
  const pick = (list: readonly string[], shift: number): string => list[(seed >> shift) % list.length]!;
  return `Point ${n}: ${pick(FILLER_SUBJECTS, 0)} ${pick(FILLER_VERBS, 4)} ${pick(FILLER_OBJECTS, 8)}.`;
}

/** Minimum answer length a request asks for: the `[sim:long]` marker or the `x-sim-reply-tokens` header. */
export function requestedLength(markers: Set<SimMarker>, headers: Record<string, string>): number {
  const asked = Math.min(MAX_REPLY_TOKENS, headerNumber(headers, SIM_HEADERS.replyTokens) ?? 0);
  return Math.max(asked, markers.has("long") ? LONG_REPLY_TOKENS : 0);
}

/** The fixed text of a refusal. */
export const REFUSAL_TEXT = "I'm sorry, but I can't help with that request.";

/** The first half of `text` (by words): what a content filter lets through before stopping. */
export function partialText(text: string): string {
  const pieces = text.match(/\S+\s*/g) ?? [];
  return pieces.slice(0, Math.ceil(pieces.length / 2)).join("").trimEnd();
}

/** Cut `text` to about `maxTokens` tokens, mirroring `estimateTokens`. */
export function truncateToTokens(text: string, maxTokens: number): string {
  return text.slice(0, Math.max(0, maxTokens) * 4);
}

/** `text` without any marker, whitespace collapsed: what a tool call's arguments quote. */
export function stripMarkers(text: string): string {
  let result = text;
  for (const marker of Object.values(SIM_MARKERS)) result = result.split(marker).join("");
  return result.replace(/\s+/g, " ").trim();
}
