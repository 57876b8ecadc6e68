import type { PromptType, Provider, TokenUsage } from "../types.ts";

/**
 * One cached SDK method: how a request maps to a key, prompt text and usage, and how a stored
 * response becomes an object the caller cannot tell from a live one. Pure functions only: the
 * engine holds all cache logic.
 */
export interface CachedMethod {
  /** Path from the client, e.g. `["chat", "completions", "create"]`. */
  path: readonly string[];
  /** Name used in keys and logs, e.g. `chat.completions`. */
  endpoint: string;
  /**
   * The request the other functions read, from the SDK call's first argument and the object the
   * method belongs to: e.g. a bare prompt string made a request, with the settings its client
   * holds. Undefined sends the call to the SDK untouched. The SDK always receives the argument as
   * given. Default: the argument itself when it is an object.
   */
  request?(body: unknown, owner: object): Record<string, unknown> | undefined;
  /** Requests passed through untouched and never cached. */
  bypass(params: Record<string, unknown>): boolean;
  /**
   * The SDK method returns a stream helper object rather than a promise (`messages.stream()`,
   * `chat.completions.stream()`): what ecoai rejects before sending (bad per-call options) is
   * thrown, as there is no promise to reject.
   */
  helper?: boolean;
  /**
   * Optional: how this method streams. A call it says streams goes through the engine's stream
   * path (recorded on a miss, replayed on a hit); without it a stream is the adapter's to
   * `bypass`.
   */
  stream?: StreamedMethod;
  /**
   * Runs before keying a cached call, for requests whose key needs asynchronous work (reading
   * the bytes of an upload). Returns the params to key and to send in place of the SDK call's
   * argument: a stream it consumed must be replaced by an equivalent value the SDK can still
   * read. Only for methods whose params are that argument (no `request`).
   */
  prepare?(params: Record<string, unknown>): Promise<Record<string, unknown>>;
  model(params: Record<string, unknown>): string;
  /** The text of the last user turn, else the whole request's text. */
  promptText(params: Record<string, unknown>): string;
  promptType(params: Record<string, unknown>): PromptType;
  /** The part of the request that enters the key (everything that can change the output). */
  keyParams(params: Record<string, unknown>): unknown;
  /**
   * Optional (semantic caching): the key params with the last user text taken out, and that text.
   * Requests with equal `context` differ only in that text, so only they may match semantically.
   * Undefined when the request has no last user turn made of text alone. Methods without it
   * only ever match exactly.
   */
  semanticParts?(params: Record<string, unknown>): SemanticParts | undefined;
  /**
   * Whether a value has the shape of this method's response (a chat completion's non-empty
   * `choices`, a message's `content`…): a stored body without it is a corrupt entry, never served.
   */
  isResponse(stored: unknown): boolean;
  /** Whether a response is a real answer worth caching (not a refusal, a filtered or failed generation, invalid JSON). */
  isAnswer(response: unknown, params: Record<string, unknown>): boolean;
  /** What the response cost; `params` gives what the response omits (image size and quality). */
  usage(response: unknown, params: Record<string, unknown>): TokenUsage;
  /** A response rebuilt from its stored JSON; may be a promise (e.g. to import the SDK's class lazily). */
  rebuild(stored: unknown): unknown | Promise<unknown>;
  /**
   * Optional: `rebuild` is costly, and what it gives is data (plain objects and arrays, dates,
   * typed arrays, fields set to `undefined`; see `src/cache/data-copy.ts`). The engine then
   * rebuilds a stored response once and gives each later hit a copy of that. `rebuild` must be
   * a function of the stored JSON alone, and may change what it is given.
   * @default false
   */
  copiesRebuilt?: boolean;
}

/** One server-sent event as it crossed the wire: its `event:` name when it had one, and its `data`. */
export interface StreamEvent {
  event?: string;
  data: string;
}

/** A recorded event: when it arrived, in milliseconds after the request was sent. */
export interface RecordedEvent extends StreamEvent {
  at: number;
}

