/**
 * Streamed Responses API calls (`stream: true`, `responses.stream()`): named `response.*`
 * events whose terminal `response.completed` carries the whole response, which is what a plain
 * call gets; a stored response is synthesised back into the events that build it.
 *
 * @module
 */
import type { StreamedMethod, StreamEvent } from "./adapter.ts";
import { openaiTokenUsage } from "./openai-usage.ts";
import { eventJson, jsonEvent, refusesObfuscation, withoutObfuscation } from "./sse-json.ts";
import { isRecord } from "./text.ts";

type Item = Record<string, unknown>;

/** Events that end a response stream, each carrying the response in its final state. */
const TERMINAL = new Set(["response.completed", "response.incomplete", "response.failed"]);

/** The response of the stream's terminal event; undefined when it has none (it was cut off). */
function terminalResponse(events: readonly StreamEvent[]): Item | undefined {
  for (let index = events.length - 1; index >= 0; index--) {
    const event = events[index]!;
    const type = event.event ?? eventJson(event)?.type;
    if (typeof type !== "string" || !TERMINAL.has(type)) continue;
    const data = eventJson(event);
    return data && isRecord(data.response) ? data.response : undefined;
  }
  return undefined;
}

/** The events that build `response`: each output item added, its text or arguments in one delta, done; then completed. */
function synthesiseResponse(response: Item): StreamEvent[] {
  const events: StreamEvent[] = [];
  const emit = (type: string, data: Item) => events.push(jsonEvent({ type, sequence_number: events.length, ...data }, type));
  const { output_text: _text, ...stored } = response;
  const started = { ...stored, status: "in_progress", output: [], usage: null, incomplete_details: null };
  emit("response.created", { response: started });
  emit("response.in_progress", { response: started });
  const output = Array.isArray(response.output) ? (response.output as Item[]) : [];
  for (const [outputIndex, item] of output.entries()) {
    const where = { item_id: item.id, output_index: outputIndex };
    if (item.type === "function_call") {
      emit("response.output_item.added", { output_index: outputIndex, item: { ...item, status: "in_progress", arguments: "" } });
      emit("response.function_call_arguments.delta", { ...where, delta: item.arguments });
      emit("response.function_call_arguments.done", { ...where, name: item.name, arguments: item.arguments });
    } else if (item.type === "message" && Array.isArray(item.content)) {
      emit("response.output_item.added", { output_index: outputIndex, item: { ...item, status: "in_progress", content: [] } });
      for (const [contentIndex, part] of (item.content as Item[]).entries()) {
        const at = { ...where, content_index: contentIndex };
        if (part.type === "refusal") {
          emit("response.content_part.added", { ...at, part: { type: "refusal", refusal: "" } });
          emit("response.refusal.delta", { ...at, delta: part.refusal });
          emit("response.refusal.done", { ...at, refusal: part.refusal });
        } else {
          emit("response.content_part.added", { ...at, part: { ...part, text: "", logprobs: [] } });
          emit("response.output_text.delta", { ...at, delta: part.text, logprobs: part.logprobs ?? [] });
          emit("response.output_text.done", { ...at, text: part.text, logprobs: part.logprobs ?? [] });
        }
        emit("response.content_part.done", { ...at, part });
      }
    } else {
      emit("response.output_item.added", { output_index: outputIndex, item });
    }
    emit("response.output_item.done", { output_index: outputIndex, item });
  }
  emit(response.status === "completed" || response.status === undefined ? "response.completed" : `response.${String(response.status)}`, { response: stored });
  return events;
}

/** Responses API streams. */
export const responseStream: StreamedMethod = {
  streams: (params) => params.stream === true,
  shown: (event, params) => (refusesObfuscation(params) ? withoutObfuscation(event) : event),
  isComplete(events) {
    if (events.some((event) => event.event === "error")) return false;
    const last = events.at(-1);
    return last !== undefined && (last.event ?? eventJson(last)?.type) === "response.completed";
  },
  assemble: (events) => terminalResponse(events),
  synthesise: (response) => (isRecord(response) ? synthesiseResponse(response) : []),
  usage: (events) => openaiTokenUsage(terminalResponse(events) ?? {}, "input"),
};
