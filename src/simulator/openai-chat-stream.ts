/**
 * A `ChatAnswer` as the `chat.completion.chunk` events the real API streams: per choice a
 * role chunk, content (or refusal, or tool-call) deltas of a few tokens each with their
 * logprobs when asked, and a finish chunk, the choices of `n` > 1 interleaved; then the usage
 * chunk when `stream_options.include_usage` is set; then `data: [DONE]`.
 *
 * @module
 */
import type { ChatAnswer, SimChoice } from "./openai-chat.ts";
import { randomId } from "./reply.ts";
import { jsonEvent } from "./sse.ts";
import { streamPieces, tokenLogprobs } from "./tokens.ts";
import type { SseEvent } from "./types.ts";

/** Options of `chatCompletionEvents`, from the request. */
export interface ChatStreamOptions {
  /** Every chunk carries `usage: null` and a final chunk with `choices: []` carries the usage. */
  includeUsage: boolean;
  /** Chunks carry a random `obfuscation` field (the API default since 2025). */
  obfuscate: boolean;
  /** `top_logprobs` asked for when `logprobs: true`; `undefined` when logprobs are off. */
  logprobs: number | undefined;
}

/** One choice's entry in a chunk, before the chunk envelope. */
interface ChoiceDelta {
  delta: Record<string, unknown>;
  logprobs: Record<string, unknown> | null;
  finish_reason: string | null;
}

/** The SSE events of a streamed chat completion. */
export function chatCompletionEvents(answer: ChatAnswer, options: ChatStreamOptions): SseEvent[] {
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): SseEvent =>
    jsonEvent({
      id: answer.id,
      object: "chat.completion.chunk",
      created: answer.created,
      model: answer.model,
      service_tier: "default",
      system_fingerprint: answer.systemFingerprint,
      choices,
      ...(options.includeUsage ? { usage: null } : {}),
      ...(options.obfuscate ? { obfuscation: randomId("", 4 + Math.floor(Math.random() * 8)) } : {}),
      ...extra,
    });

  // The API interleaves the choices of n > 1: one chunk per choice delta, round robin.
  const perChoice = answer.choices.map((choice) => choiceDeltas(choice, options.logprobs));
  const events: SseEvent[] = [];
  const longest = Math.max(...perChoice.map((deltas) => deltas.length));
  for (let step = 0; step < longest; step++) {
    for (const [index, deltas] of perChoice.entries()) {
      const entry = deltas[step];
      if (entry) events.push(chunk([{ index, ...entry }]));
    }
  }
  if (options.includeUsage) events.push(chunk([], { usage: answer.usage }));
  events.push({ data: "[DONE]" });
  return events;
}

/** What the API sends when a generation fails mid-stream: a data event with an `error` object. */
export function chatStreamFailure(): SseEvent[] {
  return [jsonEvent({ error: { message: "The server had an error while processing your request. Sorry about that!", type: "server_error", param: null, code: null } })];
}

function choiceDeltas(choice: SimChoice, top: number | undefined): ChoiceDelta[] {
  const plain = (delta: Record<string, unknown>): ChoiceDelta => ({ delta, logprobs: null, finish_reason: null });
  const finish: ChoiceDelta = { delta: {}, logprobs: null, finish_reason: choice.finishReason };
  if (choice.toolCalls) {
    const deltas = [plain({ role: "assistant", content: null, refusal: null })];
    for (const [index, call] of choice.toolCalls.entries()) {
      const head = { index, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } };
      deltas.push(plain({ tool_calls: [head] }));
      for (const piece of streamPieces(call.function.arguments)) deltas.push(plain({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
    // The role travels with the first call's head, as the API sends it.
    const [role, firstHead, ...rest] = deltas;
    return [{ ...role!, delta: { ...role!.delta, ...firstHead!.delta } }, ...rest, finish];
  }
  if (choice.refusal !== null) {
    const pieces = streamPieces(choice.refusal).map((piece) => ({
      delta: { refusal: piece },
      logprobs: top === undefined ? null : { content: null, refusal: tokenLogprobs(piece, top) },
      finish_reason: null,
    }));
    return [plain({ role: "assistant", refusal: "" }), ...pieces, finish];
  }
  const pieces = streamPieces(choice.content ?? "").map((piece) => ({
    delta: { content: piece },
    logprobs: top === undefined ? null : { content: tokenLogprobs(piece, top), refusal: null },
    finish_reason: null,
  }));
  return [plain({ role: "assistant", content: "", refusal: null }), ...pieces, finish];
}
