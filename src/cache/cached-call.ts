/**
 * What the engine is given: one call through a cached SDK method, the settings it reads on
 * every call, and what a call's lookup, upstream request or identical call in flight hands back.
 *
 * @module
 */
import type { CachedMethod, CallLimits, StreamExchange } from "../providers/adapter.ts";
import type { CacheEntry } from "../stores/store.ts";
import type { CallOptions, Mode, PromptType, Provider, ReplayMode, TokenUsage } from "../types.ts";
import type { SemanticCheckFacts } from "../usage/row.ts";
import type { PromptEmbedding, SemanticCache, SemanticRequest } from "./semantic.ts";

/** The settings the engine reads on every call (they may change while running). */
export interface EngineSettings {
  mode: Mode;
  ttl: number;
  ttlByModel: Record<string, number>;
  cachingEnabled: boolean;
  namespace: string;
  /** How a stream hit is replayed unless the call says otherwise. */
  replay: ReplayMode;
}

/** One call through a cached SDK method. */
export interface CachedCall {
  provider: Provider;
  baseURL: string;
  /** What reaches the wire beside the params and the base URL (see `SentRequest.wire`). */
  wire: Record<string, unknown>;
  method: CachedMethod;
  params: Record<string, unknown>;
  options: CallOptions;
  /** Sends the request with the SDK, untouched, or with `replacement` as its argument (see `CachedMethod.prepare`); resolves to its data. */
  send: (replacement?: Record<string, unknown>) => Promise<unknown>;
  /** The SDK's call exactly as the caller made it, returned as is when the call passes through. Default: `send()`. */
  sendUntouched?: () => unknown;
  /** A cached call's outcome in the shape the SDK's call returns (a promise with `withResponse()`). Default: the promise. */
  present?: (outcome: Promise<unknown>) => unknown;
  /**
   * For a method that streams (see `StreamedMethod`): runs the SDK call with `params`, its HTTP
   * exchange answered by `exchange`, and returns what the SDK returns. Without it a stream passes through.
   */
  sendStreaming?: (params: Record<string, unknown>, exchange: StreamExchange) => unknown;
  /** The caller's signal and timeout, which bound its waits on identical calls. */
  limits?: CallLimits;
  /**
   * When the call began (`performance.now()`), for its logged latency; default: now. A framework
   * that looks up and stores in two steps (LangChain) dates its miss from the lookup.
   */
  startedAt?: number;
}

/** What a log row and a cache entry say about the request; a hit reuses what its entry stored. */
export interface RequestFacts {
  model: string;
  prompt: string;
  promptType: PromptType;
}

/** The similar entry that answered a call (semantic matching), as its usage row reports it. */
export interface SemanticMatch {
  /** The key of the similar entry. */
  semanticKey?: string;
  /** Its similarity to the prompt, and its own prompt. */
  semanticScore?: number;
  semanticPrompt?: string;
}

/** What semantic matching adds to a call's usage row: the match, the embedding paid for, the check made. */
export interface SemanticFacts extends SemanticMatch {
  /** The prompt's embedding, paid for by this call (or by the leader it waited on). */
  embedding?: PromptEmbedding;
  /** The check of a semantic match the call made (verified and shadow modes). */
  check?: SemanticCheckFacts;
}

/** What a leader's upstream call hands to the identical calls that waited on it. */
export interface Settled extends SemanticFacts {
  response: unknown;
  body: string;
  usage: TokenUsage;
  facts: RequestFacts;
  /** Served from an entry another process wrote while this one waited. */
  hit?: boolean;
  /** When the stored entry that answered was written (peer or semantic hits). */
  storedAt?: number;
  /** The write of a new answer: true once it is in the store, false when a fault stopped it. */
  written?: Promise<boolean>;
}

/** A prompt's embedding kept to be stored with the answer, for semantic matching. */
export interface SimilarPrompt {
  request: SemanticRequest;
  embedding: PromptEmbedding;
  semantic: SemanticCache;
}

/** What the engine lends the paths of its calls (plain and streamed): store access, freshness rules, writes and log. */
export interface EngineServices {
  /** The stored entry for `key`; undefined on none or a store fault. */
  get(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined>;
  isFresh(entry: CacheEntry, call: CachedCall, settings: EngineSettings): boolean;
  freshAfter(call: CachedCall, settings: EngineSettings): number;
  /** How long the call's entry lives, in seconds. */
  maxAgeSeconds(call: CachedCall, settings: EngineSettings): number;
  /**
   * The entry's response rebuilt for the caller, or (a promise of) undefined when the entry is
   * corrupt, which is then removed and reported. A promise only when the rebuild or the removal waits.
   */
  serve(entry: CacheEntry, call: CachedCall): unknown;
  hitUsage(call: CachedCall, stored: TokenUsage, response: unknown): TokenUsage;
  describe(call: CachedCall): RequestFacts;
  semantic(): SemanticCache | undefined;
  /** Hands an answer to the write-behind queue; resolves once it is written (true) or a fault stopped it (false). */
  write(call: CachedCall, key: string, namespace: string, settings: EngineSettings, body: string, usage: TokenUsage, facts: RequestFacts, similar?: SimilarPrompt): Promise<boolean>;
  log(call: CachedCall, facts: RequestFacts, key: string | null, startedAt: number, usage: TokenUsage, hit: boolean, semantic?: SemanticFacts): void;
  track(settled: Promise<unknown>): void;
  /** True once the engine is closing: a stream read to its end then is not stored. */
  closing(): boolean;
}

/**
 * Whether an answer is a promise to wait on rather than the answer itself: a store that reads
 * synchronously, and most rebuilds, answer at once, and a hit served without a promise between
 * its steps is about 0.4 µs quicker.
 */
export function isPromise<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null | undefined)?.then === "function";
}

/** The call with the params its method prepared for keying and sending. */
export async function prepared(call: CachedCall, prepare: NonNullable<CachedMethod["prepare"]>): Promise<CachedCall> {
  const params = await prepare.call(call.method, call.params);
  return { ...call, params, send: () => call.send(params) };
}
