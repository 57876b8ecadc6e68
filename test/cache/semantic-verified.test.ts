import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { EcoAIConfigError } from "../../src/index.ts";
import type { SemanticConfig } from "../../src/types.ts";
import { ask, CHAT_ROUTE, useUpstream } from "../harness.ts";
import { centre, judgeSaying, SCORE, semantic, variant } from "./semantic-vectors.ts";

const up = useUpstream();

/** Asks each prompt in turn; how many reached the provider. */
async function askAll(eco: ReturnType<typeof up.eco>, prompts: string[]): Promise<number> {
  const before = up.sim.count(CHAT_ROUTE);
  for (const prompt of prompts) await eco.chat.completions.create(ask(prompt));
  return up.sim.count(CHAT_ROUTE) - before;
}

describe("shadow mode", () => {
  test("finds the match it would have served, still asks the provider, and logs the comparison", async () => {
    const { judge, seen } = judgeSaying(true);
    const eco = up.eco({ semantic: semantic({ shadow: true, judge }) });
    const stored = await eco.chat.completions.create(ask(centre(0)));
    const before = up.sim.count(CHAT_ROUTE);
    const fresh = await eco.chat.completions.create(ask(variant(0, 1)));
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
    expect(fresh.id).not.toBe(stored.id);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ prompt: variant(0, 1), storedPrompt: centre(0), storedAnswer: stored.choices[0]!.message.content!, freshAnswer: fresh.choices[0]!.message.content! });
    expect(seen[0]!.score).toBeCloseTo(SCORE, 4);

    const [row] = await eco.history({ limit: 1 });
    expect(row).toMatchObject({ cacheHit: false, semanticHit: false, semanticCheck: "shadow", checkAgreed: true, checkPrompt: centre(0) });
    expect(row!.checkScore).toBeCloseTo(SCORE, 4);
  });

  test("summary() reports the checks, the agreement rate and its 95% interval", async () => {
    let calls = 0;
    // The stored answer agrees for one variant in four.
    const eco = up.eco({ semantic: semantic({ shadow: true, judge: () => calls++ % 4 === 0 }) });
    await eco.chat.completions.create(ask(centre(1)));
    const upstream = await askAll(eco, [1, 2, 3, 4, 5, 6, 7, 8].map((n) => variant(1, n)));
    expect(upstream).toBe(8);
    const { shadow, semanticHits } = await eco.summary();
    expect(semanticHits).toBe(0);
    expect(shadow.checks).toBe(8);
    expect(shadow.agreed).toBe(2);
    expect(shadow.agreementRate).toBe(0.25);
    expect(shadow.interval[0]).toBeGreaterThan(0.07);
    expect(shadow.interval[0]).toBeLessThan(0.25);
    expect(shadow.interval[1]).toBeGreaterThan(0.25);
    expect(shadow.interval[1]).toBeLessThan(0.6);
  });

  test("without a judge, answers are compared as normalised text", async () => {
    const eco = up.eco({ semantic: semantic({ shadow: true }) });
    await eco.chat.completions.create(ask(centre(2)));
    await eco.chat.completions.create(ask(variant(2, 1)));
    // The simulator's answer repeats the prompt: a variant's answer differs from its centre's.
    const [row] = await eco.history({ limit: 1 });
    expect(row).toMatchObject({ semanticCheck: "shadow", checkAgreed: false });
  });
});

