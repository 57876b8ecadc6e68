import { isEventStream } from "../cache/stream-events.ts";
import type { StreamedMethod, StreamEvent, StreamExchange } from "./adapter.ts";
import { assembleChunks, isFinished, splitResponse } from "./gemini-stream.ts";
import { usage } from "./gemini-wire.ts";
import { isRecord } from "./text.ts";

/**
 * `@google/genai` `models.generateContentStream`, cached. The SDK takes a `fetch` per call
 * (`config.httpOptions.fetch`), so the engine answers the SDK's own request and the SDK builds its
 * own async generator of `GenerateContentResponse`s over the answer, as it does over a live one.
 *
 * The SDK puts the HTTP response's headers on every chunk (`sdkHttpResponse.headers`), as it does
 * on a plain response. So that a replayed chunk holds what the live one held, the headers travel
 * with the events: a first event named {@link HEADERS_EVENT} the SDK never sees.
 */

type Json = Record<string, unknown>;

/** The event that carries the HTTP response's headers at the head of a recorded stream. */
const HEADERS_EVENT = "ecoai-headers";

/** Response headers that describe the bytes as they crossed the wire, not the answer. */
const WIRE_HEADERS = new Set(["content-length", "content-encoding", "transfer-encoding"]);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The JSON chunks among recorded events (the headers event aside). */
function chunksOf(events: readonly StreamEvent[]): Json[] {
  return events.flatMap((event) => {
    if (event.event !== undefined) return [];
    try {
      const value: unknown = JSON.parse(event.data);
      return isRecord(value) ? [value] : [];
    } catch {
      return [];
    }
  });
}

