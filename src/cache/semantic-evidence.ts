/**
 * What verified semantic caching learns: checks of a stored answer against the provider's fresh
 * answer for a similar prompt, kept with the entry (so they survive restarts and are shared by
 * every process on the store), and the estimate of an entry's chance of being wrong built from
 * them. The idea is the vCache paper's (arXiv 2502.03771): no single similarity threshold suits
 * every entry, so each entry's own record decides, with the record of all entries near the same
 * score as its prior.
 * @module
 */

/** One check of a stored answer: the similarity of the prompt it was checked for, and the outcome. */
export interface AnswerCheck {
  score: number;
  agreed: boolean;
}

/** Checks kept per entry, newest last; older ones say less about an answer that may have drifted. */
export const CHECKS_KEPT = 64;

/** Version of the text {@link writeEvidence} writes. */
const EVIDENCE_VERSION = 1;

/** An entry's checks, read from its stored evidence; none when there is none or it is unreadable. */
export function readEvidence(text: string | undefined): AnswerCheck[] {
  if (!text) return [];
  try {
    const parsed = JSON.parse(text) as { v?: unknown; checks?: unknown };
    if (parsed.v !== EVIDENCE_VERSION || !Array.isArray(parsed.checks)) return [];
    const checks: AnswerCheck[] = [];
    for (const item of parsed.checks) {
      if (Array.isArray(item) && typeof item[0] === "number" && Number.isFinite(item[0])) checks.push({ score: item[0], agreed: item[1] === 1 });
    }
    return checks.slice(-CHECKS_KEPT);
  } catch {
    // Evidence is an optimisation: unreadable evidence is no evidence, never a failed call.
    return [];
  }
}

/** The evidence text of `checks` with `check` added (the oldest dropped past {@link CHECKS_KEPT}). */
export function writeEvidence(checks: readonly AnswerCheck[], check: AnswerCheck): string {
  const kept = [...checks, check].slice(-CHECKS_KEPT);
  return JSON.stringify({ v: EVIDENCE_VERSION, checks: kept.map((c) => [Math.round(c.score * 1e4) / 1e4, c.agreed ? 1 : 0]) });
}

/** Agreements and disagreements that bear on one decision. */
export interface CheckCounts {
  checks: number;
  disagreed: number;
}

/**
 * The checks of one entry that bear on a prompt at `score`. A stored answer is more likely right
 * the closer the prompt: an answer that agreed for a prompt at a lower score counts as agreeing
 * here, one that disagreed for a prompt at a higher score counts as disagreeing; the others say
 * nothing about this score.
 */
export function countsAt(checks: readonly AnswerCheck[], score: number): CheckCounts {
  let counted = 0;
  let disagreed = 0;
  for (const check of checks) {
    if (check.agreed && check.score <= score + SAME_SCORE) counted++;
    else if (!check.agreed && check.score >= score - SAME_SCORE) {
      counted++;
      disagreed++;
    }
  }
  return { checks: counted, disagreed };
}

/** Scores this close are the same score (rounding of stored scores). */
const SAME_SCORE = 1e-4;

/**
 * Most weight the checks of other entries carry in one entry's estimate, in checks: the score
 * tells part of the story, but entries differ (a short factual question tolerates rewording less
 * than an open one), so an entry's own record soon outweighs the rest.
 */
export const POOL_WEIGHT = 20;

/**
 * Estimated chance that an entry's answer is wrong for a prompt at `score`: the entry's own checks
 * at that score, with the checks of all entries at or just below that score as the prior, and one
 * imagined disagreement besides. With no evidence at all it is 1: an answer nobody has checked is
 * served only as often as the bound allows were it always wrong, so the bound holds from the first
 * lookup; the estimate falls only as checks agree.
 *
 * @example
 * wrongChance({ checks: 0, disagreed: 0 }, { checks: 0, disagreed: 0 }); // → 1
 * wrongChance({ checks: 9, disagreed: 0 }, { checks: 0, disagreed: 0 }); // → 0.1
 */
export function wrongChance(entry: CheckCounts, pool: CheckCounts): number {
  const poolRate = (pool.disagreed + 1) / (pool.checks + 1);
  const weight = Math.min(pool.checks, POOL_WEIGHT);
  return (entry.disagreed + weight * poolRate + 1) / (entry.checks + weight + 1);
}

/** How far below a score the checks of other entries count as evidence for it. */
const POOL_WINDOW = 0.04;

/** Checks of every entry kept in memory per vector space, newest last. */
const POOL_KEPT = 4096;

/**
 * The checks of all entries of one vector space: those this process made, and those kept with
 * the entries of each scope when this process first loaded it (so a restart judges as before).
 * The prior of an entry that has few checks of its own. At a score, the checks made at that score or up to
 * {@link POOL_WINDOW} below it count (lower scores usually go wrong at least as often), unless the
 * checks within half that window on either side say worse.
 */
export function createCheckPool() {
  const checks: AnswerCheck[] = [];
  return {
    add(check: AnswerCheck): void {
      checks.push(check);
      if (checks.length > POOL_KEPT) checks.splice(0, checks.length - POOL_KEPT);
    },
    /** Forgets every check (after a flush: the entries they were kept with are gone or are read again). */
    clear(): void {
      checks.length = 0;
    },
    at(score: number): CheckCounts {
      const below = countBetween(checks, score - POOL_WINDOW, score + SAME_SCORE);
      const around = countBetween(checks, score - POOL_WINDOW / 2, score + POOL_WINDOW / 2);
      // Whichever window says worse: more wrong answers at higher scores (near misses, which
      // embeddings place close) breaks the rule that closer is safer, and must not go unseen.
      return rateOf(around) > rateOf(below) ? around : below;
    },
  };
}

export type CheckPool = ReturnType<typeof createCheckPool>;

function countBetween(checks: readonly AnswerCheck[], low: number, high: number): CheckCounts {
  let counted = 0;
  let disagreed = 0;
  for (const check of checks) {
    if (check.score < low || check.score > high) continue;
    counted++;
    if (!check.agreed) disagreed++;
  }
  return { checks: counted, disagreed };
}

function rateOf(counts: CheckCounts): number {
  return (counts.disagreed + 1) / (counts.checks + 1);
}
