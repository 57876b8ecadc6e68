import type { EcoAPIPromise } from "./api-promise.ts";
import type { CallOptions } from "./types.ts";

type AnyFunction = (...args: never[]) => unknown;

/**
 * The clients ecoai wraps, by the shape it recognises them by (no SDK is imported): an `OpenAI`
 * (or `AzureOpenAI`) instance, an `Anthropic` instance, a `GoogleGenAI` instance, or a
 * `GenerativeModel` from `@google/generative-ai`. Anything else is a type error.
 */
export type SupportedClient =
  | { baseURL: string; chat: { completions: { create: AnyFunction } } }
  | { baseURL: string; messages: { create: AnyFunction; stream: AnyFunction } }
  | { models: { generateContent: AnyFunction; generateContentStream: AnyFunction } }
  | { model: string; generateContent: AnyFunction; generateContentStream: AnyFunction };

/** The SDK's request options, plus ecoai's per-call control under `ecoai`. */
export type WithEcoOptions<Options> = (Options extends undefined ? {} : NonNullable<Options>) & { ecoai?: CallOptions };

/**
 * A cached call resolves to the SDK's value. Where the SDK's promise has `withResponse()` /
 * `asResponse()` (openai, @anthropic-ai/sdk), so does ecoai's; otherwise it is a plain Promise.
 */
type Settled<R> = R extends PromiseLike<infer T> ? (R extends { withResponse(): unknown; asResponse(): unknown } ? EcoAPIPromise<T> : Promise<T>) : R;

type Signature<A, R> = A extends [infer Body, ...infer Rest]
  ? Rest extends [] | [unknown?]
    ? (body: Body, options?: WithEcoOptions<Rest[0]>) => Settled<R>
    : (...args: A) => Settled<R>
  : (...args: A extends unknown[] ? A : never) => Settled<R>;

/**
 * An SDK method as ecoai exposes it: each overload kept (up to four, e.g. stream and non-stream),
 * its options argument accepting `ecoai`.
 */
export type EcoMethod<F> = F extends {
  (...args: infer A1): infer R1;
  (...args: infer A2): infer R2;
  (...args: infer A3): infer R3;
  (...args: infer A4): infer R4;
}
  ? Signature<A1, R1> & Signature<A2, R2> & Signature<A3, R3> & Signature<A4, R4>
  : F extends (...args: infer A) => infer R
    ? Signature<A, R>
    : F;

/**
 * A stream helper (`messages.stream()`, `chat.completions.stream()`, `responses.stream()`) as
 * ecoai exposes it: the SDK's own generic signature first, so a call without `ecoai` keeps its
 * type parameters, then one whose options accept `ecoai`.
 */
export type EcoHelper<F> = F extends (...args: infer A) => infer R ? F & Signature<A, R> : F;

/** `C` with the method at path `P` replaced by its {@link EcoMethod} (its {@link EcoHelper} when `Helper`). */
export type WithCachedMethod<C, P extends readonly string[], Helper extends boolean = false> = P extends [infer Head extends string, ...infer Tail extends string[]]
  ? Head extends keyof C
    ? Tail extends []
      ? Omit<C, Head> & { [K in Head]: Helper extends true ? EcoHelper<C[Head]> : EcoMethod<C[Head]> }
      : Omit<C, Head> & { [K in Head]: WithCachedMethod<C[Head], Tail, Helper> }
    : C
  : C;

/** Whether `C` has a member at path `P`. */
type HasPath<C, P extends readonly string[]> = P extends [infer Head extends string, ...infer Tail extends string[]]
  ? Head extends keyof C
    ? HasPath<C[Head], Tail>
    : false
  : true;

/**
 * The path of every cached method, across the supported SDKs. A client is only rewritten on the
 * paths it has (`@google/generative-ai`'s `GenerativeModel` has `generateContent`, `GoogleGenAI`
 * has `models.generateContent`, OpenAI neither).
 */
type CachedPaths = [
  ["chat", "completions", "create"],
  ["responses", "create"],
  ["images", "generate"],
  ["images", "edit"],
  ["messages", "create"],
  ["models", "generateContent"],
  ["generateContent"],
];

/** The stream helpers among the cached methods: they return the SDK's helper object, not a promise. */
type HelperPaths = [["chat", "completions", "stream"], ["responses", "stream"], ["messages", "stream"]];

type WithCachedMethods<C, Paths, Helper extends boolean = false> = Paths extends [infer P extends string[], ...infer Rest]
  ? WithCachedMethods<HasPath<C, P> extends true ? WithCachedMethod<C, P, Helper> : C, Rest, Helper>
  : C;

/** The client as seen through ecoai: the cached methods typed with per-call options. */
export type CachedClient<C> = WithCachedMethods<WithCachedMethods<C, CachedPaths>, HelperPaths, true>;
