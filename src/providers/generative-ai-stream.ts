import type { StreamedMethod, StreamEvent, StreamExchange } from "./adapter.ts";
import { assembleChunks, isFinished, splitResponse } from "./gemini-stream.ts";
import { usage } from "./gemini-wire.ts";
import { aggregateChunks, generativeAIErrors, withHelpers, type GenerativeAIErrors } from "./generative-ai-response.ts";
import { isRecord } from "./text.ts";

/**
 * `@google/generative-ai` `generateContentStream`, cached. Its `{ stream, response }` pair is built
 * over the engine's answer as the SDK builds it over a fetch response (the SDK takes no `fetch`
 * to inject, so its stream reader is rebuilt here from its source): chunks parsed from
 * `data:` lines, each with the SDK's helpers, and `response` the SDK's aggregate of them. Upstream,
 * the SDK's own call sends the request and reports its errors; its chunks are written back as the
 * events the engine records.
 */

type Json = Record<string, unknown>;

/** The SDK's event pattern: one `data:` line and the blank line after it. */
const EVENT_LINE = /^data: (.*)(?:\n\n|\r\r|\r\n\r\n)/;

const encoder = new TextEncoder();

/** The JSON chunks among recorded events. */
function chunksOf(events: readonly StreamEvent[]): Json[] {
  return events.flatMap((event) => {
    try {
      const value: unknown = JSON.parse(event.data);
      return isRecord(value) ? [value] : [];
    } catch {
      return [];
    }
  });
}

/**
 * Streams of `generateContentStream`. What is stored is what `generateContent` returns, `{ response }`,
 * so that a plain call and a stream of one request share an entry.
 */
export const generativeContentStream: StreamedMethod = {
  streams: () => true,
  isComplete: (events) => isFinished(chunksOf(events)),
  assemble(events) {
    const response = assembleChunks(chunksOf(events));
    return response && { response };
  },
  synthesise: (stored) => (isRecord(stored) && isRecord(stored.response) ? splitResponse(stored.response).map((chunk) => ({ data: JSON.stringify(chunk) })) : []),
  usage: (events) => usage(chunksOf(events).findLast((chunk) => isRecord(chunk.usageMetadata)) ?? {}),
};

/** What `generateContentStream` returns. */
interface StreamResult {
  stream: AsyncIterable<Json>;
  response: Promise<Json>;
}

interface GenerativeModelLike {
  model: string;
  _requestOptions?: Record<string, unknown>;
  generateContentStream(request: unknown, options?: Record<string, unknown>): Promise<StreamResult>;
}

/**
 * A stand-in for the `GenerativeModel` whose `generateContentStream` is answered by `exchange`:
 * the caller's `signal` and `timeout` (the call's over the model's) end the call as the SDK ends
 * it, while the upstream request, which other identical streams may follow, has the engine's.
 */
export function generativeStreamingClient(client: object, exchange: StreamExchange): object {
  const model = client as GenerativeModelLike;
  return {
    async generateContentStream(request: unknown, requestOptions: Record<string, unknown> = {}): Promise<StreamResult> {
      const errors = await generativeAIErrors();
      const merged = { ...model._requestOptions, ...requestOptions };
      const url = `${merged.baseUrl || "https://generativelanguage.googleapis.com"}/${merged.apiVersion || "v1beta"}/${model.model}:streamGenerateContent?alt=sse`;
      const caller = callerSignal(merged);
      // The SDK's error when this call's own request got an error status: re-thrown as it is.
      let own: FetchError | undefined;
      const live = async (signal: AbortSignal) => {
        let result: StreamResult;
        try {
          result = await model.generateContentStream(request, { ...requestOptions, signal, timeout: undefined });
        } catch (error) {
          // The provider's error status, as a response: identical calls waiting on this one share it.
          if (error instanceof errors.GoogleGenerativeAIFetchError) return errorResponse((own = error as FetchError));
          throw error;
        }
        // The engine reads the chunks; their aggregate is rebuilt for the caller.
        result.response.catch(() => {});
        return new Response(eventBody(result.stream), { status: 200, headers: { "content-type": "text/event-stream" } });
      };
      const answered = exchange({ live, signal: caller.signal });
      let response: Response;
      try {
        response = await untilAborted(answered, caller.signal);
      } catch (error) {
        caller.dispose();
        if (error === ABORTED) {
          // The answer may still come: the caller has gone, so it is abandoned, never stored.
          void answered.then((late) => late.body?.cancel(), () => {});
          throw new errors.GoogleGenerativeAIAbortError(`Request aborted when fetching ${url}: This operation was aborted`);
        }
        throw error;
      }
      if (!response.ok) {
        caller.dispose();
        throw own ?? (await fetchError(response, errors));
      }
      return readStream(response, errors, caller);
    },
  };
}

const ABORTED = Symbol("aborted");

/** The SDK's error for an HTTP error status: its message names the URL, status and provider message. */
interface FetchError extends Error {
  status?: number;
  statusText?: string;
  errorDetails?: unknown;
}

/** Where an error response keeps the SDK's error, so every caller sharing it throws the same one. */
const ERROR_FIELD = "googleGenerativeAIFetchError";

function errorResponse(error: FetchError): Response {
  const { message, status = 500, statusText = "", errorDetails } = error;
  return new Response(JSON.stringify({ [ERROR_FIELD]: { message, status, statusText, errorDetails } }), { status, statusText, headers: { "content-type": "application/json" } });
}

