/**
 * A language model's stream (`doStream`) as the engine's stream path sees it: each part one
 * server-sent event named by its type, its data the part as JSON with its dates and bytes
 * described (superjson), so that a replayed part is the recorded one exactly. Also how the parts
 * add up to the result `doGenerate` gives, and the parts that replay a stored result.
 *
 * @module
 */
import SuperJSON from "superjson";
import { copiedData, isCopyableData } from "../../cache/data-copy.ts";
import { keptByBody } from "../../cache/kept-by-body.ts";
import { createEventReader, formatEvent } from "../../cache/stream-events.ts";
import type { StreamedMethod, StreamEvent } from "../../providers/adapter.ts";
import { isRecord } from "../../providers/text.ts";
import { aiSdkUsage, decodeResult, encodeResult, type EncodedResult } from "./generate-method.ts";

type Part = Record<string, unknown> & { type: string };

/**
 * The first event of a recorded stream: what the stream result carries beside its parts (the
 * request sent, the response headers), so that a replay returns them too. Never a part.
 */
const RESULT_EVENT = "ecoai:stream-result";

/** What a stream result carries beside its parts. */
export interface StreamResultFields {
  request?: unknown;
  response?: unknown;
}
type Result = Record<string, unknown> & { content: Part[] };

const encoder = new TextEncoder();

export function partEvent(part: Part): StreamEvent {
  return { event: part.type, data: JSON.stringify(SuperJSON.serialize(part)) };
}

function eventPart(event: StreamEvent): Part {
  return SuperJSON.deserialize<Part>(JSON.parse(event.data), { inPlace: true });
}

/**
 * Result events decoded lately, by their data. A replay decodes the same one at every hit, and
 * its request and response headers (with their dates and `undefined` fields described beside
 * them) take about 20 µs to decode, a tenth of that to copy.
 */
const decodedResults = keptByBody<Part>();

/** The result event's part, each time the caller's own. */
function resultPart(event: StreamEvent): Part {
  const kept = decodedResults.get(event.data);
  if (kept !== undefined) return copiedData(kept) as Part;
  const part = eventPart(event);
  if (isCopyableData(part)) decodedResults.set(event.data, copiedData(part) as Part);
  return part;
}

/**
 * A live stream result as an event-stream response, for the engine to record and share: first
 * the result's request and response headers, then every part. A `response-metadata` part without
 * a time gets the time it arrived, so a replay says when the answer was made (providers that send
 * none leave the AI SDK to stamp the time of the call). `signal` (the engine's: no reader is
 * left) cancels the model's stream.
 */
export function partsResponse(result: StreamResultFields & { stream: ReadableStream<Part> }, signal: AbortSignal): Response {
  const reader = result.stream.getReader();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      signal.addEventListener("abort", () => void reader.cancel(signal.reason).catch(() => {}), { once: true });
      controller.enqueue(encoder.encode(formatEvent(partEvent({ type: RESULT_EVENT, request: result.request, response: result.response }))));
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      const part = value.type === "response-metadata" && value.timestamp === undefined ? { ...value, timestamp: new Date() } : value;
      controller.enqueue(encoder.encode(formatEvent(partEvent(part))));
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return new Response(body, { headers: { "content-type": "text/event-stream; charset=utf-8" } });
}

/**
 * The stream result in an event-stream body the engine answered with (live, shared or replayed):
 * its parts, and the request and response headers recorded with them.
 */
export async function resultOf(body: ReadableStream<Uint8Array>): Promise<StreamResultFields & { stream: ReadableStream<Part> }> {
  let events: ReturnType<typeof createEventReader>;
  let fields: (value: StreamResultFields) => void;
  const recorded = new Promise<StreamResultFields>((resolve) => (fields = resolve));
  const transformer: Transformer<Uint8Array, Part> = {
    start(controller) {
      events = createEventReader((event) => {
        const part = event.event === RESULT_EVENT ? resultPart(event) : eventPart(event);
        if (part.type !== RESULT_EVENT) return (fields({}), controller.enqueue(part));
        fields({ ...(part.request === undefined ? {} : { request: part.request }), ...(part.response === undefined ? {} : { response: part.response }) });
      });
    },
    transform: (chunk) => events.feed(chunk),
    flush() {
      events.end();
      fields({});
    },
  };
  // Room for one chunk before anyone reads: the first event comes with the first chunk.
  const stream = body.pipeThrough(new TransformStream(transformer, undefined, { highWaterMark: 1 }));
  return { ...(await recorded), stream };
}

