/**
 * Verified and shadow semantic caching: what to do with a semantic match the threshold and guards
 * let through, and the check of its stored answer against the provider's when the call goes
 * upstream anyway.
 *
 * - Plain: serve it.
 * - Shadow: never serve; call the provider and compare (the would-be wrong-answer rate, measured).
 * - Verified (`maxErrorRate`): serve it as often as its estimated chance of being wrong allows
 *   within the bound, so the expected share of lookups given a wrong answer stays within it. The
 *   bound is on lookups that could be answered from the cache (their scope holds entries), and
 *   only those that find a match can go wrong: a match carries the bound divided by the share of
 *   lookups that find one. A match whose chance of being wrong is below that is always served;
 *   one above it, in a share `bound / chance` of its lookups. Every other lookup of the match goes
 *   to the provider and is a verification: the answers are compared and the outcome kept with the
 *   entry. A share `explore` of the matches it would serve are verified too, so a trusted answer
 *   that has gone stale is found out.
 * @module
 */
import type { CacheEntry, Store } from "../stores/store.ts";
import type { SemanticCheckKind, SemanticCompare, SemanticJudge } from "../types.ts";
import type { SemanticCheckFacts } from "../usage/row.ts";
import type { Embedder } from "./embedder.ts";
import { answerText, compareAnswers } from "./semantic-compare.ts";
import type { SemanticCandidate } from "./semantic-decision.ts";
import { countsAt, createCheckPool, readEvidence, writeEvidence, wrongChance } from "./semantic-evidence.ts";

/** How matches are checked; read at every lookup. */
export interface SemanticCheckSettings {
  /** Verified mode's bound on the share of lookups given a wrong answer; undefined: plain threshold. */
  maxErrorRate?: number;
  /** Share of trusted matches verified anyway (verified mode). */
  explore: number;
  compare: SemanticCompare;
  judge?: SemanticJudge;
  shadow: boolean;
}

/** What the engine does with a lookup's best match. */
export type SemanticPlan =
  | { action: "serve"; candidate: SemanticCandidate }
  /** Call the provider, then check its answer against the candidate's. */
  | { action: "check"; kind: SemanticCheckKind; candidate: SemanticCandidate; chance?: number };

/** A finished check: what the usage row records, and the embeddings the comparison cost. */
export interface SemanticCheckOutcome {
  facts: SemanticCheckFacts;
  embedding?: { tokens: number; costUsd: number };
}

export interface SemanticChecksOptions {
  store: Store;
  embedder: Embedder;
  /** Prices `tokens` embedding tokens. */
  price: (tokens: number) => number;
}

/**
 * Spreads `share` of a stream of decisions evenly: over any run of n decisions, between
 * ⌊n·share⌋ and ⌈n·share⌉ say yes. Unlike a coin it makes the bounds exact, and like a coin it
 * knows nothing of whether the answer will be right.
 */
function createSpreader() {
  let credit = 0;
  return (share: number): boolean => {
    credit += Math.min(1, Math.max(0, share));
    if (credit < 1 - 1e-9) return false;
    credit -= 1;
    return true;
  };
}

/**
 * The most expected wrong answers one match may carry, however rare matches are: an answer no
 * check supports is verified at least half the time, so the cache learns rather than spending the
 * bound of many lookups on guesses.
 */
const MAX_ALLOWANCE = 0.5;

