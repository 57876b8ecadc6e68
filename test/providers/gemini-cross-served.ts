import { describe, expect, test } from "bun:test";
import type { SupportedClient } from "../../src/index.ts";
import type { Upstream } from "../harness.ts";
import { GENERATE_ROUTE, STREAM_ROUTE } from "./gemini-clients.ts";
import type { Surface } from "./suite.ts";
import type { Streamed, StreamSurface } from "./suite-streams.ts";

/** The case SUITE_CASES.crossServed skips for Gemini, whose streams and plain calls reach different routes. */
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
