/**
 * Contracts of the upstream simulator: what tests see (`Simulator`) and what a
 * provider file plugs into the server (`ProviderMount`).
 *
 * @module
 */

/** A request as the simulator received it. */
export interface RecordedRequest {
  /** Route name, e.g. `"openai.chat.completions"`; `"unknown"` when no route matched. */
  route: string;
  method: string;
  /** Path without the query string, e.g. `"/v1/chat/completions"`. */
  path: string;
  /** Parsed JSON body, the text fields of a multipart body, or `null` when empty or not JSON. */
  body: unknown;
  /** Request headers, names lower-cased. */
  headers: Record<string, string>;
  /** The file parts of a multipart body (image edits), with the bytes received. */
  files?: UploadedFile[];
}

/** One file part of a multipart request. */
export interface UploadedFile {
  /** Form field, e.g. `image`, `image[]` or `mask`. */
  field: string;
  filename: string;
  type: string;
  bytes: Buffer;
}

/** What a route handler receives. */
export interface SimRequest extends RecordedRequest {
  url: URL;
  /** The body bytes as sent (multipart uploads are parsed by the handler that needs them). */
  rawBody: Buffer;
}

/** A JSON answer. */
export interface JsonResponse {
  status: number;
  headers?: Record<string, string>;
  json: unknown;
}

/** One server-sent event; `event` is omitted for OpenAI, named for Anthropic. */
export interface SseEvent {
  event?: string;
  data: string;
}

/** A `text/event-stream` answer, written event by event. */
export interface SseResponse {
  status: number;
  headers?: Record<string, string>;
  events: SseEvent[];
  /**
   * The events the route sends instead of the rest of `events` when the generation fails after
   * `sent` events (the provider's mid-stream error shape). Used by `"error"` stream faults.
   */
  failure(sent: number): SseEvent[];
  /** Fail with `failure` after this many events: how a `[sim:stream-error]` request ends. */
  failAfter?: number;
}

export type SimResponse = JsonResponse | SseResponse;

/** One endpoint of a provider. */
export interface Route {
  method: "GET" | "POST" | "DELETE";
  /** Matched against the path with the mount's `basePath` removed, e.g. `/^\/models\/([^/]+)$/`. */
  pattern: RegExp;
  /** Name recorded in `RecordedRequest.route` and accepted by `failNext({ route })`. */
  name: string;
  handle(request: SimRequest, match: RegExpMatchArray): SimResponse;
}

/** Options of a provider-shaped error. */
export interface ErrorDetails {
  /** Provider error type; derived from the status when omitted. */
  type?: string;
  code?: string | null;
  param?: string | null;
}

/**
 * A provider plugged into the server: every request whose path starts with `basePath` is
 * dispatched to its routes and answered with its error shape.
 */
export interface ProviderMount {
  /** Short name, used for `"<name>.unknown"`-style diagnostics. */
  name: string;
  /** Path prefix without trailing slash, e.g. `"/v1"`. The longest matching prefix wins. */
  basePath: string;
  routes: Route[];
  /** Build the provider's error body for `status`; a provider-like message when `message` is omitted. */
  error(status: number, message?: string, details?: ErrorDetails): JsonResponse;
  /** Return an error when the request is not authenticated the provider's way. */
  authenticate?(request: SimRequest): JsonResponse | undefined;
}

/** Options of `Simulator.failNext`. */
export interface FailNextOptions {
  /**
   * How many of the next matching requests fail.
   * @default 1
   */
  times?: number;
  /** Only requests to this route fail (e.g. `"openai.chat.completions"`); any route when omitted. */
  route?: string;
  /** Error message; a provider-like default per status when omitted. */
  message?: string;
  /** Provider error code (OpenAI `error.code`), e.g. `"insufficient_quota"`. */
  code?: string | null;
  /**
   * Seconds sent in `retry-after` for statuses the SDKs retry (408, 409, 429, 5xx), so retries
   * do not sleep through the SDK's default backoff; `null` sends no header.
   * @default 0
   */
  retryAfter?: number | null;
}

/** How `failNextStream` breaks a stream. */
export type StreamFault = "cut" | "error";

/** Options of `Simulator.failNextStream`. */
export interface FailNextStreamOptions {
  /**
   * `"cut"` drops the connection with no closing event (as a network failure does); `"error"`
   * sends the provider's mid-stream error event and ends the stream.
   * @default "cut"
   */
  fault?: StreamFault;
  /**
   * Events written before the fault.
   * @default 2
   */
  afterChunks?: number;
  /**
   * How many of the next matching streams break.
   * @default 1
   */
  times?: number;
  /** Only streams of this route break (e.g. `"anthropic.messages"`); any route when omitted. */
  route?: string;
}

/** A running upstream simulator. */
export interface Simulator {
  /** Origin without trailing slash, e.g. `"http://127.0.0.1:40123"`. */
  url: string;
  /** `url + "/v1"`: the `baseURL` for `new OpenAI({ baseURL })`. */
  openaiBaseURL: string;
  /** `url + "/anthropic"`: the `baseURL` for `new Anthropic({ baseURL })` (the SDK adds `/v1/messages`). */
  anthropicBaseURL: string;
  /** `url + "/gemini"`: `httpOptions.baseUrl` for `new GoogleGenAI`, `baseUrl` for `getGenerativeModel`. */
  geminiBaseURL: string;
  /** Requests received, in order, failed ones included. */
  requests: RecordedRequest[];
  /** Number of requests to `route`, or to all routes when omitted. */
  count(route?: string): number;
  /** Forget recorded requests and drop pending `failNext` and `failNextStream` failures, so tests start clean. */
  reset(): void;
  /**
   * Milliseconds every response waits before being sent; for a stream, the wait before its first
   * event: the time to first token. A request header `x-sim-delay-ms` overrides it for that request. (Other request headers: `x-sim-cached-tokens: N` reports N
   * input tokens served from the provider's prompt cache; `x-sim-prompt-tokens: TEXT` sends TEXT
   * as the input token count of a chat completion or Anthropic message, as a server that does
   * not count them might.)
   * @default 0
   */
  delayMs: number;
  /**
   * Milliseconds between two events of a stream; a request header `x-sim-chunk-gap-ms`
   * overrides it for that request. At 0 events still leave one by one, a tick apart.
   * @default 0
   */
  chunkGapMs: number;
  /** Make the next `times` requests (optionally to one route) fail with `status`. */
  failNext(status: number, options?: FailNextOptions): void;
  /**
   * Break the next `times` streamed answers (optionally of one route) after `afterChunks`
   * events. Per request, headers `x-sim-cut-after` and `x-sim-error-after` do the same.
   *
   * @example
   * ```ts
   * sim.failNextStream({ fault: "cut", afterChunks: 3, route: "openai.chat.completions" });
   * ```
   */
  failNextStream(options?: FailNextStreamOptions): void;
  /** Stop listening and drop open connections. */
  close(): Promise<void>;
}

/** Options of `startSimulator`. */
export interface SimulatorOptions {
  /**
   * Port to listen on; 0 picks a free one.
   * @default 0
   */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /** Initial `delayMs` (for a stream, its time to first token). @default 0 */
  delayMs?: number;
  /** Initial `chunkGapMs`. @default 0 */
  chunkGapMs?: number;
}
