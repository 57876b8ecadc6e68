import type { CachedCall } from "./cache/engine.ts";
import { NO_WIRE, type CachedMethod, type ProviderAdapter, type SentRequest, type StreamExchange } from "./providers/adapter.ts";
import type { CallOptions } from "./types.ts";
import { sendReadingResponse, withResponseMethods, type SentResponse } from "./api-promise.ts";
import { validCallOptions } from "./call-options.ts";

/**
 * Runs one cached call through the engine, which decides whether it is cached, bypassed or passed
 * through, and returns what the SDK's call returns. `call` carries the client's provider, base URL
 * and limits; `requestOptions` are the SDK's (without `ecoai`).
 */
export type CachedCallRunner = (call: CachedCall, requestOptions: Record<string, unknown>) => unknown;

/** The request options of a call made without any: shared, as nothing writes to them. */
const NO_OPTIONS: Record<string, unknown> = Object.freeze({});

interface PathNode {
  method?: CachedMethod;
  children: Map<PropertyKey, PathNode>;
}

/** What one wrapper adds around the shared core. */
export interface WrapperView {
  /** Members answered before the core's and the client's (e.g. this wrapper's own `client`). */
  members?: Record<string, unknown>;
  /** Runs before every cached call; what it throws rejects the call. */
  beforeCall?(method: CachedMethod): void;
}

/**
 * A proxy that answers with `view.members` first, then `core`'s own members, then the client's;
 * on the paths of cached methods (e.g. `chat.completions.create`) it hands the call to `run`.
 * Functions are bound to their owner so SDK methods keep their `this`.
 */
export function wrapClient(core: object, client: object, adapter: ProviderAdapter, run: CachedCallRunner, view: WrapperView = {}): object {
  const members = view.members ?? {};
  const root: PathNode = { children: new Map() };
  for (const method of adapter.methods) {
    let node = root;
    for (const segment of method.path) {
      let child = node.children.get(segment);
      if (!child) node.children.set(segment, (child = { children: new Map() }));
      node = child;
    }
    node.method = method;
  }

  /** What a call sends; undefined (the call bypasses the cache) when options the adapter cannot read make it throw: the SDK reports those. */
  const sentRequest = (method: CachedMethod, request: Record<string, unknown>, options: Record<string, unknown>): SentRequest | undefined => {
    try {
      return adapter.sent(client, method, request, options);
    } catch {
      return undefined;
    }
  };

  const wrapNode = (target: object, node: PathNode): object => {
    const memo = new Map<PropertyKey, unknown>();
    return new Proxy(target, {
      get(object, property) {
        const value = Reflect.get(object, property, object);
        const child = node.children.get(property);
        if (child === undefined || value === null || (typeof value !== "object" && typeof value !== "function")) {
          return typeof value === "function" ? bindOnce(memo, property, value as Function, object) : value;
        }
        const known = memo.get(property) as { target: unknown; wrapped: unknown } | undefined;
        if (known !== undefined && known.target === value) return known.wrapped;
        const wrapped = child.method ? cachedFunction(child.method, value as Function, object) : wrapNode(value as object, child);
        memo.set(property, { target: value, wrapped });
        return wrapped;
      },
    });
  };

  // The SDK reports every failure through the returned promise; so does ecoai.
  const rejected = (method: CachedMethod, error: unknown) => {
    if (method.helper) throw error;
    return adapter.apiPromise ? withResponseMethods(Promise.reject(error), () => undefined) : Promise.reject(error);
  };

  const cachedFunction = (method: CachedMethod, original: Function, owner: object) =>
    function cached(body: unknown, requestOptions?: Record<string, unknown>) {
      try {
        view.beforeCall?.(method);
      } catch (error) {
        return rejected(method, error);
      }
      let ecoai: unknown;
      let sdkOptions = NO_OPTIONS;
      if (requestOptions !== undefined) ({ ecoai, ...sdkOptions } = requestOptions ?? {});
      const forwarded = requestOptions === undefined ? [] : [sdkOptions];
      // `prepare` may hand back a body whose consumed uploads were replaced (see CachedMethod).
      const send = (replacement?: Record<string, unknown>) => original.call(owner, replacement ?? body, ...forwarded);
      const request = method.request ? method.request(body, owner) : typeof body === "object" && body !== null ? (body as Record<string, unknown>) : undefined;
      // A request ecoai cannot read is the SDK's to accept or reject.
      if (request === undefined) return send();
      let callOptions: CallOptions;
      try {
        callOptions = validCallOptions(ecoai);
      } catch (error) {
        return rejected(method, error);
      }
      // What reaches the wire keys the call; request options whose effect a key cannot hold make it bypass the cache.
      const outgoing = sentRequest(method, request, sdkOptions);
      const params = outgoing?.params ?? request;
      if (!outgoing) callOptions = { ...callOptions, bypass: true };
      const wire = outgoing?.wire ?? NO_WIRE;
      // A stream is sent through a copy of the client whose HTTP exchange the engine answers, so
      // the SDK builds its own stream classes (and helpers their events) over the engine's answer.
      const streamingClient = adapter.streamingClient;
      const sendStreaming =
        streamingClient && outgoing
          ? (streamed: Record<string, unknown>, exchange: StreamExchange) => {
              const copy = streamingClient(client, exchange);
              const target = method.path.slice(0, -1).reduce<Record<string, unknown>>((node, segment) => node[segment] as Record<string, unknown>, copy as Record<string, unknown>);
              const fn = target[method.path.at(-1)!] as Function;
              return fn.call(target, method.request ? body : streamed, ...forwarded);
            }
          : undefined;
      const provider = adapter.provider;
      const baseURL = adapter.baseURL(client);
      const limits = adapter.limits?.(client, params, sdkOptions);
      if (!adapter.apiPromise) return run({ provider, baseURL, method, params, options: callOptions, send, wire, sendStreaming, limits }, sdkOptions);
      let sent: SentResponse | undefined;
      const reading = (replacement?: Record<string, unknown>) => sendReadingResponse(send(replacement), (response) => (sent = response)) as Promise<unknown>;
      return run(
        {
          provider,
          baseURL,
          method,
          params,
          options: callOptions,
          send: reading,
          // Passed through, the caller gets the SDK's own promise (`withResponse()` included).
          sendUntouched: () => send(),
          present: (outcome) => withResponseMethods(outcome, () => sent),
          wire,
          sendStreaming,
          limits,
        },
        sdkOptions,
      );
    };

  const clientProxy = wrapNode(client, root);
  return new Proxy(core, {
    get(target, property) {
      if (Object.hasOwn(members, property)) return members[property as string];
      if (property in target) {
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      }
      return Reflect.get(clientProxy, property);
    },
    has: (target, property) => Object.hasOwn(members, property) || property in target || property in client,
  });
}

function bindOnce(memo: Map<PropertyKey, unknown>, property: PropertyKey, fn: Function, owner: object): Function {
  const known = memo.get(property) as { target?: unknown; wrapped: Function } | undefined;
  if (known?.target === fn) return known.wrapped;
  const bound = fn.bind(owner);
  memo.set(property, { target: fn, wrapped: bound });
  return bound;
}