/**
 * How a cached method streams, as pure functions over its server-sent events. The engine keeps
 * one copy of the stream logic (recording, storing, replay, coalescing, logging) and asks these
 * what the events mean. One entry serves both shapes: the engine stores the plain response a
 * non-streamed call gets (`assemble`) with the recording beside it, replays the recording to a
 * streamed call, and serves the plain response to a plain call; a streamed call finding only a
 * plain response gets `synthesise`d events.
 *
 * @example
 * // A provider whose stream is `data: {json}` events that each carry a slice of the answer:
 * const stream: StreamedMethod = {
 *   streams: (params) => params.stream === true,
 *   isComplete: (events) => events.at(-1)?.data === "[DONE]",
 *   assemble: (events) => mergeChunks(events.map((event) => JSON.parse(event.data))),
 *   synthesise: (response) => [{ data: JSON.stringify(response) }, { data: "[DONE]" }],
 * };
 */
export interface StreamedMethod {
  /** Whether this call streams (e.g. `stream: true`); helpers such as `messages.stream()` always do. */
  streams(params: Record<string, unknown>): boolean;
  /**
   * Optional: the params sent upstream for a stream, when the provider reports something the
   * engine needs only on request (OpenAI's usage chunk, `stream_options.include_usage`). What it
   * adds, `shown` must hide from a caller who did not ask for it. Never changes the answer.
   */
  upstreamParams?(params: Record<string, unknown>): Record<string, unknown>;
  /**
   * Optional: an event as the caller whose request is `params` sees it; undefined hides it. For
   * what `upstreamParams` added, and for answering a stored stream faithfully to a caller whose
   * stream-only options (not in the key) differ. Default: every event as recorded.
   */
  shown?(event: StreamEvent, params: Record<string, unknown>): StreamEvent | undefined;
  /**
   * Whether the events are a stream that ended normally (OpenAI's `[DONE]`, Anthropic's
   * `message_stop`, a Responses `response.completed`), with no error event in it. A stream cut
   * off or failed midway never is, and is never stored.
   */
  isComplete(events: readonly StreamEvent[]): boolean;
  /**
   * The plain response the events of a complete stream add up to, as the SDK assembles it and as
   * a non-streamed call of the same request would receive it (text, tool calls, finish reason,
   * usage, logprobs). Undefined when they add up to no response. The engine then judges it with
   * the method's `isResponse` and `isAnswer`, so a refusal or filtered stream is never stored.
   */
  assemble(events: readonly StreamEvent[], params: Record<string, unknown>): unknown;
  /**
   * The events of a stream answering with `response` (a stored plain response), in the
   * provider's wire shape, such that `assemble` gives the response back. Before `shown`.
   */
  synthesise(response: unknown, params: Record<string, unknown>): StreamEvent[];
  /**
   * Optional: the tokens of a stream that may not have ended (abandoned, cut off), from the
   * usage events it carried so far. Default: the method's `usage` of what `assemble` gives, else 0.
   */
  usage?(events: readonly StreamEvent[], params: Record<string, unknown>): TokenUsage;
}

/**
 * The HTTP exchange of a streamed call, answered by the engine: `live` sends the request the SDK
 * built (with the engine's own signal, so a stream others follow outlives its first reader);
 * `signal` is the caller's. The engine answers with the live response (read through a recorder),
 * another identical stream's events, or a replayed recording.
 */
export type StreamExchange = (request: { live: (signal: AbortSignal) => Promise<Response>; signal?: AbortSignal }) => Promise<Response>;

/** A request split for semantic matching: everything but the last user text, and that text. */
export interface SemanticParts {
  context: unknown;
  text: string;
}

/** What a cached call sends: the body's fields and everything else on the wire that can change the answer. */
export interface SentRequest {
  /** The request body as sent: the call's params, or what its request options put in their place. */
  params: Record<string, unknown>;
  /**
   * What else reaches the wire and may change the answer, beyond the client's base URL: per-call
   * path, query and headers, the client's default headers and query, an Azure deployment. Enters
   * the key; undefined fields are not there, so a plain call keys by its params alone.
   */
  wire: Record<string, unknown>;
}

/** The wire of a call that sends nothing beside its body (shared, as nothing writes to it): it keys by its params alone. */
export const NO_WIRE: Record<string, unknown> = Object.freeze({});

