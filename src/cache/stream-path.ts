/**
 * The engine's path for a call that streams. The SDK builds its own stream classes over the
 * response the engine answers its HTTP exchange with: on a hit, the stored recording replayed (or
 * events synthesised from a stored plain response); on a miss, the live body read through a
 * recorder; for an identical stream already in flight, that stream's events as they arrive. A
 * stream is stored only when it ended normally with a real answer, and logged once whatever
 * happens.
 *
 * @module
 */
import type { CachedMethod, RecordedEvent, StreamedMethod, StreamEvent, StreamExchange } from "../providers/adapter.ts";
import type { CacheEntry } from "../stores/store.ts";
import type { ReplayMode, TokenUsage } from "../types.ts";
import { createBroadcast, type Broadcast, type BroadcastOutcome, type EventView } from "./stream-broadcast.ts";
import { isEventStream } from "./stream-events.ts";
import { replayBody } from "./stream-replay.ts";

/** A call the engine streams: the method's stream functions and the SDK call to run over an exchange. */
export interface StreamingCall {
  method: CachedMethod & { stream: StreamedMethod };
  params: Record<string, unknown>;
  /** Runs the SDK call with `params`, its HTTP exchange answered by `exchange`; returns what the SDK returns. */
  sendStreaming: (params: Record<string, unknown>, exchange: StreamExchange) => unknown;
}

/** A stored entry read back: the plain response, and the recording of the stream it came from, if any. */
export interface StoredStream {
  entry: CacheEntry;
  response: unknown;
  recording?: RecordedEvent[];
  /** What the stored answer cost, as a hit's row reports it. */
  usage: TokenUsage;
}

/** What the engine decided for a streamed call, and its services to the stream path. */
export interface StreamRoute {
  /** The key, or null when the call passes through (recorded for its usage, never stored or shared). */
  key: string | null;
  refresh: boolean;
  replay: ReplayMode;
  /** A fresh stored entry for the key, read back; undefined on none, a fault or a corrupt entry. */
  lookup(): Promise<StoredStream | undefined>;
  /** Whether an entry an identical call found may answer this one too: fresh enough for it. */
  accepts(found: StoredStream): boolean;
  /**
   * Optional: a stored entry of a similar prompt (semantic matching), looked for only when no
   * identical call is in flight; also readies what `store` keeps for semantic matching.
   */
  lookupSimilar?(): Promise<StoredStream | undefined>;
  /** Stores a complete answer with its recording (nothing once the engine is closing). */
  store(response: unknown, recording: readonly RecordedEvent[], usage: TokenUsage): Promise<void>;
  /** Writes the call's one usage row; `answer`: the complete answer a live stream added up to, if any. */
  log(usage: TokenUsage, hit: boolean, entry?: CacheEntry, answer?: unknown): void;
  /** Keeps the engine open until `settled` (the stream's end and its row). */
  track(settled: Promise<unknown>): void;
}

const ZERO_USAGE: TokenUsage = { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 };

/** What a leading stream brought: the stored entry it found, its stream, or the provider's error answer. */
interface Led {
  found?: StoredStream;
  broadcast?: Broadcast;
  error?: Response;
}