/** The planner and checker of one semantic cache. */
export function createSemanticChecks(options: SemanticChecksOptions) {
  const pool = createCheckPool();
  const serveShare = createSpreader();
  const exploreShare = createSpreader();
  /** Lookups in a scope holding entries, and those of them that found a match the guards let through. */
  let lookups = 0;
  let matched = 0;

  return {
    /** Adds the checks kept with stored entries (read when their scope is first loaded) to the pooled prior. */
    learn(entries: readonly (CacheEntry | undefined)[]): void {
      for (const entry of entries) for (const check of readEvidence(entry?.evidence)) pool.add(check);
    },

    /** Forgets the pooled prior; it is learnt again from the entries as their scopes load. */
    clear(): void {
      pool.clear();
    },

    /** Counts a lookup that could have been answered from the cache, match or not. */
    lookup(): void {
      lookups++;
    },

    /** What to do with a match the threshold and guards let through. */
    plan(candidate: SemanticCandidate, settings: SemanticCheckSettings): SemanticPlan {
      if (settings.shadow) return { action: "check", kind: "shadow", candidate };
      if (settings.maxErrorRate === undefined) return { action: "serve", candidate };
      const chance = wrongChance(countsAt(readEvidence(candidate.entry.evidence), candidate.score), pool.at(candidate.score));
      matched++;
      // The bound is on lookups that could be answered from the cache; only those with a match can
      // go wrong, so a match may carry the bound over the share of lookups that find one. Early
      // on that share is taken as high (one more match than seen), so the first decisions are strict.
      const matchShare = Math.min(1, (matched + 1) / (Math.max(lookups, matched) + 1));
      const allowance = Math.min(MAX_ALLOWANCE, settings.maxErrorRate / matchShare);
      const share = Math.min(1, allowance / chance);
      if (!serveShare(share)) return { action: "check", kind: "verification", candidate, chance };
      if (exploreShare(settings.explore)) return { action: "check", kind: "verification", candidate, chance };
      return { action: "serve", candidate };
    },

    /**
     * Compares the provider's answer with the candidate's stored one and, in verified mode (or in
     * shadow mode with a bound set, to learn before serving), keeps the outcome with the entry.
     * `maxAgeSeconds`: the entry's lifetime in prod mode, so rewriting it keeps its expiry.
     */
    async check(plan: Extract<SemanticPlan, { action: "check" }>, prompt: string, response: unknown, settings: SemanticCheckSettings, maxAgeSeconds: number | undefined): Promise<SemanticCheckOutcome> {
      const { entry, score } = plan.candidate;
      let stored: unknown;
      try {
        stored = JSON.parse(entry.body);
      } catch {
        stored = undefined;
      }
      const comparison = await compareAnswers(
        { prompt, storedPrompt: entry.prompt, score, storedAnswer: answerText(stored), freshAnswer: answerText(response) },
        { compare: settings.compare, judge: settings.judge, embedder: options.embedder, price: options.price },
      );
      const check = { score, agreed: comparison.agreed };
      if (settings.maxErrorRate !== undefined) {
        pool.add(check);
        await remember(entry, check, maxAgeSeconds);
      }
      return {
        facts: { kind: plan.kind, agreed: comparison.agreed, key: entry.key, score, prompt: entry.prompt },
        ...(comparison.embedding ? { embedding: comparison.embedding } : {}),
      };
    },
  };

  /**
   * Adds a check to the entry's stored evidence. The entry is read again first, so evidence
   * written by another process meanwhile is kept, and an entry replaced meanwhile (a refresh) is
   * left alone. A store fault loses the check, never the call.
   */
  async function remember(entry: CacheEntry, check: { score: number; agreed: boolean }, maxAgeSeconds: number | undefined): Promise<void> {
    try {
      const current = await options.store.get(entry.key);
      if (!current || current.createdAt !== entry.createdAt) return;
      const evidence = writeEvidence(readEvidence(current.evidence), check);
      const left = maxAgeSeconds === undefined || !Number.isFinite(maxAgeSeconds) ? undefined : maxAgeSeconds - (Date.now() - current.createdAt) / 1000;
      if (left !== undefined && left <= 0) return;
      await options.store.set({ ...current, evidence }, left === undefined ? {} : { ttlSeconds: left });
    } catch {
      // The check still counts in this process's pool.
    }
  }
}

export type SemanticChecks = ReturnType<typeof createSemanticChecks>;

/** The call's embedding cost with what comparing answers by embedding added. */
export function withCheckCost<E extends { tokens: number; costUsd: number }>(embedding: E | undefined, check: SemanticCheckOutcome | undefined): E | undefined {
  if (!embedding || !check?.embedding) return embedding;
  return { ...embedding, tokens: embedding.tokens + check.embedding.tokens, costUsd: embedding.costUsd + check.embedding.costUsd };
}
