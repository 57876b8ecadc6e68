import { describe, expect, test } from "bun:test";
import type { SupportedClient } from "../../src/index.ts";
import type { Upstream } from "../harness.ts";
import { GENERATE_ROUTE, STREAM_ROUTE } from "./gemini-clients.ts";
import type { Surface } from "./suite.ts";
import type { Streamed, StreamSurface } from "./suite-streams.ts";

/**
 * The stream cases of the shared suite that Gemini runs its own way: `crossServed` counting both of
 * its routes, and for `@google/generative-ai`, whose chunks carry helper functions (new ones on
 * every chunk, which `toEqual` compares by identity), `followers` comparing the chunks' data.
 *
 * @module
 */

/** SUITE_CASES.crossServed, skipped for Gemini, whose streams and plain calls reach different routes. */
export const CROSS_SERVED_SKIP = {
  reason: "Gemini streams and plain calls reach two routes (streamGenerateContent, generateContent); gemini-cross-served.ts counts both",
  tests: ["crossServed"],
} as const;

/**
 * A streamed and a plain call of one request are served from one entry, both ways, with the same
 * text, tool calls, finish reason and usage: the shared suite's `crossServed` case, counting the
 * upstream requests of both Gemini routes.
 */
export function runGeminiCrossServed<C extends SupportedClient, Request, Final, PlainResult>(up: Upstream, streamed: StreamSurface<C, Request, Final>, plain: Surface<C, Request, PlainResult>): void {
  const client = () => streamed.client(up.sim);
  const upstream = async (run: () => Promise<unknown>) => {
    const before = up.sim.count(STREAM_ROUTE) + up.sim.count(GENERATE_ROUTE);
    await run();
    return up.sim.count(STREAM_ROUTE) + up.sim.count(GENERATE_ROUTE) - before;
  };
  describe(`${streamed.name}: one entry for streamed and plain calls`, () => {
    test("a stream's entry serves the plain call and a plain call's entry serves the stream, with the same readings", async () => {
      for (const { name, request } of [{ name: "text", request: streamed.request }, ...streamed.answers]) {
        const first = up.wrap(client());
        let live: Streamed<unknown, Final> | undefined;
        let served: PlainResult | undefined;
        expect(await upstream(async () => void (live = await streamed.call(first, request(`cross ${name}`))))).toBe(1);
        expect(await upstream(async () => void (served = await plain.call(first, request(`cross ${name}`))))).toBe(0);
        expect({ name, reading: plain.read(served!) }).toEqual({ name, reading: streamed.read(live!) });

        const second = up.wrap(client());
        let answered: PlainResult | undefined;
        let replayed: Streamed<unknown, Final> | undefined;
        expect(await upstream(async () => void (answered = await plain.call(second, request(`plain ${name}`))))).toBe(1);
        expect(await upstream(async () => void (replayed = await streamed.call(second, request(`plain ${name}`))))).toBe(0);
        expect({ name, reading: streamed.read(replayed!) }).toEqual({ name, reading: plain.read(answered!) });
        // Text streams in many chunks; a function call comes whole, as the API sends it.
        if (name === "text") expect(replayed!.events.length).toBeGreaterThan(1);
        const rows = await second.history();
        expect(rows.map((row) => [row.cacheHit, row.outputTokens])).toEqual([
          [true, plain.read(answered!).usage.outputTokens],
          [false, plain.read(answered!).usage.outputTokens],
        ]);
      }
    });
  });
}

/** SUITE_CASES.followers, skipped where chunks carry helper functions. */
export const FOLLOWERS_SKIP = {
  reason: "@google/generative-ai chunks carry new helper functions each, which toEqual compares by identity; gemini-stream-cases.ts compares their data",
  tests: ["followers"],
} as const;

/** The shared suite's `followers` case, comparing the data of every follower's chunks. */
export function runGeminiFollowers<C extends SupportedClient, Request, Final>(up: Upstream, streamed: StreamSurface<C, Request, Final>): void {
  test(`${streamed.name}: 10 concurrent identical streams make 1 upstream request; every follower receives every chunk, live`, async () => {
    const eco = up.wrap(streamed.client(up.sim));
    up.sim.chunkGapMs = 2;
    try {
      const firstAt: number[] = [];
      let leaderEndedAt = Number.POSITIVE_INFINITY;
      const read = async (index: number) => {
        const chunks: string[] = [];
        for await (const chunk of await streamed.open(eco, streamed.request("follow the leader"), {})) {
          if (chunks.length === 0) firstAt[index] = performance.now();
          chunks.push(JSON.stringify(chunk));
        }
        if (index === 0) leaderEndedAt = performance.now();
        return chunks;
      };
      const before = up.sim.count(streamed.route);
      const results = await Promise.all(Array.from({ length: 10 }, (_, index) => read(index)));
      expect(up.sim.count(streamed.route) - before).toBe(1);
      for (const chunks of results) expect(chunks).toEqual(results[0]!);
      expect(results[0]!.length).toBeGreaterThan(3);
      for (const at of firstAt) expect(at).toBeLessThan(leaderEndedAt);
      const rows = await eco.history();
      expect(rows.map((row) => row.cacheHit).sort()).toEqual([false, ...Array(9).fill(true)]);
      expect(new Set(rows.map((row) => row.outputTokens)).size).toBe(1);
      expect(rows[0]!.outputTokens).toBeGreaterThan(0);
    } finally {
      up.sim.chunkGapMs = 0;
    }
  });
}
