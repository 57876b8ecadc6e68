import type { CachedMethod } from "../providers/adapter.ts";
import type { CacheEntry, Store } from "../stores/store.ts";
import type { CallOptions, Logger, Provider } from "../types.ts";
import { embeddingCostUsd, type RateOverrides } from "../usage/pricing.ts";
import type { Embedder } from "./embedder.ts";
import { createFaultReporter } from "./faults.ts";
import { hashCacheKey, requestIdentity } from "./key.ts";
import { createSemanticIndex } from "./semantic-index.ts";
import { unitVector } from "./vector-sketch.ts";

/** What semantic matching needs of a call. */
export interface SemanticCall {
  provider: Provider;
  baseURL: string;
  wire: Record<string, unknown>;
  method: CachedMethod;
  params: Record<string, unknown>;
  options: CallOptions;
}

/** A call that may be matched semantically: its scope and the text to embed. */
export interface SemanticRequest {
  scope: string;
  text: string;
}

/** A prompt's unit vector and what embedding it cost. */
export interface PromptEmbedding {
  vector: Float32Array;
  tokens: number;
  costUsd: number;
}

export interface SemanticCacheOptions {
  store: Store;
  embedder: Embedder;
  /** Cosine similarity a stored prompt must reach; read at every lookup (the settings file may change it). */
  threshold: () => number;
  logger: Logger;
  pricing: RateOverrides;
}

/** Prompt types whose meaning is carried by their text; the others only ever match exactly. */
const SEMANTIC_TYPES = new Set(["text", "structured"]);

/** Best matches read from the store per lookup (one store read each), best first. */
const MATCHES_READ = 8;

/**
 * Semantic matching for the engine: which calls take part and in which scope, their embedding
 * (a failure means exact matching only, reported once per outage), the best stored entry of the
 * scope above the threshold, and the vectors of entries this process writes.
 */
export function createSemanticCache(options: SemanticCacheOptions) {
  const { store, embedder, logger } = options;
  const index = createSemanticIndex(store);
  const exactOnly = { meanwhile: "calls use exact matching only", resumed: "semantic matching resumed" };
  const embedFault = createFaultReporter(logger, `semantic embeddings (${embedder.space})`, exactOnly);
  const searchFault = createFaultReporter(logger, `semantic search in the ${store.name} cache`, exactOnly);

  return {
    /** The call's scope and text, or undefined when it may only match exactly. */
    request(call: SemanticCall, namespace: string): SemanticRequest | undefined {
      if (call.options.semantic === false || !call.method.semanticParts) return undefined;
      if (!SEMANTIC_TYPES.has(call.method.promptType(call.params))) return undefined;
      const parts = call.method.semanticParts(call.params);
      if (!parts) return undefined;
      const scope = hashCacheKey({ ...requestIdentity(call, namespace), params: parts.context, embedding: embedder.space });
      return { scope, text: parts.text };
    },

    /** The prompt's unit vector, or undefined when embedding failed. */
    async embed(request: SemanticRequest): Promise<PromptEmbedding | undefined> {
      try {
        const embedded = await embedder.embed(request.text);
        if (!embedded.vector || embedded.vector.length === 0) throw new Error("[ecoai] the embedding of a prompt came back empty");
        embedFault.ok();
        const vector = unitVector(embedded.vector);
        // A text with no features (only punctuation, for a lexical embedder) matches nothing.
        if (!vector) return undefined;
        return { vector, tokens: embedded.tokens, costUsd: embeddingCostUsd(embedder.model, embedded.tokens, options.pricing) };
      } catch (error) {
        embedFault.failed(error);
        return undefined;
      }
    },

    /**
     * The most similar stored entry of the scope at or above the threshold written after
     * `freshAfter` (ms since the epoch: older entries are stale for this call, and are passed over
     * before the best few are read). Candidates whose entry is gone (flushed, expired, evicted) are forgotten.
     */
    async find(request: SemanticRequest, embedding: PromptEmbedding, freshAfter: number): Promise<CacheEntry | undefined> {
      try {
        const matches = await index.search(request.scope, embedding.vector, options.threshold(), MATCHES_READ, freshAfter);
        for (const match of matches) {
          const entry = await store.get(match.key);
          if (!entry) index.drop(request.scope, match.key);
          else if (entry.createdAt > freshAfter) {
            searchFault.ok();
            return entry;
          }
        }
        searchFault.ok();
      } catch (error) {
        searchFault.failed(error);
      }
      return undefined;
    },

    /** Indexes the vector of an entry this process has just stored. */
    remember(request: SemanticRequest, entry: Pick<CacheEntry, "key" | "createdAt">, embedding: PromptEmbedding): void {
      index.add(request.scope, entry.key, embedding.vector, entry.createdAt);
    },

    /** Forgets every vector held in memory (after a flush); scopes reload from the store. */
    clear(): void {
      index.clear();
    },
  };
}

export type SemanticCache = ReturnType<typeof createSemanticCache>;
