/**
 * How one streamed answer is paced and whether it breaks: the gap between events and a fault
 * (cut or error event) after some events, from the request's headers, a pending
 * `failNextStream`, or the route's own `[sim:stream-error]` outcome, in that order.
 *
 * @module
 */
import { SIM_HEADERS, headerNumber } from "./headers.ts";
import type { FailNextStreamOptions, SseResponse, StreamFault } from "./types.ts";

/** How `writeSse` sends one stream. */
export interface StreamPlan {
  /** Milliseconds between two events. */
  gapMs: number;
  /** Break the stream after `after` events. */
  fault?: { kind: StreamFault; after: number };
}

/** Events written before a `failNextStream` fault when `afterChunks` is omitted. */
const DEFAULT_AFTER_CHUNKS = 2;

interface PendingFault {
  options: FailNextStreamOptions;
  remaining: number;
}

/** The queue behind `Simulator.failNextStream`. */
export interface StreamFaultQueue {
  push(options: FailNextStreamOptions): void;
  /** The fault for the next stream of `route`, consumed; `undefined` when none is pending. */
  take(route: string): { kind: StreamFault; after: number } | undefined;
  clear(): void;
}

export function createStreamFaultQueue(): StreamFaultQueue {
  const pending: PendingFault[] = [];
  return {
    push: (options) => {
      checkOptions(options);
      pending.push({ options, remaining: options.times ?? 1 });
    },
    take: (route) => {
      const index = pending.findIndex((f) => f.options.route === undefined || f.options.route === route);
      const fault = pending[index];
      if (!fault) return undefined;
      if (--fault.remaining <= 0) pending.splice(index, 1);
      return { kind: fault.options.fault ?? "cut", after: fault.options.afterChunks ?? DEFAULT_AFTER_CHUNKS };
    },
    clear: () => {
      pending.length = 0;
    },
  };
}

/** A bad option would break streams in ways no test asked for: refuse it, naming it. */
function checkOptions(options: FailNextStreamOptions): void {
  const { fault, afterChunks, times } = options;
  if (fault !== undefined && fault !== "cut" && fault !== "error") {
    throw new TypeError(`failNextStream: fault must be "cut" or "error", got ${JSON.stringify(fault)}`);
  }
  if (afterChunks !== undefined && !(Number.isInteger(afterChunks) && afterChunks >= 0)) {
    throw new RangeError(`failNextStream: afterChunks must be an integer of 0 or more, got ${afterChunks}`);
  }
  if (times !== undefined && !(Number.isInteger(times) && times >= 1)) {
    throw new RangeError(`failNextStream: times must be an integer of 1 or more, got ${times}`);
  }
}

/**
 * The plan for `response`: a per-request header wins over a pending fault, which wins over the
 * route's own failure; the gap comes from the header or the simulator's `chunkGapMs`.
 */
export function planStream(
  response: SseResponse,
  headers: Record<string, string>,
  defaults: { gapMs: number; pending: () => StreamPlan["fault"] },
): StreamPlan {
  const gapMs = headerNumber(headers, SIM_HEADERS.chunkGapMs) ?? defaults.gapMs;
  const cutAfter = headerNumber(headers, SIM_HEADERS.cutAfter);
  const errorAfter = headerNumber(headers, SIM_HEADERS.errorAfter);
  let fault: StreamPlan["fault"];
  if (cutAfter !== undefined) fault = { kind: "cut", after: cutAfter };
  else if (errorAfter !== undefined) fault = { kind: "error", after: errorAfter };
  else fault = defaults.pending() ?? (response.failAfter === undefined ? undefined : { kind: "error", after: response.failAfter });
  if (fault?.kind === "error") {
    // An error comes before the stream's closing event, never after it.
    fault = { kind: "error", after: Math.min(fault.after, Math.max(0, response.events.length - 1)) };
  }
  return fault ? { gapMs, fault } : { gapMs };
}
