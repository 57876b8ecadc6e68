/**
 * Server-sent events: formatting and writing a stream to a `node:http` response, event by
 * event, paced and broken as its `StreamPlan` says.
 *
 * @module
 */
import type { ServerResponse } from "node:http";
import type { StreamPlan } from "./stream-faults.ts";
import type { SseEvent, SseResponse } from "./types.ts";

/** Format one event as it appears on the wire (`event:` line only when named). */
export function formatSseEvent(event: SseEvent): string {
  const name = event.event === undefined ? "" : `event: ${event.event}\n`;
  const data = event.data
    .split("\n")
    .map((line) => `data: ${line}`)
    .join("\n");
  return `${name}${data}\n\n`;
}

/** An OpenAI-style `data: {json}` event. */
export function jsonEvent(value: unknown, event?: string): SseEvent {
  return event === undefined ? { data: JSON.stringify(value) } : { event, data: JSON.stringify(value) };
}

/**
 * A stream answer of `events`. A generation that fails (`[sim:stream-error]`) sends the first
 * half of them, then `failure`'s events: the route's own mid-stream error shape.
 */
export function sseAnswer(events: SseEvent[], failure: SseResponse["failure"], options: { fails: boolean; headers?: Record<string, string> }): SseResponse {
  return {
    status: 200,
    ...(options.headers ? { headers: options.headers } : {}),
    events,
    failure,
    ...(options.fails ? { failAfter: Math.ceil(events.length / 2) } : {}),
  };
}

/** Least time between the last event of a cut stream and the cut. */
const CUT_GRACE_MS = 25;

/**
 * Write `response.events` one at a time, `plan.gapMs` apart (at least a tick, so clients really
 * receive a stream of chunks rather than one buffered body). A `cut` fault destroys the
 * connection after its events, with no closing chunk; an `error` fault sends the route's
 * failure events instead of the rest. Stops early if the client goes away.
 */
export async function writeSse(res: ServerResponse, response: SseResponse, plan: StreamPlan): Promise<void> {
  const { events } = response;
  const count = plan.fault ? Math.min(plan.fault.after, events.length) : events.length;
  const tail = plan.fault?.kind === "error" ? response.failure(count) : [];
  const sequence = [...events.slice(0, count), ...tail];
  for (const [index, event] of sequence.entries()) {
    if (index > 0 && !(await pause(res, plan.gapMs))) return;
    if (!(await send(res, event))) return;
  }
  if (plan.fault?.kind === "cut") {
    // The cut comes when the next event would have: a client whose body stream errors drops
    // what it has not read yet, so give it the time to read the events it was sent.
    if (await pause(res, Math.max(plan.gapMs, CUT_GRACE_MS))) res.destroy();
    return;
  }
  if (!res.writableEnded) res.end();
}

/** Write one event and wait until it is handed to the socket; `false` when the client is gone. */
function send(res: ServerResponse, event: SseEvent): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return Promise.resolve(false);
  return new Promise((resolve) => {
    const closed = (): void => resolve(false);
    res.once("close", closed);
    res.write(formatSseEvent(event), () => {
      res.off("close", closed);
      resolve(!res.destroyed);
    });
  });
}

/** Wait `ms` (a tick when 0), or until the client goes away; `false` when it did. */
function pause(res: ServerResponse, ms: number): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("close", closed);
      resolve(!res.destroyed);
    };
    // setTimeout(0) waits a millisecond or more; a tick is all a gap of 0 needs.
    const timer = ms > 0 ? setTimeout(done, ms) : undefined;
    const immediate = ms > 0 ? undefined : setImmediate(done);
    const closed = (): void => {
      clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
      resolve(false);
    };
    res.once("close", closed);
  });
}
