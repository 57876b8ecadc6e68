import type { CallLimits } from "../providers/adapter.ts";

/** The longest delay a timer can hold; a budget beyond it (about 24 days) is no budget. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * How long one call may wait on others (an identical call in flight, a peer's lock): until the
 * caller's signal aborts or its SDK would have timed out, counted from the call's start. Then the
 * call rejects with the error its SDK throws in that case, and what it waited on goes on
 * undisturbed for everyone else.
 */
export interface Patience {
  /** The SDK's abort error (rejected) when the caller's signal has aborted; else undefined, with no promise to wait on. */
  check(): Promise<never> | undefined;
  /**
   * `waiting`'s outcome, unless the caller gives up first: then the SDK's error, while `waiting`
   * settles unobserved (its rejection, if any, is handled here).
   */
  wait<T>(waiting: Promise<T>): Promise<T>;
  /** Aborts once the caller has given up, so that a loop waiting for it stops. */
  readonly stopped: AbortSignal;
}

/** The patience of a call that started at `startedAt` (`performance.now()`), within `limits`. */
export function patienceFor(limits: CallLimits | undefined, startedAt: number): Patience {
  return new CallPatience(limits, startedAt);
}

/**
 * One object and no closures until the call waits: most calls (every hit) never wait, and never
 * give up.
 */
class CallPatience implements Patience {
  readonly #limits: CallLimits | undefined;
  readonly #startedAt: number;
  /** Made when first needed. */
  #stop: AbortController | undefined;

  constructor(limits: CallLimits | undefined, startedAt: number) {
    this.#limits = limits;
    this.#startedAt = startedAt;
  }

  get stopped(): AbortSignal {
    return (this.#stop ??= new AbortController()).signal;
  }

  #giveUp(error: () => Error | Promise<Error>): Promise<never> {
    (this.#stop ??= new AbortController()).abort();
    return Promise.resolve(error()).then((reason) => Promise.reject(reason));
  }

  check(): Promise<never> | undefined {
    const limits = this.#limits;
    return limits?.signal?.aborted ? this.#giveUp(limits.aborted) : undefined;
  }

  async wait<T>(waiting: Promise<T>): Promise<T> {
    const limits = this.#limits;
    const signal = limits?.signal;
    const timeoutMs = limits?.timeoutMs;
    const deadline = timeoutMs === undefined || timeoutMs > MAX_TIMER_MS ? undefined : this.#startedAt + timeoutMs;
    if (!limits || (!signal && deadline === undefined)) return waiting;
    if (signal?.aborted) {
      waiting.catch(() => {});
      return this.#giveUp(limits.aborted);
    }
    return new Promise<T>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let settled = false;
      const finish = () => {
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const abandon = (error: () => Error | Promise<Error>) => {
        if (settled) return;
        finish();
        waiting.catch(() => {});
        this.#giveUp(error).catch(reject);
      };
      const onAbort = () => abandon(limits.aborted);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (deadline !== undefined) timer = setTimeout(() => abandon(limits.timedOut), Math.max(0, deadline - performance.now()));
      waiting.then(
        (value) => {
          if (settled) return;
          finish();
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          finish();
          reject(error);
        },
      );
    });
  }
}
