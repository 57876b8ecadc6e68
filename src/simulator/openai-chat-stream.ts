/**
 * A `ChatAnswer` as the `chat.completion.chunk` events the real API streams: per choice a
 * role chunk, content (or refusal, or tool-argument) deltas and a finish chunk; then the
 * usage chunk when `stream_options.include_usage` is set; then `data: [DONE]`.
 *
 * @module
 */
import type { ChatAnswer, SimChoice } from "./openai-chat.ts";
import { randomId, streamPieces } from "./reply.ts";
import { jsonEvent } from "./sse.ts";
import type { SseEvent } from "./types.ts";

/** Options of `chatCompletionEvents`, from the request's `stream_options`. */
export interface ChatStreamOptions {
  /** Every chunk carries `usage: null` and a final chunk with `choices: []` carries the usage. */
  includeUsage: boolean;
  /** Chunks carry a random `obfuscation` field (the API default since 2025). */
  obfuscate: boolean;
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

  const events: SseEvent[] = [];
  for (const [index, choice] of answer.choices.entries()) {
    const deltas = choiceDeltas(choice);
    const pieces = answer.fails && index === 0 ? deltas.slice(0, Math.ceil(deltas.length / 2)) : deltas;
    for (const delta of pieces) events.push(chunk([{ index, delta, logprobs: null, finish_reason: null }]));
    if (answer.fails) {
      // Mid-stream failures arrive as a data event with an `error` object; the SDK throws `APIError`.
      events.push(jsonEvent({ error: { message: "The server had an error while processing your request.", type: "server_error", param: null, code: null } }));
      return events;
    }
    events.push(chunk([{ index, delta: {}, logprobs: null, finish_reason: choice.finishReason }]));
  }
  if (options.includeUsage) events.push(chunk([], { usage: answer.usage, obfuscation: undefined }));
  events.push({ data: "[DONE]" });
  return events;
}

function choiceDeltas(choice: SimChoice): Array<Record<string, unknown>> {
  const call = choice.toolCalls?.[0];
  if (call) {
    const head = { index: 0, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } };
    const args = call.function.arguments.match(/[^]{1,12}/g) ?? [];
    return [
      { role: "assistant", content: null, tool_calls: [head], refusal: null },
      ...args.map((piece) => ({ tool_calls: [{ index: 0, function: { arguments: piece } }] })),
    ];
  }
  if (choice.refusal !== null) {
    return [{ role: "assistant", refusal: null }, ...streamPieces(choice.refusal).map((piece) => ({ refusal: piece }))];
  }
  const content = choice.content ?? "";
  const pieces = content === "" ? [] : streamPieces(content);
  return [{ role: "assistant", content: "", refusal: null }, ...pieces.map((piece) => ({ content: piece }))];
}