describe("verified mode", () => {
  test("an answer that is always wrong is served no more often than the bound allows", async () => {
    const { judge } = judgeSaying(false);
    const eco = up.eco({ semantic: semantic({ maxErrorRate: 0.1, judge }) });
    await eco.chat.completions.create(ask(centre(3)));
    const prompts = Array.from({ length: 20 }, (_, n) => variant(3, n));
    const upstream = await askAll(eco, prompts);
    const served = prompts.length - upstream;
    // Every served answer is wrong here: the share served is the wrong-answer rate.
    expect(served / prompts.length).toBeLessThanOrEqual(0.1);
    expect(served).toBeGreaterThan(0);
    const rows = await eco.history({ limit: prompts.length });
    expect(rows.filter((row) => row.semanticCheck === "verification")).toHaveLength(upstream);
    expect(rows.filter((row) => row.semanticHit)).toHaveLength(served);
  });

  test("lookups that find no match leave room under the bound, but an unchecked answer is still verified half the time", async () => {
    const eco = up.eco({ semantic: semantic({ maxErrorRate: 0.1, judge: () => false }) });
    await eco.chat.completions.create(ask(centre(7)));
    // Twenty lookups in the same scope that match nothing (variants of a subject never stored).
    expect(await askAll(eco, Array.from({ length: 20 }, (_, n) => variant(9, n)))).toBe(20);
    const matches = Array.from({ length: 4 }, (_, n) => variant(7, n));
    const upstream = await askAll(eco, matches);
    // 4 wrong answers in 25 lookups would break the bound of 10%; 2 stay within it.
    expect(upstream).toBe(2);
  });

  test("an answer that checks out is trusted, then served, and its verification calls are priced as misses", async () => {
    const { judge } = judgeSaying(true);
    const eco = up.eco({ semantic: semantic({ maxErrorRate: 0.2, explore: 0, judge }) });
    await eco.chat.completions.create(ask(centre(4)));
    const prompts = Array.from({ length: 20 }, (_, n) => variant(4, n));
    const upstream = await askAll(eco, prompts);
    // Untrusted at first (verified), then trusted once enough checks agree: the last ones are served.
    expect(upstream).toBeGreaterThan(0);
    expect(upstream).toBeLessThan(10);
    const rows = (await eco.history({ limit: 20 })).reverse();
    expect(rows.slice(-5).every((row) => row.semanticHit)).toBe(true);
    const verification = rows.find((row) => row.semanticCheck === "verification")!;
    expect(verification).toMatchObject({ cacheHit: false, checkAgreed: true, checkPrompt: centre(4), priced: true });
    expect(verification.costUsd).toBeGreaterThan(0);
    expect((await eco.summary()).verificationCalls).toBe(upstream);
  });

  test("the explore budget caps how many trusted matches are verified anyway", async () => {
    const verifiedShare = async (explore: number) => {
      const eco = up.eco({ semantic: semantic({ maxErrorRate: 0.5, explore, judge: () => true }) });
      await eco.chat.completions.create(ask(centre(5)));
      // Trusted after a few agreeing checks; then only the explore budget sends calls upstream.
      await askAll(eco, Array.from({ length: 8 }, (_, n) => variant(5, n)));
      const upstream = await askAll(eco, Array.from({ length: 12 }, (_, n) => variant(5, 8 + n)));
      return upstream / 12;
    };
    expect(await verifiedShare(0)).toBe(0);
    const quarter = await verifiedShare(0.25);
    expect(quarter).toBeGreaterThanOrEqual(2 / 12);
    expect(quarter).toBeLessThanOrEqual(4 / 12);
    expect(await verifiedShare(1)).toBe(1);
  });

  /** Options of verified mode on a SQLite cache of its own, and of a first instance that verifies every match. */
  function onOneCache(prefix: string) {
    const name = `${prefix}-${Math.random().toString(36).slice(2)}`;
    const files = { sqlitePath: join(up.dir, `${name}-cache.db`), logPath: join(up.dir, `${name}-usage.db`) };
    const options = { ...files, semantic: semantic({ maxErrorRate: 0.2, explore: 0, judge: () => true }) };
    return { options, verifyingAll: { ...options, semantic: { ...options.semantic, explore: 1 } } };
  }

  test("what an entry has learnt is kept with it: a new instance on the same cache trusts it at once", async () => {
    const { options, verifyingAll } = onOneCache("verified-restart");
    // Every match verified: ten agreeing checks kept with the entry.
    const first = up.eco(verifyingAll);
    await first.chat.completions.create(ask(centre(6)));
    await askAll(first, Array.from({ length: 10 }, (_, n) => variant(6, n)));
    await first.close();

    // A fresh process has only what the store kept to make it serve.
    const second = up.eco(options);
    expect(await askAll(second, [variant(6, 20), variant(6, 21)])).toBe(0);

    const untaught = up.eco({ semantic: semantic({ maxErrorRate: 0.2, explore: 0, judge: () => true }) });
    await untaught.chat.completions.create(ask(centre(6)));
    expect(await askAll(untaught, [variant(6, 20)])).toBe(1);
  });

  test("what every entry taught (the pooled prior) survives a restart: a new entry is judged as before it", async () => {
    const { options, verifyingAll } = onOneCache("verified-pool");
    // Ten agreeing checks of one entry teach the pool that answers at this score agree.
    const first = up.eco(verifyingAll);
    await first.chat.completions.create(ask(centre(8)));
    await first.chat.completions.create(ask(centre(9)));
    await askAll(first, Array.from({ length: 10 }, (_, n) => variant(8, n)));
    await first.close();

    // An entry never checked, asked after a restart: the pool alone can make it trusted.
    const second = up.eco(options);
    expect(await askAll(second, [variant(9, 0)])).toBe(0);
    const [row] = await second.history({ limit: 1 });
    expect(row).toMatchObject({ semanticHit: true, cacheHit: true });

    // A flush takes the checks with their entries: the prior is empty again.
    await second.flush();
    await second.chat.completions.create(ask(centre(9)));
    expect(await askAll(second, [variant(9, 1)])).toBe(1);

    // The same entry in a cache that learnt nothing is verified first.
    const untaught = up.eco({ semantic: semantic({ maxErrorRate: 0.2, explore: 0, judge: () => true }) });
    await untaught.chat.completions.create(ask(centre(9)));
    expect(await askAll(untaught, [variant(9, 0)])).toBe(1);
  });
});

describe("verified and shadow options", () => {
  const invalid: [string, Partial<SemanticConfig>, string][] = [
    ["semantic.maxErrorRate", { maxErrorRate: 0 }, "above 0 and below 1"],
    ["semantic.maxErrorRate", { maxErrorRate: 1 }, "above 0 and below 1"],
    ["semantic.maxErrorRate", { maxErrorRate: "2%" as never }, "such as 0.02"],
    ["semantic.explore", { maxErrorRate: 0.02, explore: 1.5 }, "from 0 to 1"],
    ["semantic.explore", { explore: 0.1 }, "set semantic.maxErrorRate"],
    ["semantic.compare", { maxErrorRate: 0.02, compare: "fuzzy" as never }, '"exact", "normalised", "embedding"'],
    ["semantic.compare", { compare: "exact" }, "verified mode"],
    ["semantic.judge", { shadow: true, judge: "gpt-4o" as never }, "expected a function"],
    ["semantic.shadow", { shadow: "yes" as never }, "true or false"],
  ];
  for (const [option, fields, expected] of invalid) {
    test(`${option} ${JSON.stringify(fields)} is refused, naming the field and what to pass`, () => {
      let error: unknown;
      try {
        up.eco({ semantic: semantic(fields) });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(EcoAIConfigError);
      expect(error).toMatchObject({ code: "ECOAI_CONFIG", option, source: "constructor option" });
      expect((error as EcoAIConfigError).expected).toContain(expected);
    });
  }
});
