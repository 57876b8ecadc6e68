import type { Logger } from "../types.ts";

/**
 * Reports a failing dependency once per outage: the first failure warns, later ones stay quiet
 * until a success ends the outage (which is reported too).
 */
export function createFaultReporter(logger: Logger, what: string) {
  let failing = false;
  return {
    failed(error: unknown): void {
      if (failing) return;
      failing = true;
      logger.warn(`[ecoai] ${what} failed; calls go straight to the provider until it recovers`, error);
    },
    ok(): void {
      if (!failing) return;
      failing = false;
      logger.warn(`[ecoai] ${what} recovered; caching resumed`);
    },
  };
}