function headersOf(events: readonly StreamEvent[]): Json | undefined {
  const event = events.find((candidate) => candidate.event === HEADERS_EVENT);
  if (!event) return undefined;
  try {
    const value: unknown = JSON.parse(event.data);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Streams of `generateContentStream`: stored as the `GenerateContentResponse` `generateContent`
 * returns for the same answer (its `sdkHttpResponse` the stream's headers), so that a plain call
 * and a stream of one request share an entry.
 */
export const genaiContentStream: StreamedMethod = {
  streams: () => true,
  isComplete: (events) => isFinished(chunksOf(events)),
  assemble(events) {
    const response = assembleChunks(chunksOf(events));
    const headers = headersOf(events);
    return response && (headers ? { sdkHttpResponse: { headers }, ...response } : response);
  },
  synthesise(stored) {
    if (!isRecord(stored)) return [];
    const { sdkHttpResponse, ...response } = stored;
    const headers = isRecord(sdkHttpResponse) && isRecord(sdkHttpResponse.headers) ? sdkHttpResponse.headers : undefined;
    const chunks = splitResponse(withWireCitations(response)).map((chunk) => ({ data: JSON.stringify(chunk) }));
    return headers ? [{ event: HEADERS_EVENT, data: JSON.stringify(headers) }, ...chunks] : chunks;
  },
  usage: (events) => usage(chunksOf(events).findLast((chunk) => isRecord(chunk.usageMetadata)) ?? {}),
};

/** The SDK names a candidate's citations `citations`; the wire it reads a chunk from, `citationSources`. */
function withWireCitations(response: Json): Json {
  if (!Array.isArray(response.candidates)) return response;
  const candidates = response.candidates.map((candidate) => {
    if (!isRecord(candidate) || !isRecord(candidate.citationMetadata) || !("citations" in candidate.citationMetadata)) return candidate;
    const { citations, ...rest } = candidate.citationMetadata;
    return { ...candidate, citationMetadata: { ...rest, citationSources: citations } };
  });
  return { ...response, candidates };
}

interface GenAILike {
  models: { generateContentStream(params: Json): Promise<unknown> };
  apiClient?: { clientOptions?: { httpOptions?: { fetch?: typeof fetch } } };
}

/**
 * A stand-in for the client whose `models.generateContentStream` sends its request through
 * `exchange`: upstream with the call's own `fetch`, else the client's, else the global one. The
 * SDK's generator comes back as it is, except that its end, its error and leaving it early
 * (`break`, `return()`, `throw()`) also let go of the response, which the SDK leaves unread: a
 * stream left early is then abandoned (upstream cancelled once no identical stream follows it,
 * and never stored).
 */
export function genaiStreamingClient(client: object, exchange: StreamExchange): object {
  const genai = client as GenAILike;
  return {
    models: {
      async generateContentStream(params: Json) {
        const config = isRecord(params.config) ? params.config : {};
        const http = isRecord(config.httpOptions) ? config.httpOptions : {};
        const upstream = (http.fetch as typeof fetch | undefined) ?? genai.apiClient?.clientOptions?.httpOptions?.fetch ?? globalThis.fetch;
        let release = () => {};
        const answered = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
          const live = async (signal: AbortSignal) => withHeadersEvent(await upstream(url, { ...init, signal }));
          const read = await withRecordedHeaders(await exchange({ live, signal: init?.signal ?? undefined }), init?.signal ?? undefined);
          release = read.release;
          return read.response;
        };
        const stream = await genai.models.generateContentStream({ ...params, config: { ...config, httpOptions: { ...http, fetch: answered } } });
        return releasing(stream as AsyncGenerator<unknown>, () => release());
      },
    },
  };
}

/** A live stream with its headers as a first event, so the recording keeps them. */
function withHeadersEvent(response: Response): Response {
  if (!isEventStream(response)) return response;
  const headers: Json = {};
  response.headers.forEach((value, name) => {
    if (!WIRE_HEADERS.has(name)) headers[name] = value;
  });
  const head = encoder.encode(`event: ${HEADERS_EVENT}\ndata: ${JSON.stringify(headers)}\n\n`);
  const body = response.body!.getReader();
  let sentHead = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!sentHead) {
        sentHead = true;
        return controller.enqueue(head);
      }
      const { value, done } = await body.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => body.cancel(reason),
  });
  return new Response(stream, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** The SDK's generator, with `release` called when its caller leaves it early; the same kind of object (a plain one with `next`, `throw`, `return`). */
function releasing(generator: AsyncGenerator<unknown>, release: () => void): AsyncGenerator<unknown> {
  const wrapped = {
    // The SDK stops reading without letting go when it throws (an error event): let go then too.
    next: (value?: unknown) =>
      generator.next(value).then(
        (result) => (result.done && release(), result),
        (error: unknown) => (release(), Promise.reject(error)),
      ),
    throw: (error?: unknown) => (release(), generator.throw(error)),
    return: (value?: unknown) => (release(), generator.return(value)),
    [Symbol.asyncIterator]: () => wrapped,
  };
  return wrapped as unknown as AsyncGenerator<unknown>;
}

/**
 * The engine's answer with the recorded headers back on the response and their event taken out,
 * and how to let go of it. Like a fetch body read from a paced stream, it hands the SDK one event
 * per read, on demand, and errors with the abort reason once `signal` aborts, even when the rest
 * of the stream has already arrived (the SDK yields every event of a read before the next read).
 */
async function withRecordedHeaders(response: Response, signal?: AbortSignal): Promise<{ response: Response; release(): void }> {
  if (!isEventStream(response)) return { response, release: () => void response.body?.cancel().catch(() => {}) };
  const body = response.body!.getReader();
  let buffered: Uint8Array = new Uint8Array(0);
  let ended = false;
  /** The next whole event's bytes (blank line included); what is left when the body ends; undefined at the end. */
  const nextEvent = async (): Promise<Uint8Array | undefined> => {
    for (;;) {
      const end = blankLine(buffered);
      if (end !== -1) {
        const event = buffered.subarray(0, end + 2);
        buffered = buffered.subarray(end + 2);
        return event;
      }
      if (ended) {
        const rest = buffered;
        buffered = new Uint8Array(0);
        return rest.length > 0 ? rest : undefined;
      }
      const { value, done } = await body.read();
      if (done) ended = true;
      else buffered = concat(buffered, value);
    }
  };
  let headers: HeadersInit = response.headers;
  let first = await nextEvent();
  const head = first ? decoder.decode(first) : "";
  if (head.startsWith(`event: ${HEADERS_EVENT}\n`)) {
    try {
      headers = JSON.parse(head.slice(head.indexOf("data: ") + 6)) as Record<string, string>;
    } catch {
      // An unreadable headers event: the answer's own headers serve.
    }
    first = undefined;
  }
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (signal?.aborted) {
          body.cancel(signal.reason).catch(() => {});
          return controller.error(signal.reason);
        }
        const event = first ?? (await nextEvent());
        first = undefined;
        if (event) controller.enqueue(event);
        else controller.close();
      },
      cancel: (reason) => body.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  return { response: new Response(stream, { status: response.status, statusText: response.statusText, headers }), release: () => void body.cancel().catch(() => {}) };
}

/** Where the first event of `bytes` ends (its blank line), or -1. */
function blankLine(bytes: Uint8Array): number {
  for (let index = 0; index + 1 < bytes.length; index++) if (bytes[index] === 10 && bytes[index + 1] === 10) return index;
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
