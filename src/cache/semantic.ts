import type { CacheEntry, Store } from "../stores/store.ts";
import type { Logger } from "../types.ts";
import { embeddingCostUsd, type RateOverrides } from "../usage/pricing.ts";
import type { CachedCall } from "./cached-call.ts";
import type { Embedder } from "./embedder.ts";
import { createFaultReporter } from "./faults.ts";
import { hashCacheKey, requestIdentity } from "./key.ts";
import { createSemanticChecks, type SemanticCheckOutcome, type SemanticCheckSettings, type SemanticPlan } from "./semantic-checks.ts";
import { decideMatch, type SemanticCandidate, type SemanticDecision } from "./semantic-decision.ts";
import { guardSwitches, unreadableLetters, type GuardSwitches } from "./semantic-guards.ts";
import { createSemanticIndex } from "./semantic-index.ts";
import { unitVector } from "./vector-sketch.ts";

/** What semantic matching needs of a call. */
export type SemanticCall = Pick<CachedCall, "provider" | "baseURL" | "wire" | "method" | "params" | "options">;

/** A call that may be matched semantically: its scope, the text to embed, and its prompt as entries store it. */
export interface SemanticRequest {
  scope: string;
  text: string;
  /** The prompt text as a stored entry keeps it (its first 200 characters), for the guards. */
  prompt: string;
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
  /** Guards in force; all when not given (or when it returns undefined). */
  guards?: () => GuardSwitches | undefined;
  /** Verified and shadow modes; plain threshold matching when not given. */
  checks?: () => SemanticCheckSettings | undefined;
  logger: Logger;
  pricing: RateOverrides;
}

const PLAIN: SemanticCheckSettings = { explore: 0, compare: "normalised", shadow: false };

/** Prompt types whose meaning is carried by their text; the others only ever match exactly. */
const SEMANTIC_TYPES = new Set(["text", "structured"]);

/** Best matches read from the store per lookup (one store read each), best first. */
const MATCHES_READ = 8;

/**
 * How far below the threshold the index is searched for the candidates' neighbours: stored
 * prompts near the query that are themselves too far to match, but close to a candidate.
 */
const NEIGHBOUR_WINDOW = 0.1;

const PROMPT_CHARS = 200;

/**
 * Entries of a scope (the newest) whose stored checks are read into the pooled prior when the
 * scope is first loaded in verified mode: enough to fill the prior, one read each, once per process.
 */
const ENTRIES_LEARNT = 4096;

/** Entries read at once while learning a scope's evidence. */
const LEARN_BATCH = 64;

/**
 * Semantic matching for the engine: which calls take part and in which scope, their embedding
 * (a failure means exact matching only, reported once per outage), the best stored entry of the
 * scope above the threshold, and the vectors of entries this process writes.
 */