/** The SDK's `GoogleGenerativeAIFetchError` an error response stands for. */
async function fetchError(response: Response, errors: GenerativeAIErrors): Promise<Error> {
  let shared: FetchError = {} as FetchError;
  try {
    shared = ((await response.json()) as Record<string, FetchError>)[ERROR_FIELD] ?? shared;
  } catch {
    // Not ours: described by its status alone.
  }
  // The SDK's errors add their prefix to the message they are given.
  const message = (shared.message ?? `Error fetching from ${response.url}: [${response.status} ${response.statusText}]`).replace(/^\[GoogleGenerativeAI Error\]: /, "");
  return new errors.GoogleGenerativeAIFetchError(message, response.status, response.statusText, shared.errorDetails);
}

/** `promise`, or a rejection with {@link ABORTED} when `signal` aborts first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(ABORTED);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => (signal.removeEventListener("abort", onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener("abort", onAbort), reject(error)),
    );
  });
}

/**
 * The signal the SDK makes for a call with a `signal` or a `timeout`: aborted by the timeout, or
 * when the caller's signal fires its "abort" event (one already aborted never fires it).
 */
function callerSignal(options: Record<string, unknown>): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const timeout = options.timeout as number;
  const timer = timeout >= 0 ? setTimeout(() => controller.abort(), timeout) : undefined;
  const own = options.signal as AbortSignal | undefined;
  const onAbort = () => controller.abort();
  own?.addEventListener?.("abort", onAbort);
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      own?.removeEventListener?.("abort", onAbort);
    },
  };
}

/** The SDK's chunks written back as the events they came as. */
function eventBody(stream: AsyncIterable<Json>): ReadableStream<Uint8Array> {
  const iterator = stream[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(`data: ${JSON.stringify(value)}\r\n\r\n`));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/** `{ stream, response }` over a response body, as the SDK's `processStream` makes it. */
function readStream(response: Response, errors: GenerativeAIErrors, caller: { signal: AbortSignal; dispose(): void }): StreamResult {
  const chunks = chunkStream(response.body!.pipeThrough(new TextDecoderStream("utf8", { fatal: true })), errors, caller.dispose);
  const [forCaller, forResponse] = chunks.tee();
  // Read from a network, an aborted body fails at the next read, whatever arrived before: so here,
  // where chunks may arrive together, the abort is checked at every read.
  const read = async (reader: ReadableStreamDefaultReader<Json>) => {
    const next = await reader.read();
    if (caller.signal.aborted) {
      reader.cancel().catch(() => {});
      throw new errors.GoogleGenerativeAIAbortError("Request aborted when reading from the stream");
    }
    return next;
  };
  return { stream: chunkSequence(forCaller, read, errors), response: aggregate(forResponse, read, errors) };
}

type ChunkRead = (reader: ReadableStreamDefaultReader<Json>) => Promise<{ value?: Json; done: boolean }>;

/** Whole chunks out of the decoded body, with the SDK's errors for a body it cannot read or parse. */
function chunkStream(text: ReadableStream<string>, errors: GenerativeAIErrors, done: () => void): ReadableStream<Json> {
  const reader = text.getReader();
  return new ReadableStream<Json>({
    start(controller) {
      let buffered = "";
      const pump = (): Promise<void> =>
        reader.read().then(
          ({ value, done: ended }) => {
            if (ended) {
              done();
              if (buffered.trim()) return controller.error(new errors.GoogleGenerativeAIError("Failed to parse stream"));
              return controller.close();
            }
            buffered += value;
            for (let match = buffered.match(EVENT_LINE); match; match = buffered.match(EVENT_LINE)) {
              let chunk: Json;
              try {
                chunk = JSON.parse(match[1]!) as Json;
              } catch {
                return controller.error(new errors.GoogleGenerativeAIError(`Error parsing JSON response: "${match[1]}"`));
              }
              controller.enqueue(chunk);
              buffered = buffered.slice(match[0].length);
            }
            return pump();
          },
          (error: unknown) => {
            done();
            throw (error as Error)?.name === "AbortError"
              ? new errors.GoogleGenerativeAIAbortError("Request aborted when reading from the stream")
              : new errors.GoogleGenerativeAIError("Error reading from the stream");
          },
        );
      return pump();
    },
  });
}

/**
 * The caller's chunks, each with the SDK's helpers, as the same kind of object the SDK returns: a
 * plain object with `next`, `throw`, `return` and `Symbol.asyncIterator`.
 */
function chunkSequence(stream: ReadableStream<Json>, read: ChunkRead, errors: GenerativeAIErrors): AsyncIterable<Json> {
  const generator = (async function* () {
    const reader = stream.getReader();
    for (;;) {
      const { value, done } = await read(reader);
      if (done) return;
      yield withHelpers(value!, errors);
    }
  })();
  const sequence = {
    next: (value?: unknown) => generator.next(value as never),
    throw: (error?: unknown) => generator.throw(error),
    return: (value?: unknown) => generator.return(value as never),
    [Symbol.asyncIterator]() {
      return sequence;
    },
  };
  return sequence;
}

/** Every chunk, aggregated as the SDK aggregates them, with its helpers. */
async function aggregate(stream: ReadableStream<Json>, read: ChunkRead, errors: GenerativeAIErrors): Promise<Json> {
  const reader = stream.getReader();
  const all: Json[] = [];
  for (;;) {
    const { value, done } = await read(reader);
    if (done) return withHelpers(aggregateChunks(all), errors);
    all.push(value!);
  }
}
