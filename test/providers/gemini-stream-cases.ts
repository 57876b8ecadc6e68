import { expect, test } from "bun:test";
import type { SupportedClient } from "../../src/index.ts";
import type { Upstream } from "../harness.ts";
import type { StreamSurface } from "./suite-streams.ts";

/**
 * The stream case of the shared suite that `@google/generative-ai` runs its own way: its chunks
 * carry helper functions (new ones on every chunk, which `toEqual` compares by identity), so
 * `followers` compares the chunks' data.
 *
 * @module
 */

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
