/**
 * The decision on one semantic candidate: its score, the verdict of every guard in force, and
 * whether it may be served. Kept apart from the search so that a policy other than "threshold
 * and guards" (one learnt per entry from verified answers) replaces only this step.
 * @module
 */
import type { CacheEntry } from "../stores/store.ts";
import { runGuards, type GuardSwitches, type GuardVerdict } from "./semantic-guards.ts";

/** A stored entry whose prompt reached the threshold, and what the guards said of it. */
export interface SemanticCandidate {
  entry: CacheEntry;
  /** Cosine similarity between the new prompt and the entry's prompt. */
  score: number;
  /** Similarity between the entry's prompt and the nearest other stored prompt near the new one. */
  neighbour: number | undefined;
  verdicts: GuardVerdict[];
  /** Every guard passed. */
  passed: boolean;
}

/** What a lookup decided: serve `candidate`, or miss (then `candidate` is the best one turned down, if any). */
export interface SemanticDecision {
  action: "serve" | "miss";
  candidate: SemanticCandidate | undefined;
  /** Every candidate looked at, best first. */
  considered: SemanticCandidate[];
  /** The threshold in force for this lookup. */
  threshold: number;
}

/** Runs the guards in force on one candidate. */
export function decideMatch(match: Pick<SemanticCandidate, "entry" | "score" | "neighbour">, prompt: string, switches: GuardSwitches, readable: RegExp | undefined): SemanticCandidate {
  const verdicts = runGuards({ query: prompt, stored: match.entry.prompt, score: match.score, neighbour: match.neighbour, readable }, switches);
  return { ...match, verdicts, passed: verdicts.every((verdict) => verdict.passed) };
}
