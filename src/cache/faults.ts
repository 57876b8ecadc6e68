import type { Logger } from "../types.ts";

/** What a fault report says happens meanwhile, and once the dependency is back. */
export interface FaultWording {
  /** @default "calls go straight to the provider" */
  meanwhile?: string;
  /** @default "caching resumed" */
  resumed?: string;
}

/**
 * Reports a failing dependency once per outage: the first failure warns, later ones stay quiet
 * until a success ends the outage (which is reported too).
 */
export function createFaultReporter(logger: Logger, what: string, wording: FaultWording = {}) {
  const { meanwhile = "calls go straight to the provider", resumed = "caching resumed" } = wording;
  let failing = false;
  return {
    failed(error: unknown): void {
      if (failing) return;
      failing = true;
      logger.warn(`[ecoai] ${what} failed; ${meanwhile} until it recovers`, error);
    },
    ok(): void {
      if (!failing) return;
      failing = false;
      logger.warn(`[ecoai] ${what} recovered; ${resumed}`);
    },
  };
}
