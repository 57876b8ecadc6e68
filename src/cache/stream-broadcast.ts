/**
 * One live stream read once and handed to every reader: the caller whose request went upstream
 * and the identical streams that joined it. Events reach each reader the moment they arrive and
 * are recorded with their time. Upstream is read as it comes, whatever the readers' pace, and is
 * cancelled only when every reader has gone (a stream its readers all abandon is not finished).
 *
 * @module
 */
import type { RecordedEvent, StreamEvent } from "../providers/adapter.ts";
import { createEventReader, formatEvent } from "./stream-events.ts";

/** How the upstream stream ended. */
export type BroadcastEnd = "complete" | "abandoned" | "failed";

export interface BroadcastOutcome {
  end: BroadcastEnd;
  events: RecordedEvent[];
}

/** An event as one reader sees it; undefined hides it from that reader. */
export type EventView = (event: StreamEvent) => StreamEvent | undefined;

export interface Broadcast {
  /** Every event so far, with its time. */
  readonly events: readonly RecordedEvent[];
  /** Settles (never rejects) when upstream has ended, one way or another. */
  readonly finished: Promise<BroadcastOutcome>;
  /**
   * A body for one more reader: the events so far at once, then each one as it arrives. Its
   * `signal` aborting errors the body as a live body errors when its request is aborted.
   */
  reader(view: EventView, signal?: AbortSignal): ReadableStream<Uint8Array>;
}

interface Sink {
  push(event: RecordedEvent): void;
  close(): void;
  error(reason: unknown): void;
}

const encoder = new TextEncoder();

/**
 * Reads `body` (an upstream event stream) to its end. `startedAt` (a `performance.now()`) is when
 * the request was sent; `cancelUpstream` is called when every reader has gone before the end.
 */
export function createBroadcast(body: ReadableStream<Uint8Array>, startedAt: number, cancelUpstream: () => void): Broadcast {
  const events: RecordedEvent[] = [];
  const sinks = new Set<Sink>();
  let ended: BroadcastEnd | undefined;
  let failure: unknown;
  let resolveFinished!: (outcome: BroadcastOutcome) => void;
  const finished = new Promise<BroadcastOutcome>((resolve) => (resolveFinished = resolve));

  const end = (how: BroadcastEnd, reason?: unknown) => {
    if (ended) return;
    ended = how;
    failure = reason;
    for (const sink of sinks) how === "failed" ? sink.error(reason) : sink.close();
    sinks.clear();
    resolveFinished({ end: how, events });
  };

  const upstream = body.getReader();
  const parser = createEventReader((event) => {
    const recorded: RecordedEvent = { ...event, at: performance.now() - startedAt };
    events.push(recorded);
    for (const sink of sinks) sink.push(recorded);
  });
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await upstream.read();
        if (done) break;
        parser.feed(value);
      }
      parser.end();
      end("complete");
    } catch (error) {
      end("failed", error);
    }
  })();

  const leave = (sink: Sink) => {
    if (!sinks.delete(sink) || sinks.size > 0 || ended) return;
    end("abandoned");
    cancelUpstream();
    upstream.cancel().catch(() => {});
  };

  return {
    events,
    finished,
    reader(view, signal) {
      let sink: Sink | undefined;
      return new ReadableStream<Uint8Array>({
        start(controller) {
          const send = (event: StreamEvent) => {
            const shown = view(event);
            if (shown) controller.enqueue(encoder.encode(formatEvent(shown)));
          };
          for (const event of events) send(event);
          if (ended === "failed") return controller.error(failure);
          if (ended) return controller.close();
          const own: Sink = { push: send, close: () => controller.close(), error: (reason) => controller.error(reason) };
          sink = own;
          sinks.add(own);
          if (!signal) return;
          const onAbort = () => {
            if (!sinks.has(own)) return;
            controller.error(signal.reason);
            leave(own);
          };
          if (signal.aborted) return onAbort();
          signal.addEventListener("abort", onAbort, { once: true });
          void finished.then(() => signal.removeEventListener("abort", onAbort));
        },
        cancel() {
          if (sink) leave(sink);
        },
      });
    },
  };
}
