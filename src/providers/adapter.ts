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
  /** Requests passed through untouched and never cached (streams). */
  bypass(params: Record<string, unknown>): boolean;
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
}

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
  const dropped = new Set(["stream", ...fields]);
  return (params) => Object.fromEntries(Object.entries(params).filter(([field]) => !dropped.has(field)));
}

/** A client's base URL without trailing slashes, so `…/v1` and `…/v1/` key alike. */
export function trimmedBaseURL(url: unknown): string {
  return String(url ?? "").replace(/\/+$/, "");
}
