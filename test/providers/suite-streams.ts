/**
 * The cases only a stream has, run for every streamed surface beside its plain counterpart
 * (`runStreamSuite(up, streamed, plain)`), as `runProviderSuite` runs the shared ones: a stream
 * that does not end normally is not stored, a streamed and a plain call are served from one entry
 * both ways, identical streams share one upstream request with every follower receiving every
 * event live, and a hit replays at once or with the recorded gaps.
 *
 * @module
 */
import { describe, expect } from "bun:test";
import type { CallOptions, EcoAI, SupportedClient } from "../../src/index.ts";
import { EcoAIConfigError } from "../../src/index.ts";
import type { Upstream } from "../harness.ts";
import { settle } from "../harness.ts";
import { createSuiteContext, type Surface } from "./suite.ts";

/** What a streamed call gives its caller: the SDK's events in order, and the final object they add up to. */
export interface Streamed<Event = unknown, Final = unknown> {
  events: Event[];
  final: Final;
}

/** A streamed surface: a surface whose results are {@link Streamed}, and how to open its stream event by event. */
export interface StreamSurface<C extends SupportedClient, Request, Final> extends Surface<C, Request, Streamed<unknown, Final>> {
  /** The streamed call, opened: the SDK's stream object, iterated as a caller iterates it. */
  open(client: EcoAI<C>, request: Request, options: { ecoai?: CallOptions; signal?: AbortSignal }): Promise<AsyncIterable<unknown>>;
}

