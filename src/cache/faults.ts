import { isLockedOut, sqliteCode } from "../sqlite/errors.ts";
import type { Logger } from "../types.ts";

/** What a fault report says happens meanwhile, and once the dependency is back. */
export interface FaultWording {
  /** @default "calls go straight to the provider" */
  meanwhile?: string;
  /** What happens while only writes fail (reads still work). @default the `meanwhile` text */
  meanwhileWriting?: string;
  /** @default "caching resumed" */
  resumed?: string;
}

/** Reads find what is there; writes store something. A write-only fault (a full disk) leaves reads working. */
export type FaultKind = "read" | "write";

/**
 * A lock held by another process counts as an outage only after failures in a row, of one kind,
 * for a while: a peer's write, or two processes creating one file at once, holds the lock for a
 * moment, and calls that skip the cache during it are not news.
 */
const LOCK_FAILURES_BEFORE_REPORT = 3;
/** How long, in milliseconds, a lock must keep failing operations before it is reported. */
const LOCK_OUTAGE_MS = 250;

/**
 * Reports a failing dependency once per outage, in one line naming it (`what`: backend and path
 * or URL) and the cause; the error itself goes to the logger as a second argument (the default
 * console logger prints its stack only in debug mode). An outage ends when every kind of
 * operation that failed has succeeded again, which is reported too: reads that keep working
 * while writes fail neither end nor restart it.
 */
export function createFaultReporter(logger: Logger, what: string, wording: FaultWording = {}) {
  const { meanwhile = "calls go straight to the provider", resumed = "caching resumed" } = wording;
  const meanwhileWriting = wording.meanwhileWriting ?? meanwhile;
  const state: Record<FaultKind, { failing: boolean; lockFailures: number; lockedSince: number }> = {
    read: { failing: false, lockFailures: 0, lockedSince: 0 },
    write: { failing: false, lockFailures: 0, lockedSince: 0 },
  };
  let reported = false;
  return {
    /** Whether an outage has been reported and has not ended. */
    get failing(): boolean {
      return reported;
    },
    failed(error: unknown, kind: FaultKind = "read"): void {
      const current = state[kind];
      if (!current.failing && isLockedOut(error)) {
        if (current.lockFailures++ === 0) current.lockedSince = Date.now();
        if (current.lockFailures < LOCK_FAILURES_BEFORE_REPORT || Date.now() - current.lockedSince < LOCK_OUTAGE_MS) return;
      }
      current.failing = true;
      if (reported) return;
      reported = true;
      logger.warn(`[ecoai] ${what} failed: ${describeFault(error)}; ${kind === "write" ? meanwhileWriting : meanwhile} until it recovers`, error);
    },
    ok(kind: FaultKind = "read"): void {
      const current = state[kind];
      current.lockFailures = 0;
      if (!current.failing) return;
      current.failing = false;
      if (!reported || state.read.failing || state.write.failing) return;
      reported = false;
      logger.warn(`[ecoai] ${what} recovered; ${resumed}`);
    },
  };
}

export type FaultReporter = ReturnType<typeof createFaultReporter>;

/** What went wrong, in one line: the error's own first line, with the SQLite result code when there is one. */
export function describeFault(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split("\n")[0]!.trim().slice(0, 300) || (error instanceof Error ? error.name : "unknown error");
  const code = sqliteCode(error);
  if (code === undefined || line.includes(code)) return line;
  return isLockedOut(error) ? `${line}: another process holds its lock (${code})` : `${line} (${code})`;
}

/**
 * The logger ecoai uses when none is given: each warning is one line on stderr; with `debug`
 * (option `debug` or `ECOAI_DEBUG=1`) the error behind it follows, with its stack.
 */
export function consoleLogger(debug: () => boolean): Logger {
  return {
    warn(message, error) {
      if (error !== undefined && debug()) console.warn(message, error);
      else console.warn(message);
    },
  };
}