export function createSemanticCache(options: SemanticCacheOptions) {
  const { store, embedder, logger } = options;
  const allGuards = guardSwitches(true);
  const checkSettings = () => options.checks?.() ?? PLAIN;
  const guards = () => options.guards?.() ?? allGuards;
  /** Per scope, the reading of its entries' evidence into the pooled prior (verified mode), from its first load on. */
  const learning = new Map<string, Promise<void>>();
  const index = createSemanticIndex(store, (scope, newestKeys) => {
    if (checkSettings().maxErrorRate !== undefined) learning.set(scope, learnFrom(newestKeys(ENTRIES_LEARNT)));
  });
  const exactOnly = { meanwhile: "calls use exact matching only", resumed: "semantic matching resumed" };
  const embedFault = createFaultReporter(logger, `semantic embeddings (${embedder.space})`, exactOnly);
  const searchFault = createFaultReporter(logger, `semantic search in the ${store.name} cache`, exactOnly);
  const checks = createSemanticChecks({ store, embedder, price: (tokens) => embeddingCostUsd(embedder.model, tokens, options.pricing) });

  /** Reads the entries of `keys` (a few at a time) and adds the checks kept with them to the pooled prior. */
  async function learnFrom(keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += LEARN_BATCH) {
      try {
        checks.learn(await Promise.all(keys.slice(start, start + LEARN_BATCH).map((key) => store.get(key))));
      } catch {
        // A store fault leaves the prior to what could be read: evidence is an optimisation.
      }
    }
  }

  /**
   * What to do with the call: serve the best stored entry of the scope that reaches the
   * threshold, was written after `freshAfter` (ms since the epoch: older entries are stale for
   * this call) and passes every guard in force, or miss. The decision lists each candidate
   * considered with its score and guard verdicts. Candidates whose entry is gone (flushed,
   * expired, evicted) are forgotten.
   */
  async function decide(request: SemanticRequest, embedding: PromptEmbedding, freshAfter: number): Promise<SemanticDecision> {
    const threshold = options.threshold();
    const switches = guards();
    const considered: SemanticCandidate[] = [];
    try {
      const floor = switches.neighbours ? Math.max(0, threshold - NEIGHBOUR_WINDOW) : threshold;
      const near = await index.search(request.scope, embedding.vector, floor, MATCHES_READ, freshAfter);
      for (const match of near) {
        if (match.score < threshold) break;
        // Read back already when the match was scored against its exact vector.
        const entry = match.entry ?? (await store.get(match.key));
        if (!entry) {
          index.drop(request.scope, match.key);
          continue;
        }
        if (!(entry.createdAt > freshAfter)) continue;
        const neighbour = switches.neighbours ? index.nearestAmong(request.scope, match.key, near) : undefined;
        const candidate = decideMatch({ entry, score: match.score, neighbour }, request.prompt, switches, embedder.readable);
        considered.push(candidate);
        if (candidate.passed) {
          searchFault.ok();
          return { action: "serve", candidate, considered, threshold };
        }
      }
      searchFault.ok();
    } catch (error) {
      searchFault.failed(error);
    }
    return { action: "miss", candidate: considered[0], considered, threshold };
  }

  return {
    /** The call's scope and text, or undefined when it may only match exactly. */
    request(call: SemanticCall, namespace: string): SemanticRequest | undefined {
      if (call.options.semantic === false || !call.method.semanticParts) return undefined;
      if (!SEMANTIC_TYPES.has(call.method.promptType(call.params))) return undefined;
      const parts = call.method.semanticParts(call.params);
      if (!parts) return undefined;
      // Text the embedder cannot read would embed to noise: such a prompt only matches exactly, and costs no embedding.
      if (guards().scripts && unreadableLetters(parts.text, embedder.readable) > 0) return undefined;
      const scope = hashCacheKey({ ...requestIdentity(call, namespace), params: parts.context, embedding: embedder.space });
      return { scope, text: parts.text, prompt: call.method.promptText(call.params).slice(0, PROMPT_CHARS) };
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

    decide,

    /**
     * What to do with the call: serve a stored answer, call the provider and check a match
     * against its answer (verified and shadow modes), or, undefined, miss.
     */
    async plan(request: SemanticRequest, embedding: PromptEmbedding, freshAfter: number): Promise<SemanticPlan | undefined> {
      const settings = checkSettings();
      const decision = await decide(request, embedding, freshAfter);
      // A scope's first load reads what its entries learnt before (this process's start) into the prior.
      await learning.get(request.scope);
      // A lookup in a scope holding nothing could not have been given a wrong answer either way.
      if (index.held(request.scope) > 0) checks.lookup();
      return decision.action === "serve" && decision.candidate ? checks.plan(decision.candidate, settings) : undefined;
    },

    /** Compares the provider's answer with the planned match's, and learns from it in verified mode. */
    check(plan: Extract<SemanticPlan, { action: "check" }>, request: SemanticRequest, response: unknown, maxAgeSeconds: number | undefined): Promise<SemanticCheckOutcome> {
      return checks.check(plan, request.prompt, response, checkSettings(), maxAgeSeconds);
    },

    /** The stored entry `decide` would serve, or undefined. */
    async find(request: SemanticRequest, embedding: PromptEmbedding, freshAfter: number): Promise<CacheEntry | undefined> {
      const decision = await decide(request, embedding, freshAfter);
      return decision.action === "serve" ? decision.candidate?.entry : undefined;
    },

    /** Indexes the vector of an entry this process has just stored. */
    remember(request: SemanticRequest, entry: Pick<CacheEntry, "key" | "createdAt">, embedding: PromptEmbedding): void {
      index.add(request.scope, entry.key, embedding.vector, entry.createdAt);
    },

    /** Forgets every vector held in memory (after a flush); scopes reload from the store. */
    clear(): void {
      index.clear();
      learning.clear();
      checks.clear();
    },
  };
}

export type SemanticCache = ReturnType<typeof createSemanticCache>;