/** The result `doGenerate` would give for the parts of a complete stream. */
function assemble(events: readonly StreamEvent[]): EncodedResult {
  const content: Part[] = [];
  const open = new Map<string, Part>();
  const result: Record<string, unknown> = { content, warnings: [] };
  let headers: unknown;
  for (const part of events.map(eventPart)) {
    switch (part.type) {
      case RESULT_EVENT:
        headers = isRecord(part.response) ? part.response.headers : undefined;
        break;
      case "stream-start":
        result.warnings = part.warnings;
        break;
      case "response-metadata": {
        const { type: _type, ...metadata } = part;
        result.response = metadata;
        break;
      }
      case "text-start":
      case "reasoning-start": {
        const block: Part = { type: part.type === "text-start" ? "text" : "reasoning", text: "", ...(part.providerMetadata ? { providerMetadata: part.providerMetadata } : {}) };
        open.set(`${block.type}:${String(part.id)}`, block);
        content.push(block);
        break;
      }
      case "text-delta":
      case "reasoning-delta": {
        const block = open.get(`${part.type === "text-delta" ? "text" : "reasoning"}:${String(part.id)}`);
        if (block) block.text = String(block.text) + String(part.delta);
        break;
      }
      case "text-end":
      case "reasoning-end": {
        const block = open.get(`${part.type === "text-end" ? "text" : "reasoning"}:${String(part.id)}`);
        if (block && part.providerMetadata) block.providerMetadata = part.providerMetadata;
        break;
      }
      case "finish":
        result.finishReason = part.finishReason;
        result.usage = part.usage;
        if (part.providerMetadata) result.providerMetadata = part.providerMetadata;
        break;
      // Tool input arrives whole in its tool-call part; raw chunks, pings and errors are no content.
      case "tool-input-start":
      case "tool-input-delta":
      case "tool-input-end":
      case "raw":
      case "ping":
      case "error":
        break;
      default:
        content.push(part);
    }
  }
  if (headers !== undefined) result.response = { ...(result.response as object | undefined), headers };
  return encodeResult(result);
}

/** The parts of a stream answering with a stored result: each block whole, in order. */
function synthesise(encoded: unknown): StreamEvent[] {
  const result = decodeResult<Result>(encoded as EncodedResult);
  const headers = isRecord(result.response) ? result.response.headers : undefined;
  const parts: Part[] = [{ type: RESULT_EVENT, ...(headers === undefined ? {} : { response: { headers } }) }, { type: "stream-start", warnings: result.warnings ?? [] }];
  if (isRecord(result.response)) {
    const { id, timestamp, modelId } = result.response;
    parts.push({ type: "response-metadata", ...(id === undefined ? {} : { id }), ...(timestamp === undefined ? {} : { timestamp }), ...(modelId === undefined ? {} : { modelId }) });
  }
  result.content.forEach((block, index) => {
    const id = String(index);
    if (block.type === "text" || block.type === "reasoning") {
      const { type, text, providerMetadata } = block;
      const meta = providerMetadata === undefined ? {} : { providerMetadata };
      parts.push({ type: `${type}-start`, id, ...meta }, { type: `${type}-delta`, id, delta: text }, { type: `${type}-end`, id, ...meta });
    } else if (block.type === "tool-call") {
      const started = { type: "tool-input-start", id: block.toolCallId, toolName: block.toolName, ...(block.providerExecuted === undefined ? {} : { providerExecuted: block.providerExecuted }), ...(block.dynamic === undefined ? {} : { dynamic: block.dynamic }) };
      parts.push(started, { type: "tool-input-delta", id: block.toolCallId, delta: block.input }, { type: "tool-input-end", id: block.toolCallId }, block);
    } else {
      parts.push(block);
    }
  });
  parts.push({ type: "finish", finishReason: result.finishReason, usage: result.usage, ...(result.providerMetadata === undefined ? {} : { providerMetadata: result.providerMetadata }) });
  return parts.map(partEvent);
}

/** How a model's `doStream` call streams: every call made through `wrapStream` does. */
export const AI_SDK_STREAM: StreamedMethod = {
  streams: (params) => params.streamed === true,
  // Raw provider chunks ride along only for a caller who asked for them (`includeRawChunks`).
  shown: (event, params) => (event.event === "raw" && params.rawChunks !== true ? undefined : event),
  isComplete: (events) => events.some((event) => event.event === "finish") && !events.some((event) => event.event === "error"),
  assemble,
  synthesise,
  usage(events) {
    const finish = events.findLast((event) => event.event === "finish");
    return aiSdkUsage(finish && eventPart(finish).usage);
  },
};
