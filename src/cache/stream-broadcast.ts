/**
 * One live stream read once and handed to every reader: the caller whose request went upstream
 * and the identical streams that joined it. Upstream is read as it arrives and every event is
 * recorded with its time; each reader receives the events as fast as it reads them, the moment
 * they arrive. Upstream is cancelled when every reader has gone before its end. A stream counts as
 * read (worth storing) only when a reader has read it to its end: one its readers all abandoned,
 * even after it had fully arrived, is not.
 *
 * @module
 */
import type { RecordedEvent, StreamEvent } from "../providers/adapter.ts";
import { createEventReader, formatEvent } from "./stream-events.ts";

/** How the upstream stream ended: to its end, cancelled because every reader had gone, or failed. */
export type BroadcastEnd = "complete" | "abandoned" | "failed";

export interface BroadcastOutcome {
  end: BroadcastEnd;
  events: RecordedEvent[];
}

/** An event as one reader sees it; undefined hides it from that reader. */
export type EventView = (event: StreamEvent) => StreamEvent | undefined;

export interface Broadcast {
  /** How upstream ended; undefined while it runs. */
  readonly ended: BroadcastEnd | undefined;
  /** Whether another reader may still join: upstream has not failed, and not every reader has gone. */
  readonly joinable: boolean;
  /** Settles (never rejects) when upstream has ended, one way or another. */
  readonly finished: Promise<BroadcastOutcome>;
  /** True once a reader has read the complete stream to its end; false when none will (all gone, or upstream did not complete). */
  readonly read: Promise<boolean>;
  /**
   * A body for one more reader: every event so far, then each as it arrives. Its `signal`
   * aborting errors the body, as a live body errors when its request is aborted.
   */
  reader(view: EventView, signal?: AbortSignal): ReadableStream<Uint8Array>;
}

const encoder = new TextEncoder();

/**
 * Reads `body` (an upstream event stream) to its end. `startedAt` (a `performance.now()`) is when
 * the request was sent; `cancelUpstream` is called when every reader has gone before the end.
 */
export function createBroadcast(body: ReadableStream<Uint8Array>, startedAt: number, cancelUpstream: () => void): Broadcast {
  const events: RecordedEvent[] = [];
  /** Readers waiting for the next event or the end. */
  const waiting = new Set<() => void>();
  let readers = 0;
  let ended: BroadcastEnd | undefined;
  let failure: unknown;
  let resolveFinished!: (outcome: BroadcastOutcome) => void;
  const finished = new Promise<BroadcastOutcome>((resolve) => (resolveFinished = resolve));
  let resolveRead!: (read: boolean) => void;
  let readDecided = false;
  const read = new Promise<boolean>((resolve) => (resolveRead = resolve));
  const decide = (value: boolean) => {
    if (readDecided) return;
    readDecided = true;
    resolveRead(value);
  };

  const wake = () => {
    for (const resume of [...waiting]) resume();
    waiting.clear();
  };
  const end = (how: BroadcastEnd, reason?: unknown) => {
    if (ended) return;
    ended = how;
    failure = reason;
    if (how !== "complete") decide(false);
    wake();
    resolveFinished({ end: how, events });
  };

  const upstream = body.getReader();
  const parser = createEventReader((event) => {
    events.push({ ...event, at: performance.now() - startedAt });
    wake();
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

  /** A reader has gone: the last one to go before upstream's end cancels it. */
  const leave = () => {
    readers--;
    if (readers > 0) return;
    decide(false);
    if (ended) return;
    end("abandoned");
    cancelUpstream();
    upstream.cancel().catch(() => {});
  };

  return {
    get ended() {
      return ended;
    },
    get joinable() {
      return ended !== "failed" && ended !== "abandoned" && !(readDecided && readers === 0);
    },
    finished,
    read,
    reader(view, signal) {
      let next = 0;
      let gone = false;
      readers++;
      const go = () => {
        if (gone) return;
        gone = true;
        signal?.removeEventListener("abort", onAbort);
        leave();
      };
      let stream!: ReadableStreamDefaultController<Uint8Array>;
      const onAbort = () => {
        if (gone) return;
        stream.error(signal!.reason);
        go();
      };
      return new ReadableStream<Uint8Array>(
        {
          start(controller) {
            stream = controller;
            if (signal?.aborted) return onAbort();
            signal?.addEventListener("abort", onAbort, { once: true });
          },
          async pull(controller) {
            for (;;) {
              if (gone) return;
              // Every event already here goes in one chunk, as a network delivers what has arrived.
              let chunk = "";
              while (next < events.length) {
                const shown = view(events[next++]!);
                if (shown) chunk += formatEvent(shown);
              }
              if (chunk) return controller.enqueue(encoder.encode(chunk));
              if (ended === "complete") {
                controller.close();
                gone = true;
                signal?.removeEventListener("abort", onAbort);
                decide(true);
                readers--;
                return;
              }
              if (ended) {
                controller.error(failure ?? new Error("the stream ended before its end"));
                return go();
              }
              await new Promise<void>((resume) => waiting.add(resume));
            }
          },
          cancel: go,
        },
        { highWaterMark: 0 },
      );
    },
  };
}
