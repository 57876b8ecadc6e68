/**
 * A Responses API `Response` as the named `response.*` events the real API streams:
 * `response.created`, `response.in_progress`, then per output item `output_item.added`, its
 * content parts (`content_part.added`, `output_text.delta` or `refusal.delta` pieces, their
 * `.done`, `content_part.done`) or function-call argument deltas, `output_item.done`; then
 * `response.completed` (or `response.incomplete`) carrying the whole response and its usage.
 *
 * @module
 */
import { randomId } from "./reply.ts";
import { jsonEvent } from "./sse.ts";
import { streamPieces, tokenLogprobs } from "./tokens.ts";
import type { SseEvent } from "./types.ts";

/** Options of `responseEvents`, from the request. */
export interface ResponseStreamOptions {
  /** Delta events carry a random `obfuscation` field (the API default). */
  obfuscate: boolean;
  /** `top_logprobs` when output-text logprobs are included; `undefined` when not. */
  logprobs: number | undefined;
}

type Item = Record<string, unknown>;

/** The events of a streamed response whose final state is `response`. */
export function responseEvents(response: Item, options: ResponseStreamOptions): SseEvent[] {
  const events: SseEvent[] = [];
  const emit = (type: string, data: Item): void => {
    events.push(jsonEvent({ type, sequence_number: events.length, ...data }, type));
  };
  const obfuscation = (): Item => (options.obfuscate ? { obfuscation: randomId("", 4 + Math.floor(Math.random() * 8)) } : {});

  const inProgress = startedResponse(response);
  emit("response.created", { response: inProgress });
  emit("response.in_progress", { response: inProgress });
  for (const [outputIndex, item] of (response.output as Item[]).entries()) {
    const where = { item_id: item.id, output_index: outputIndex };
    if (item.type === "function_call") {
      emit("response.output_item.added", { output_index: outputIndex, item: { ...item, status: "in_progress", arguments: "" } });
      for (const delta of streamPieces(String(item.arguments))) emit("response.function_call_arguments.delta", { ...where, delta, ...obfuscation() });
      emit("response.function_call_arguments.done", { ...where, name: item.name, arguments: item.arguments });
    } else {
      emit("response.output_item.added", { output_index: outputIndex, item: { ...item, status: "in_progress", content: [] } });
      for (const [contentIndex, part] of (item.content as Item[]).entries()) {
        const at = { ...where, content_index: contentIndex };
        if (part.type === "refusal") {
          emit("response.content_part.added", { ...at, part: { type: "refusal", refusal: "" } });
          for (const delta of streamPieces(String(part.refusal))) emit("response.refusal.delta", { ...at, delta, ...obfuscation() });
          emit("response.refusal.done", { ...at, refusal: part.refusal });
        } else {
          emit("response.content_part.added", { ...at, part: { ...part, text: "", logprobs: [] } });
          for (const delta of streamPieces(String(part.text))) {
            const logprobs = options.logprobs === undefined ? [] : tokenLogprobs(delta, options.logprobs);
            emit("response.output_text.delta", { ...at, delta, logprobs, ...obfuscation() });
          }
          emit("response.output_text.done", { ...at, text: part.text, logprobs: part.logprobs ?? [] });
        }
        emit("response.content_part.done", { ...at, part });
      }
    }
    emit("response.output_item.done", { output_index: outputIndex, item });
  }
  emit(response.status === "completed" ? "response.completed" : "response.incomplete", { response });
  return events;
}

/**
 * What the API sends when a generation fails after `sent` events: an `error` event, then the
 * terminal `response.failed` whose response has `status: "failed"` and the error. Neither
 * makes the SDK throw: a caller learns of the failure from the events or `finalResponse()`.
 */
export function responseStreamFailure(response: Item, sent: number): SseEvent[] {
  const error = { code: "server_error", message: "The server had an error while processing your request. Sorry about that!" };
  return [
    jsonEvent({ type: "error", sequence_number: sent, ...error, param: null }, "error"),
    jsonEvent({ type: "response.failed", sequence_number: sent + 1, response: { ...startedResponse(response), status: "failed", error } }, "response.failed"),
  ];
}

/** The response as `response.created` shows it: in progress, no output, no usage yet. */
function startedResponse(response: Item): Item {
  return { ...response, status: "in_progress", output: [], usage: null, incomplete_details: null };
}
