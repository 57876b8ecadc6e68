/**
 * Server-sent events: formatting and writing a stream to a `node:http` response.
 *
 * @module
 */
import type { ServerResponse } from "node:http";
import type { SseEvent } from "./types.ts";

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
 * Write `events` one at a time, yielding to the event loop between them so that clients
 * really receive a stream of chunks rather than one buffered body. Stops early if the
 * client goes away.
 */
export async function writeSse(res: ServerResponse, events: SseEvent[]): Promise<void> {
  for (const event of events) {
    if (res.destroyed || res.writableEnded) return;
    const flushed = res.write(formatSseEvent(event));
    if (!flushed) await drainOrClose(res);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (!res.writableEnded) res.end();
}

function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}
