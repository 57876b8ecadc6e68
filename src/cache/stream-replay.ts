/**
 * A stored stream played back as a response body: at once (the default), or with the gaps it was
 * recorded with, for testing how an interface renders a stream.
 *
 * @module
 */
import type { RecordedEvent, StreamEvent } from "../providers/adapter.ts";
import type { ReplayMode } from "../types.ts";
import type { EventView } from "./stream-broadcast.ts";
import { encodeEvents, formatEvent } from "./stream-events.ts";


const encoder = new TextEncoder();

/**
 * The body of a replayed stream. Events without a time (synthesised from a plain response) come
 * at once in either mode. `signal` aborting errors the body as a live body errors.
 */
export function replayBody(events: readonly (StreamEvent | RecordedEvent)[], mode: ReplayMode, view: EventView, signal?: AbortSignal): ReadableStream<Uint8Array> {
  const shown = events.flatMap((event) => {
    const seen = view(event);
    return seen ? [{ ...seen, at: "at" in event ? event.at : 0 }] : [];
  });
  if (mode === "instant") {
    return new ReadableStream<Uint8Array>({
      start(controller) {
        if (signal?.aborted) return controller.error(signal.reason);
        controller.enqueue(encodeEvents(shown));
        controller.close();
      },
    });
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const startedAt = performance.now();
      let next = 0;
      const onAbort = () => {
        clearTimeout(timer);
        controller.error(signal!.reason);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      const step = () => {
        // Every event already due goes out in one chunk, as a network delivers them.
        let chunk = "";
        while (next < shown.length && shown[next]!.at <= performance.now() - startedAt) chunk += formatEvent(shown[next++]!);
        if (chunk) controller.enqueue(encoder.encode(chunk));
        if (next >= shown.length) {
          signal?.removeEventListener("abort", onAbort);
          return controller.close();
        }
        timer = setTimeout(step, Math.max(0, shown[next]!.at - (performance.now() - startedAt)));
      };
      step();
    },
    cancel() {
      clearTimeout(timer);
    },
  });
}