/** An SDK ecoai can wrap. */
export interface ProviderAdapter {
  provider: Provider;
  /** The SDK's name, for messages. */
  sdk: string;
  /** Recognises a client by its shape, without importing the SDK. */
  detect(client: object): boolean;
  /** Where the client sends requests; part of every key. */
  baseURL(client: object): string;
  /**
   * The request a call of `method` with `params` and the SDK's request `options` (without
   * `ecoai`) sends through `client`, read from the SDK's source of what reaches the wire; undefined
   * when an option may change the answer in a way a key cannot hold (the call then bypasses the
   * cache). Options that cannot change the answer (timeout, retries, signal, credentials) stay out.
   */
  sent(client: object, method: CachedMethod, params: Record<string, unknown>, options: Record<string, unknown>): SentRequest | undefined;
  methods: readonly CachedMethod[];
  /**
   * The SDK's calls return a promise with `withResponse()` / `asResponse()` (the Stainless SDKs):
   * a cached call's promise has them too, on hits as well.
   */
  apiPromise?: boolean;
  /**
   * Optional (cached streams): a copy of `client` whose HTTP requests are answered by `exchange`,
   * so that calling a method on it builds the SDK's own stream classes over the engine's answer.
   */
  streamingClient?(client: object, exchange: StreamExchange): object;
  /**
   * Optional: the caller's abort signal and timeout for one call, read from the call as the SDK
   * reads them, with the errors the SDK throws when they end a call. They bound how long a call
   * waits on an identical one (in this process or another). `client` is the wrapped client,
   * `options` the call's request options (without `ecoai`).
   */
  limits?(client: object, params: Record<string, unknown>, options: Record<string, unknown>): CallLimits;
}

/** What ends a call before its answer, as its SDK would end it. */
export interface CallLimits {
  /** Aborting it rejects the call with {@link CallLimits.aborted}; absent when the SDK would not heed it. */
  signal?: AbortSignal;
  /**
   * Milliseconds from the call's start after which the SDK would have given up had no answer come:
   * its timeout for each attempt it makes, and the pauses between its retries.
   */
  timeoutMs?: number;
  /** The error the SDK throws when the signal aborts the call. */
  aborted(): Error | Promise<Error>;
  /** The error the SDK throws when the timeout ends the call. */
  timedOut(): Error | Promise<Error>;
}

/** `params` without `stream`: a non-stream request means the same with or without `stream: false`. */
export function withoutStream(params: Record<string, unknown>): Record<string, unknown> {
  if (!("stream" in params)) return params;
  const { stream: _stream, ...rest } = params;
  return rest;
}

/**
 * A `keyParams` that leaves out `stream` and the given request fields: fields that name the end
 * user or steer the provider's own prompt cache, logs and storage, and cannot change the answer.
 * Only for endpoints whose response does not echo them (a hit would show another caller's values).
 */
export function keyWithout(fields: readonly string[]): (params: Record<string, unknown>) => Record<string, unknown> {
  const droppedFields = ["stream", ...fields];
  const dropped = new Set(droppedFields);
  return (params) => {
    // Most requests carry none of them: the request itself then keys as its copy would. A copy
    // holds the own enumerable fields under Object.prototype, so only a request of that
    // prototype without an own `toJSON` (which a copy may lack) is its own copy.
    if (Object.getPrototypeOf(params) === Object.prototype && !Object.hasOwn(params, "toJSON") && !hasAny(params, droppedFields)) return params;
    return Object.fromEntries(Object.entries(params).filter(([field]) => !dropped.has(field)));
  };
}

function hasAny(params: Record<string, unknown>, fields: readonly string[]): boolean {
  for (const field of fields) if (Object.hasOwn(params, field)) return true;
  return false;
}

/** The last base URL trimmed, and what it gave: a client's base URL seldom changes, and is read on every call. */
let lastURL: unknown;
let lastTrimmed = "";

/** A client's base URL without trailing slashes, so `…/v1` and `…/v1/` key alike. */
export function trimmedBaseURL(url: unknown): string {
  if (typeof url === "string" && url === lastURL) return lastTrimmed;
  const trimmed = String(url ?? "").replace(/\/+$/, "");
  if (typeof url === "string") {
    lastURL = url;
    lastTrimmed = trimmed;
  }
  return trimmed;
}
