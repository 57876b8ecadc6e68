/**
 * How a cache entry holds a stream. An entry's body is the plain response a non-streamed call
 * gets, as JSON; an entry written from a stream carries the recording on a second line (JSON
 * never contains a raw line break, so the first line is always the whole response).
 *
 * @module
 */
import type { RecordedEvent } from "../providers/adapter.ts";

/** A recording as stored: `[at, data]` or `[at, data, event]` per event. */
type StoredEvent = [number, string] | [number, string, string];

/** The body of an entry: the response, and the recording of the stream it came from, if any. */
export function entryBody(response: unknown, recording?: readonly RecordedEvent[]): string {
  const plain = JSON.stringify(response);
  if (!recording) return plain;
  const events: StoredEvent[] = recording.map((event) => (event.event === undefined ? [round(event.at), event.data] : [round(event.at), event.data, event.event]));
  return `${plain}\n${JSON.stringify({ events })}`;
}

/** An entry's body read back; throws on a body that is not JSON (a corrupt entry). */
export function readEntryBody(body: string): { response: unknown; recording?: RecordedEvent[] } {
  const newline = body.indexOf("\n");
  if (newline === -1) return { response: JSON.parse(body) };
  const response: unknown = JSON.parse(body.slice(0, newline));
  const stored = JSON.parse(body.slice(newline + 1)) as { events?: unknown };
  if (!Array.isArray(stored.events)) throw new Error("stream recording without events");
  const recording = stored.events.map((item: unknown): RecordedEvent => {
    if (!Array.isArray(item) || typeof item[0] !== "number" || typeof item[1] !== "string") throw new Error("unreadable stream event");
    return typeof item[2] === "string" ? { at: item[0], data: item[1], event: item[2] } : { at: item[0], data: item[1] };
  });
  return { response, recording };
}

/** Tenths of a millisecond are all replay needs. */
function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
