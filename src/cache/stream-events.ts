/**
 * Server-sent events on the wire: the bytes of a stream read as events (with the maintained
 * `eventsource-parser`), and events written back as the bytes an SDK parses.
 *
 * @module
 */
import { createParser } from "eventsource-parser";
import type { StreamEvent } from "../providers/adapter.ts";

const encoder = new TextEncoder();

/** One event as it appears on the wire: an `event:` line when it is named, its data line by line. */
export function formatEvent(event: StreamEvent): string {
  const name = event.event === undefined ? "" : `event: ${event.event}\n`;
  return `${name}data: ${event.data.replaceAll("\n", "\ndata: ")}\n\n`;
}

/** Events as the bytes of a stream body. */
export function encodeEvents(events: readonly StreamEvent[]): Uint8Array {
  return encoder.encode(events.map(formatEvent).join(""));
}

/**
 * Reads events out of a stream's bytes as they come: `feed` each chunk, and `onEvent` hears every
 * event the moment its closing blank line arrives.
 */
export function createEventReader(onEvent: (event: StreamEvent) => void): { feed(chunk: Uint8Array): void; end(): void } {
  const decoder = new TextDecoder();
  const parser = createParser({
    onEvent: (message) => onEvent(message.event === undefined ? { data: message.data } : { event: message.event, data: message.data }),
  });
  return {
    feed: (chunk) => parser.feed(decoder.decode(chunk, { stream: true })),
    // An event without its closing blank line was never sent whole: it is dropped, as SDKs drop it.
    end: () => parser.feed(decoder.decode()),
  };
}

/** Whether a response is a server-sent event stream (not an error body or a plain JSON answer). */
export function isEventStream(response: Response): boolean {
  return response.ok && response.body !== null && (response.headers.get("content-type") ?? "").includes("text/event-stream");
}