/** Runs the stream-only cases for `streamed`, with `plain` (the same method, not streamed) for the cross-served ones. */
export function runStreamSuite<C extends SupportedClient, Request, Final, PlainResult>(up: Upstream, streamed: StreamSurface<C, Request, Final>, plain: Surface<C, Request, PlainResult>): void {
  const { wrap, ask, upstream, it } = createSuiteContext(up, streamed);
  const readPlain = (result: PlainResult) => plain.read(result);
  const readStreamed = (result: Streamed<unknown, Final>) => streamed.read(result);

  describe(`${streamed.name}: streams`, () => {
    it("abandoned", async () => {
      const eco = wrap();
      const seen: unknown[] = [];
      // Events apart, so the stream is still arriving when its caller leaves (even on a busy machine).
      await withChunkGap(up, 15, async () => {
        for await (const event of await streamed.open(eco, streamed.request("abandon me"), {})) {
          seen.push(event);
          if (seen.length === 2) break;
        }
      });
      expect(seen).toHaveLength(2);
      // Not stored: the next call goes upstream; its complete stream is stored.
      expect(await upstream(() => ask(eco, "abandon me"))).toBe(1);
      expect(await upstream(() => ask(eco, "abandon me"))).toBe(0);
      expect((await eco.history()).map((row) => row.cacheHit)).toEqual([true, false, false]);
    });

    it("aborted", async () => {
      const eco = wrap();
      const controller = new AbortController();
      let count = 0;
      await withChunkGap(up, 15, () =>
        settle(
          (async () => {
            for await (const _event of await streamed.open(eco, streamed.request("abort me"), { signal: controller.signal })) if (++count === 2) controller.abort();
          })(),
        ),
      );
      // Events already received may still be yielded after the abort, as from a live body.
      expect(count).toBeGreaterThanOrEqual(2);
      expect(await upstream(() => ask(eco, "abort me"))).toBe(1);
      expect(await upstream(() => ask(eco, "abort me"))).toBe(0);
    });

    it("cutOff", async () => {
      const eco = wrap();
      for (const fault of ["cut", "error"] as const) {
        const prompt = `break me with ${fault}`;
        up.sim.failNextStream({ fault, afterChunks: 2, route: streamed.route });
        const broken = await settle(ask(eco, prompt));
        if ("value" in broken) expect(broken.value.events.length).toBeLessThan((await ask(wrap(), prompt)).events.length);
        expect(await upstream(() => ask(eco, prompt))).toBe(1);
        expect(await upstream(() => ask(eco, prompt))).toBe(0);
      }
    });

    it("crossServed", async () => {
      // Both routes are counted: where plain calls reach another route (Gemini's generateContent
      // beside streamGenerateContent), a request on either would be an upstream call.
      const routes = [...new Set([streamed.route, plain.route])];
      const upstreamOnBoth = async (run: () => Promise<unknown>) => {
        const total = () => routes.reduce((sum, route) => sum + up.sim.count(route), 0);
        const before = total();
        await run();
        return total() - before;
      };
      const requests = [{ name: "text", request: streamed.request }, ...streamed.answers];
      for (const { name, request } of requests) {
        // A stream first, then the plain call: served the stored stream's response.
        const first = wrap();
        let live: Streamed<unknown, Final> | undefined;
        let served: PlainResult | undefined;
        expect(await upstreamOnBoth(async () => void (live = await streamed.call(first, request(`cross ${name}`))))).toBe(1);
        expect(await upstreamOnBoth(async () => void (served = await plain.call(first as never, request(`cross ${name}`) as never)))).toBe(0);
        expect({ name, reading: readPlain(served!) }).toEqual({ name, reading: readStreamed(live!) });
        // The plain call first, then the stream: events synthesised from the stored response.
        const second = wrap();
        let answered: PlainResult | undefined;
        let replayed: Streamed<unknown, Final> | undefined;
        expect(await upstreamOnBoth(async () => void (answered = await plain.call(second as never, request(`plain ${name}`) as never)))).toBe(1);
        expect(await upstreamOnBoth(async () => void (replayed = await streamed.call(second, request(`plain ${name}`))))).toBe(0);
        expect({ name, reading: readStreamed(replayed!) }).toEqual({ name, reading: readPlain(answered!) });
        // Synthesised events come in several where the provider streams this answer in several
        // (text), and whole where it sends it whole (a Gemini function call).
        expect({ name, several: replayed!.events.length > 1 }).toEqual({ name, several: live!.events.length > 1 });
        const outputTokens = readPlain(answered!).usage.outputTokens;
        expect((await second.history()).map((row) => [row.cacheHit, row.outputTokens])).toEqual([
          [true, outputTokens],
          [false, outputTokens],
        ]);
      }
    });

    it("followers", async () => {
      const eco = wrap();
      up.sim.chunkGapMs = 2;
      try {
        const firstEventAt: number[] = [];
        let leaderEndedAt = Number.POSITIVE_INFINITY;
        const read = async (index: number) => {
          const events: unknown[] = [];
          for await (const event of await streamed.open(eco, streamed.request("follow the leader"), {})) {
            if (events.length === 0) firstEventAt[index] = performance.now();
            events.push(event);
          }
          if (index === 0) leaderEndedAt = performance.now();
          return events;
        };
        let results: unknown[][] = [];
        expect(await upstream(async () => void (results = await Promise.all(Array.from({ length: 10 }, (_, index) => read(index)))))).toBe(1);
        for (const events of results) expect(events).toEqual(results[0]!);
        expect(results[0]!.length).toBeGreaterThan(3);
        // Followers receive events as the leader does, not once its stream has ended.
        for (const at of firstEventAt) expect(at).toBeLessThan(leaderEndedAt);
        const rows = await eco.history();
        expect(rows.map((row) => row.cacheHit).sort()).toEqual([false, ...Array(9).fill(true)]);
        expect(new Set(rows.map((row) => row.outputTokens))).toEqual(new Set([rows[0]!.outputTokens]));
        expect(rows[0]!.outputTokens).toBeGreaterThan(0);
      } finally {
        up.sim.chunkGapMs = 0;
      }
    });

    it("replay", async () => {
      const eco = wrap({ replay: "recorded" });
      const live = await ask(eco, "replay me");
      const recorded = await ask(eco, "replay me");
      const instant = await ask(eco, "replay me", { replay: "instant" });
      expect(recorded.events).toEqual(live.events);
      expect(instant.events).toEqual(live.events);
      const bad = await settle(ask(eco, "replay me", { replay: "slow" as never }));
      expect("error" in bad && bad.error).toBeInstanceOf(EcoAIConfigError);
      expect((bad as { error: EcoAIConfigError }).error.option).toBe("ecoai.replay");
    });
  });
}

/** Runs `run` with the simulator's events `gapMs` apart. */
async function withChunkGap<T>(up: Upstream, gapMs: number, run: () => Promise<T>): Promise<T> {
  up.sim.chunkGapMs = gapMs;
  try {
    return await run();
  } finally {
    up.sim.chunkGapMs = 0;
  }
}

/**
 * The events of a teed stream and what its other half adds up to, both read to their end even when
 * one fails: a tee hands a failed read to both halves, and a half left unread would leave it unhandled.
 */
export async function bothHalves<Events, Final>(events: Promise<Events>, final: Promise<Final>): Promise<{ events: Events; final: Final }> {
  const [read, added] = await Promise.allSettled([events, final]);
  if (read.status === "rejected") throw read.reason;
  if (added.status === "rejected") throw added.reason;
  return { events: read.value, final: added.value };
}
