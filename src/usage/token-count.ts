/**
 * A count from a provider's usage block as a finite, non-negative number: providers sometimes
 * omit fields, and a bad count must never turn into a negative cost or energy.
 * @module
 */

/**
 * @example
 * tokenCount(undefined); // 0
 * tokenCount(-5);        // 0
 * tokenCount(120);       // 120
 */
export function tokenCount(n: number | undefined): number {
  return n !== undefined && Number.isFinite(n) && n > 0 ? n : 0;
}
