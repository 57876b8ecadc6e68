import { expect } from "bun:test";
import { createLexicalEmbedder, EcoAIConfigError, type SupportedClient } from "../../src/index.ts";
import { settle } from "../harness.ts";
import type { SuiteContext } from "./suite.ts";

/** Near copies under the lexical embedder (cosine above 0.9), none identical to another. */
const STORED = "What is the capital of France?";
const NEAR_COPY = "what is the capital of france";
const OTHER_NEAR_COPY = "WHAT IS THE CAPITAL OF FRANCE?";

/** Cases of ecoai's per-call options (`create(body, { ecoai })`). */
export function optionCases<C extends SupportedClient, Request, Result>({ up, surface, wrap, ask, upstream, it }: SuiteContext<C, Request, Result>): void {
  const idOf = (result: Result) => surface.read(result).id;

  it("bypass", async () => {
    const eco = wrap();
    const calls = await upstream(async () => {
      await ask(eco, "bypass", { bypass: true });
      await ask(eco, "bypass"); // the bypassed call wrote nothing
      await ask(eco, "bypass", { bypass: true }); // and a bypassed call reads nothing
      await ask(eco, "bypass");
    });
    expect(calls).toBe(3);
    expect((await eco.history()).map((row) => row.cacheHit)).toEqual([true, false, false, false]);
  });

  it("refresh", async () => {
    const eco = wrap();
    let first: Result | undefined;
    let refreshed: Result | undefined;
    let after: Result | undefined;
    const calls = await upstream(async () => {
      first = await ask(eco, "refresh");
      refreshed = await ask(eco, "refresh", { refresh: true });
      after = await ask(eco, "refresh");
    });
    expect(calls).toBe(2);
    expect(surface.read(after!)).toEqual(surface.read(refreshed!));
    if (idOf(first!) !== undefined) expect(idOf(refreshed!)).not.toBe(idOf(first!));
    expect((await eco.history()).map((row) => row.cacheHit)).toEqual([true, false, false]);
  });

  it("ttl", async () => {
    const eco = wrap();
    await ask(eco, "per-call ttl");
    await Bun.sleep(30);
    expect(await upstream(() => ask(eco, "per-call ttl", { ttl: 0.01 }))).toBe(1);
    expect(await upstream(() => ask(eco, "per-call ttl", { ttl: 60 }))).toBe(0);
  });

  it("namespace", async () => {
    const eco = wrap({ namespace: "tenant-a" });
    const answers: Result[] = [];
    const calls = await upstream(async () => {
      for (const namespace of [undefined, "tenant-b", undefined, "tenant-b"]) answers.push(await ask(eco, "tenant question", namespace === undefined ? undefined : { namespace }));
    });
    expect(calls).toBe(2);
    const [a, b, a2, b2] = answers.map((answer) => surface.read(answer));
    expect(a2).toEqual(a!);
    expect(b2).toEqual(b!);
    if (a!.id !== undefined) expect(b!.id).not.toBe(a!.id);
  });

  it("semanticOff", async () => {
    const eco = wrap({ semantic: { embedFn: createLexicalEmbedder(), embeddingModel: "lexical", threshold: 0.9 } });
    const stored = await ask(eco, STORED);
    let exact: Result | undefined;
    let served: Result | undefined;
    expect(await upstream(async () => void (exact = await ask(eco, NEAR_COPY, { semantic: false })))).toBe(1);
    // Without the option a near copy is served a stored answer (the closer of the two).
    expect(await upstream(async () => void (served = await ask(eco, OTHER_NEAR_COPY)))).toBe(0);
    expect([surface.read(stored).text, surface.read(exact!).text]).toContain(surface.read(served!).text);
    expect((await eco.history({ limit: 1 }))[0]).toMatchObject({ cacheHit: true, semanticHit: true });
  });

  it("stripped", async () => {
    const eco = wrap();
    await ask(eco, "stripped", { bypass: true, namespace: "stripped-tenant" });
    const sent = up.sim.requests.findLast((request) => request.route === surface.route)!;
    expect(Object.keys(sent.headers).filter((name) => name.includes("ecoai"))).toEqual([]);
    expect(JSON.stringify(sent.body)).not.toMatch(/ecoai|bypass|stripped-tenant/);
    expect(sent.path).not.toMatch(/ecoai|bypass/);
  });

  it("badOptions", async () => {
    const eco = wrap();
    const before = up.sim.count();
    const negative = await settle(ask(eco, "bad options", { ttl: -1 }));
    const unknown = await settle(ask(eco, "bad options", { bypas: true } as never));
    expect((negative as { error: unknown }).error).toBeInstanceOf(EcoAIConfigError);
    expect((negative as { error: Error }).error.message).toMatch(/ecoai\.ttl -1 \(from per-call option\)/);
    expect((unknown as { error: EcoAIConfigError }).error).toMatchObject({ option: "ecoai.bypas", value: true });
    expect(up.sim.count()).toBe(before);
  });
}