/** The stream path, with the in-process registry of live streams identical calls join. */
export function createStreamPath() {
  /** Streams in flight by key, from the moment their lookup starts until their entry is written (or a stored one answered them). */
  const live = new Map<string, Promise<Led | undefined>>();

  /** The usage of events that may not have ended: the method's own count, else the assembled response's. */
  function usageOf(method: StreamingCall["method"], events: readonly StreamEvent[], params: Record<string, unknown>): TokenUsage {
    if (method.stream.usage) return method.stream.usage(events, params);
    try {
      const response = method.stream.assemble(events, params);
      return response === undefined ? ZERO_USAGE : method.usage(response, params);
    } catch {
      return ZERO_USAGE;
    }
  }

  /** The complete answer the events add up to; undefined when they are no answer to store. */
  function answerOf(method: StreamingCall["method"], outcome: BroadcastOutcome, params: Record<string, unknown>): unknown {
    if (outcome.end !== "complete" || !method.stream.isComplete(outcome.events)) return undefined;
    try {
      const response = method.stream.assemble(outcome.events, params);
      return method.isResponse(response) && method.isAnswer(response, params) ? response : undefined;
    } catch {
      return undefined;
    }
  }

  return {
    /** Runs a streamed call; returns what the SDK returns (its stream, or a promise of it). */
    stream(call: StreamingCall, route: StreamRoute): unknown {
      const { method, params } = call;
      const view: EventView = method.stream.shown ? (event) => method.stream.shown!(event, params) : (event) => event;
      const sent = method.stream.upstreamParams?.(params) ?? params;
      let settled = false;
      let first = true;
      const settle = (usage: TokenUsage, hit: boolean, entry?: CacheEntry, answer?: unknown) => {
        if (settled) return;
        settled = true;
        route.log(usage, hit, entry, answer);
      };

      /** A stored entry replayed: its recording, or events synthesised from its plain response. */
      const replayed = (found: StoredStream, signal: AbortSignal | undefined) => {
        const events = found.recording ?? method.stream.synthesise(found.response, params);
        settle(found.usage, true, found.entry);
        return { response: eventStreamResponse(replayBody(events, route.replay, view, signal)) };
      };

      // Each attempt is tracked until its stream has ended and been logged, so `close()` waits for it.
      const exchange: StreamExchange = (request) => {
        const attempt = answer(request);
        route.track(attempt.then(({ until }) => until, () => undefined));
        return attempt.then(({ response }) => response);
      };

      /** The response for one attempt, and when what it started is over. */
      const answer = async ({ live: send, signal }: Parameters<StreamExchange>[0]): Promise<{ response: Response; until?: Promise<unknown> }> => {
        // Only the first attempt may be answered without going upstream; the SDK's retries after an
        // upstream error go upstream again.
        const consult = first && route.key !== null;
        first = false;
        const key = route.key;
        if (consult && !route.refresh) {
          // An identical stream in flight, or an identical call looking its entry up: follow it. A
          // leader whose request failed on its own (a dropped connection, its own abort) is left
          // behind: the next one in line leads.
          for (let leader = live.get(key!); leader; ) {
            // The caller's signal (its abort, the SDK's timeout) ends the wait as it ends a fetch.
            const led = await untilAborted(leader, signal);
            if (led?.error) return { response: led.error.clone() };
            if (led?.found && route.accepts(led.found)) return replayed(led.found, signal);
            if (led?.broadcast?.joinable) {
              // Joined live: logged as a hit once the leader's stream has ended, with its tokens.
              const until = led.broadcast.finished.then((outcome) => settle(usageOf(method, outcome.events, params), true));
              return { response: eventStreamResponse(led.broadcast.reader(view, signal)), until };
            }
            // Another caller may have taken the lead meanwhile; a stream no one may join any more
            // (its readers have gone) is left for the lookup below, which finds its entry.
            const next = live.get(key!);
            leader = next === leader ? undefined : next;
          }
        }

        // Leading is decided before anything is awaited: identical calls arriving during this
        // call's lookups follow it, however the store's answers interleave.
        let lead!: (led: Led | undefined) => void;
        const leading = new Promise<Led | undefined>((resolve) => (lead = resolve));
        if (key !== null) live.set(key, leading);
        const leave = () => {
          if (key !== null && live.get(key) === leading) live.delete(key);
        };
        let found: StoredStream | undefined;
        let similar = false;
        try {
          if (consult && !route.refresh) found = await route.lookup();
          if (!found && consult && route.lookupSimilar) similar = (found = await route.lookupSimilar()) !== undefined;
        } catch (error) {
          lead(undefined);
          leave();
          throw error;
        }
        if (found) {
          // A similar entry is this call's match alone: the calls following it look for their own.
          lead(similar ? undefined : { found });
          leave();
          return replayed(found, signal);
        }
        const controller = new AbortController();
        const startedAt = performance.now();
        let response: Response;
        try {
          response = await send(controller.signal);
        } catch (error) {
          lead(undefined);
          leave();
          throw error;
        }
        if (!isEventStream(response)) {
          // The provider's error answer is every waiting caller's: each gets its own copy.
          lead({ error: response.clone() });
          leave();
          return { response };
        }
        const broadcast = createBroadcast(response.body!, startedAt, () => controller.abort());
        lead({ broadcast });
        // The row is written when upstream has ended (what was paid for); the entry once a reader
        // has read the stream to its end. Identical calls follow it until then.
        const until = broadcast.finished.then((outcome) => {
          const answer = key === null ? undefined : answerOf(method, outcome, params);
          settle(answer === undefined ? usageOf(method, outcome.events, params) : method.usage(answer, params), false, undefined, answer);
          // A stream that is no answer (cut off, failed, a refusal) is followed no longer: the next
          // identical call asks again.
          if (answer === undefined) leave();
          return { answer, events: outcome.events };
        });
        void Promise.all([until, broadcast.read])
          .then(([{ answer, events }, read]) => {
            if (read && answer !== undefined) return route.store(answer, events, method.usage(answer, params));
          })
          .finally(leave);
        return { response: new Response(broadcast.reader(view, signal), { status: response.status, statusText: response.statusText, headers: withoutLength(response.headers) }), until };
      };
      return call.sendStreaming(sent, exchange);
    },
  };
}

/** A replayed or shared stream as the SDK receives a live one, marked as served by the cache. */
function eventStreamResponse(body: ReadableStream<Uint8Array>): Response {
  return new Response(body, { status: 200, headers: { "content-type": "text/event-stream; charset=utf-8", "x-ecoai-cache": "hit" } });
}

/** The live headers for the re-encoded body: its length and encoding are no longer the upstream's. */
function withoutLength(headers: Headers): Headers {
  const copy = new Headers(headers);
  copy.delete("content-length");
  copy.delete("content-encoding");
  return copy;
}

/** `promise`, or a rejection with the signal's reason once `signal` aborts, as `fetch` rejects. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
