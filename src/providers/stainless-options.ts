import { NO_WIRE, type CachedMethod, type SentRequest, type StreamExchange } from "./adapter.ts";
import { isEmptyHeaderSource, keyedHeaders, keyedHeadersOf, setsNoHeader } from "./headers.ts";
import { isRecord } from "./text.ts";

/**
 * What the request options of the Stainless SDKs (`openai`, `@anthropic-ai/sdk`) put on the wire.
 * A resource method spreads the caller's options over its own `{ body, path, method }`, so a
 * per-call `body`, `path`, `method` or `query` replaces the method's own; headers merge over the
 * client's default headers; `fetchOptions` are spread over the finished `fetch` init, so a `body`,
 * `method` or `headers` there replaces what the SDK built. `timeout`, `maxRetries`, `signal`,
 * `idempotencyKey` and options the SDK does not know never change the answer.
 *
 * @module
 */

/** The parts of a Stainless client that shape every request it sends. */
interface StainlessClient {
  _options?: { defaultHeaders?: unknown; defaultQuery?: unknown };
  fetchOptions?: unknown;
}

/** `fetch` init fields that replace what the SDK built; with any of them nothing about the request is known. */
const REPLACING_FETCH_OPTIONS = ["body", "method", "headers", "unix"];

/** Headers a Stainless request carries before and after the client's defaults. */
export interface StainlessHeaders {
  /** Set by the client itself, before its default headers (OpenAI's organization and project). */
  client?: unknown;
  /** Set by the method from its params, before the caller's own (Anthropic's workspace id). */
  call?: unknown;
}

/**
 * The request a Stainless SDK sends for `params` with the call's request `options`: the body (the
 * call's params, or a per-call `body` that replaces them) and the wire beside it (per-call path,
 * method, base URL, the query over the client's default query, and the keyed headers). Undefined
 * when the options make the request unknowable: a `body` that is not a JSON object (or replaces a
 * streamed request, or an upload), `fetchOptions` that replace the body, method or headers, a
 * query that is not an object, per-call `middleware`.
 */
export function stainlessRequest(client: object, method: CachedMethod, params: Record<string, unknown>, options: Record<string, unknown>, headers: StainlessHeaders = NO_HEADERS): SentRequest | undefined {
  const stainless = client as StainlessClient;
  const defaults = stainless._options ?? NO_DEFAULTS;
  if (replacesRequest(stainless.fetchOptions) || replacesRequest(options.fetchOptions)) return undefined;
  if (Array.isArray(options.middleware) && options.middleware.length > 0) return undefined;
  if (options.query != null && !isPlainObject(options.query)) return undefined;

  let body = params;
  if (options.body !== undefined) {
    const streams = method.stream?.streams(params) === true || method.stream?.streams(options.body as Record<string, unknown>) === true;
    if (!isPlainObject(options.body) || method.prepare || streams || method.bypass(params) || method.bypass(options.body)) return undefined;
    body = options.body;
  }
  const query = isRecord(defaults.defaultQuery) || options.query != null ? { ...(isRecord(defaults.defaultQuery) ? defaults.defaultQuery : {}), ...(options.query as Record<string, unknown> | undefined) } : undefined;
  const { path, method: httpMethod, defaultBaseURL } = options;
  const keptQuery = query && Object.values(query).some((value) => value !== undefined) ? query : undefined;
  const keyed = requestHeaders(headers, defaults.defaultHeaders, options.headers);
  // A plain call sends nothing beside its body: one shared empty wire, which keys alike.
  if (path === undefined && httpMethod === undefined && defaultBaseURL === undefined && keptQuery === undefined && keyed === undefined) return { params: body, wire: NO_WIRE };
  return { params: body, wire: { path, method: httpMethod, defaultBaseURL, query: keptQuery, headers: keyed } };
}

const NO_HEADERS: StainlessHeaders = Object.freeze({});
const NO_DEFAULTS: NonNullable<StainlessClient["_options"]> = Object.freeze({});

/**
 * The keyed headers of a request: the client's own, its default headers, the method's, the
 * call's, merged in that order. A call that adds none to the client's default headers keys by
 * those alone, merged once per client (see `keyedHeadersOf`); the client's own that set nothing
 * (no organization, no project) change nothing set after them.
 */
function requestHeaders(own: StainlessHeaders, defaultHeaders: unknown, perCall: unknown): Record<string, string> | undefined {
  if (setsNoHeader(own.client) && isEmptyHeaderSource(own.call) && isEmptyHeaderSource(perCall)) return keyedHeadersOf(defaultHeaders);
  return keyedHeaders(own.client, defaultHeaders, own.call, perCall);
}

function replacesRequest(fetchOptions: unknown): boolean {
  return isRecord(fetchOptions) && REPLACING_FETCH_OPTIONS.some((field) => fetchOptions[field] !== undefined);
}

/** A JSON object as written in code or parsed (not an upload, a `FormData`, a stream or a buffer, which the SDK sends as they are). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * A copy of a Stainless client (its `withOptions()`) whose requests go through `exchange`: the
 * request the SDK built is sent with the client's own `fetch` when the engine goes upstream.
 * `options` are constructor options the copy needs and `withOptions()` does not carry over.
 */
export function stainlessStreamingClient(client: object, exchange: StreamExchange, options: Record<string, unknown> = {}): object {
  const { fetch, withOptions } = client as { fetch: typeof globalThis.fetch; withOptions: (options: Record<string, unknown>) => object };
  const answered = ((url: string | URL | Request, init?: RequestInit) =>
    exchange({ live: (signal) => fetch.call(undefined, url, { ...init, signal }), signal: init?.signal ?? undefined })) as typeof globalThis.fetch;
  return withOptions.call(client, { ...options, fetch: answered });
}
