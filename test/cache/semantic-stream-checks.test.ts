import { describe, expect, test } from "bun:test";
import type { UsageRecord } from "../../src/index.ts";
import { ask, CHAT_ROUTE, useUpstream } from "../harness.ts";
import { centre, judgeSaying, SCORE, semantic, variant } from "./semantic-vectors.ts";

const up = useUpstream();
type Eco = ReturnType<typeof up.eco>;

/** Streams one prompt through the real SDK to its end; the text it streamed. */
async function streamText(eco: Eco, prompt: string): Promise<string> {
  const chunks = await Array.fromAsync(await eco.chat.completions.create({ ...ask(prompt), stream: true }));
  return chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
}

/**
 * The usage rows once `count` are written: a streamed call's row follows the end of its upstream
 * stream (and the check of its match), which may come a moment after the reader's last chunk.
 */
async function rows(eco: Eco, count: number): Promise<UsageRecord[]> {
  for (let tries = 0; tries < 200; tries++) {
    const found = await eco.history({ limit: count });
    if (found.length >= count) return found;
    await Bun.sleep(10);
  }
  return eco.history({ limit: count });
}

describe("streamed calls on a near match", () => {
  test("shadow mode: the stream comes live from the provider, and its answer is compared with the match's once it has streamed", async () => {
    const { judge, seen } = judgeSaying(true);
    const eco = up.eco({ semantic: semantic({ shadow: true, judge }) });
    const stored = await eco.chat.completions.create(ask(centre(0)));
    const before = up.sim.count(CHAT_ROUTE);
    const streamed = await streamText(eco, variant(0, 1));
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
    expect(streamed).not.toBe(stored.choices[0]!.message.content);

    const [row] = await rows(eco, 2);
    expect(row).toMatchObject({ prompt: variant(0, 1), cacheHit: false, semanticHit: false, semanticCheck: "shadow", checkAgreed: true, checkPrompt: centre(0) });
    expect(row!.checkScore).toBeCloseTo(SCORE, 4);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ prompt: variant(0, 1), storedPrompt: centre(0), storedAnswer: stored.choices[0]!.message.content!, freshAnswer: streamed });
    expect((await eco.summary()).shadow.checks).toBe(1);
  });

  test("verified mode: an unchecked match is re-asked as a live stream, the comparison is logged, and the answer stored", async () => {
    const { judge, seen } = judgeSaying(false);
    const eco = up.eco({ semantic: semantic({ maxErrorRate: 0.1, judge }) });
    await eco.chat.completions.create(ask(centre(1)));
    const before = up.sim.count(CHAT_ROUTE);
    const streamed = await streamText(eco, variant(1, 0));
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
    const [row] = await rows(eco, 2);
    expect(row).toMatchObject({ prompt: variant(1, 0), cacheHit: false, semanticHit: false, semanticCheck: "verification", checkAgreed: false, checkPrompt: centre(1) });
    expect(seen[0]!.freshAnswer).toBe(streamed);
    // The live answer was stored under its own key: the same stream again is an exact hit.
    const again = await streamText(eco, variant(1, 0));
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
    expect(again).toBe(streamed);
  });

  test("verified mode: streams learn as plain calls do: an answer that always disagrees is served within the bound, one that agrees comes to be served", async () => {
    const wrong = up.eco({ semantic: semantic({ maxErrorRate: 0.1, judge: () => false }) });
    await wrong.chat.completions.create(ask(centre(2)));
    const prompts = Array.from({ length: 20 }, (_, n) => variant(2, n));
    const before = up.sim.count(CHAT_ROUTE);
    for (const prompt of prompts) await streamText(wrong, prompt);
    const upstream = up.sim.count(CHAT_ROUTE) - before;
    expect((prompts.length - upstream) / prompts.length).toBeLessThanOrEqual(0.1);
    const logged = await rows(wrong, prompts.length + 1);
    expect(logged.filter((row) => row.semanticCheck === "verification")).toHaveLength(upstream);

    const right = up.eco({ semantic: semantic({ maxErrorRate: 0.2, explore: 0, judge: () => true }) });
    await right.chat.completions.create(ask(centre(3)));
    for (const prompt of Array.from({ length: 15 }, (_, n) => variant(3, n))) await streamText(right, prompt);
    const last = await rows(right, 5);
    // Trusted once its checks agreed: the last streams replay the stored answer.
    expect(last.every((row) => row.semanticHit)).toBe(true);
  });
});
