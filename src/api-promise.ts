/**
 * The `withResponse()` / `asResponse()` of the Stainless SDKs (`openai`, `@anthropic-ai/sdk`),
 * kept on a cached call's promise so code that reads headers or request ids works unchanged.
 */

/** What `withResponse()` resolves to: the data, the HTTP response and the provider's request id. */
export interface DataWithResponse<T> {
  data: T;
  response: Response;
  /** The provider's request id; null when the answer came from the cache. */
  request_id: string | null;
}

/** A cached call's promise for SDKs whose calls return one with `withResponse()` / `asResponse()`. */
export type EcoAPIPromise<T> = Promise<T> & {
  /** The data with the provider's response (a miss) or one made from the stored JSON (a hit). */
  withResponse(): Promise<DataWithResponse<T>>;
  /** The provider's response (a miss) or one made from the stored JSON (a hit). */
  asResponse(): Promise<Response>;
};

/** The HTTP side of a call this caller's request went upstream for. */
export interface SentResponse {
  response: Response;
  request_id: string | null;
  /** Fields the SDK adds next to them (Anthropic's `workspace_id`). */
  extra: Record<string, unknown>;
}

type WithResponseFn = () => Promise<{ data: unknown; response: Response; request_id?: string | null }>;

/** Whether an SDK call returned a promise with `withResponse()` (a Stainless `APIPromise`). */
export function hasWithResponse(value: unknown): value is PromiseLike<unknown> & { withResponse: WithResponseFn } {
  return typeof value === "object" && value !== null && typeof (value as { withResponse?: unknown }).withResponse === "function";
}

/**
 * The data of an SDK call, read through its `withResponse()` when it has one so that `sent`
 * receives the provider's real response.
 */
export function sendReadingResponse(sent: unknown, record: (sent: SentResponse) => void): unknown {
  if (!hasWithResponse(sent)) return sent;
  return sent.withResponse().then(({ data, response, request_id, ...extra }) => {
    record({ response, request_id: request_id ?? null, extra });
    return data;
  });
}

/**
 * `outcome` given `withResponse()` and `asResponse()`: the response the call received when it went
 * upstream, else (a hit, or a wait on an identical call) a 200 JSON response of the stored answer
 * marked `x-ecoai-cache: hit`, with no request id.
 */
export function withResponseMethods<T>(outcome: Promise<T>, sent: () => SentResponse | undefined): EcoAPIPromise<T> {
  const withResponse = (): Promise<DataWithResponse<T>> =>
    outcome.then((data) => {
      const upstream = sent();
      if (!upstream) return { data, response: cachedResponse(data), request_id: null };
      return { ...upstream.extra, data, response: upstream.response, request_id: upstream.request_id };
    });
  const asResponse = (): Promise<Response> =>
    outcome.then((data) => {
      const upstream = sent();
      if (!upstream) return cachedResponse(data);
      // The SDK read the body to parse it; the copy carries the same status and headers.
      const { response } = upstream;
      return response.bodyUsed ? new Response(JSON.stringify(data), { status: response.status, statusText: response.statusText, headers: response.headers }) : response;
    });
  const promise = outcome as EcoAPIPromise<T>;
  promise.withResponse = withResponse;
  promise.asResponse = asResponse;
  return promise;
}

function cachedResponse(data: unknown): Response {
  return new Response(JSON.stringify(data), { status: 200, headers: { "content-type": "application/json", "x-ecoai-cache": "hit" } });
}
