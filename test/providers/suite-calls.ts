import { expect } from "bun:test";
import type { SupportedClient } from "../../src/index.ts";
import { SIM_HEADERS } from "../../src/simulator/index.ts";
import { accountFor } from "../../src/usage/call-account.ts";
import { settle } from "../harness.ts";
import { expectSameData, expectSameHiddenProperties, tamper } from "./same-kind.ts";
import type { SuiteContext } from "./suite.ts";

const PROMPT = "What is the capital of France?";

/** Cases of the call itself: hits, their shape, coalescing, usage rows. */
export function callCases<C extends SupportedClient, Request, Result>({ up, surface, wrap, ask, upstream, it }: SuiteContext<C, Request, Result>): void {
  it("repeat", async () => {
    const eco = wrap();
    let live: Result | undefined;
    let hit: Result | undefined;
    expect(
      await upstream(async () => {
        live = await ask(eco, PROMPT);
        hit = await ask(eco, PROMPT);
      }),
    ).toBe(1);
    expect(surface.read(hit!)).toEqual(surface.read(live!));
    expect((await eco.history()).map((row) => row.cacheHit)).toEqual([true, false]);
  });

  it("hit", async () => {
    const eco = wrap();
    const live = await ask(eco, PROMPT);
    const hit = await ask(eco, PROMPT);
    expectSameData(hit, live);
    expect(surface.read(hit)).toEqual(surface.read(live));
    expect(surface.read(live).text).not.toBe("");
    // What a caller does to its copy never reaches the cache.
    tamper(hit);
    expect(surface.read(hit)).not.toEqual(surface.read(live));
    expectSameData(await ask(eco, PROMPT), live);
  });

  it("restart", async () => {
    const name = `restart-${Math.random().toString(36).slice(2)}`;
    const first = wrap({}, name);
    const live = await ask(first, PROMPT);
    await first.close();
    const second = wrap({}, name);
    let hit: Result | undefined;
    expect(await upstream(async () => void (hit = await ask(second, PROMPT)))).toBe(0);
    expectSameData(hit, live);
    expect(surface.read(hit!)).toEqual(surface.read(live));
  });

  it("hiddenProperties", async () => {
    const eco = wrap();
    const live = await ask(eco, PROMPT);
    expectSameHiddenProperties(await ask(eco, PROMPT), live, surface.receivedOnly);
  });

  it("coalescing", async () => {
    const eco = wrap();
    up.sim.delayMs = 50;
    try {
      let results: Result[] = [];
      expect(await upstream(async () => void (results = await Promise.all(Array.from({ length: 5 }, () => ask(eco, "coalesce me")))))).toBe(1);
      // Each caller has its own copy of the one answer.
      for (const result of results.slice(1)) expectSameData(result, results[0]);
      for (const result of results) expect(surface.read(result)).toEqual(surface.read(results[0]!));
      const rows = await eco.history();
      expect(rows).toHaveLength(5);
      expect(rows.filter((row) => row.cacheHit)).toHaveLength(4);
    } finally {
      up.sim.delayMs = 0;
    }
  });

  it("coalescedError", async () => {
    const eco = wrap();
    const { status, type } = surface.errors[0];
    up.sim.delayMs = 30;
    try {
      up.sim.failNext(status, { route: surface.route });
      let outcomes: Awaited<ReturnType<typeof settle>>[] = [];
      expect(await upstream(async () => void (outcomes = await Promise.all([1, 2, 3].map(() => settle(ask(eco, "fails for everyone"))))))).toBe(1);
      for (const outcome of outcomes) {
        expect("error" in outcome && outcome.error).toBeInstanceOf(type);
        expect((outcome as { error: { status?: unknown } }).error.status).toBe(status);
      }
    } finally {
      up.sim.delayMs = 0;
    }
    expect(await upstream(() => ask(eco, "fails for everyone"))).toBe(1);
  });

  it("usage", async () => {
    // The simulator reports 3 input tokens as read from the provider's prompt cache; the header
    // changes the answer's usage, so both calls carry it.
    const eco = wrap({}, undefined, surface.client(up.sim, { [SIM_HEADERS.cachedTokens]: "3" }));
    const live = await ask(eco, PROMPT);
    await ask(eco, PROMPT);
    const { usage } = surface.read(live);
    expect(usage.cachedInputTokens).toBe(surface.promptCache ? 3 : 0);
    expect(usage.outputTokens).toBeGreaterThan(0);
    const rows = await eco.history();
    expect(rows).toHaveLength(2);
    const [hit, miss] = rows;
    const facts = { provider: surface.provider, model: surface.model, promptType: surface.promptType, prompt: PROMPT, semanticHit: false, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens };
    expect(miss).toMatchObject({ ...facts, cacheHit: false, tokensSaved: 0, costSavedUsd: 0, co2SavedG: 0 });
    expect(hit).toMatchObject({ ...facts, cacheHit: true, tokensSaved: usage.outputTokens });
    // Priced and measured as the current method computes a hit from the usage the SDK reported.
    const saved = accountFor({ model: surface.model, provider: surface.provider, cacheHit: true, usage });
    expect(hit!.costSavedUsd).toBeGreaterThan(0);
    expect(hit!.costSavedUsd).toBeCloseTo(saved.costSavedUsd, 12);
    expect(hit!.co2SavedG).toBeGreaterThan(0);
    expect(hit!.co2SavedG).toBeCloseTo(saved.co2SavedG, 12);
    expect(hit).toMatchObject({ methodologyVersion: 2, gridGPerKwh: 473.01 });
    expect(hit!.co2eG!.central).toBeCloseTo(saved.co2eG.central, 12);
    expect(miss!.costUsd!).toBeCloseTo(accountFor({ model: surface.model, provider: surface.provider, cacheHit: false, usage }).costUsd!, 12);
    if (surface.promptCache) {
      // Input the provider served from its own prompt cache is priced at its cached rate.
      expect(hit!.costSavedUsd).toBeLessThan(accountFor({ model: surface.model, provider: surface.provider, cacheHit: true, usage: { ...usage, cachedInputTokens: 0 } }).costSavedUsd);
    }
  });
}
