import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import type OpenAI from "openai";
import { EcoAIConfigError, type EcoAI, type EcoAIConfig } from "../src/index.ts";
import { ask, CHAT_ROUTE, useUpstream } from "./harness.ts";
import { useRedisServer } from "./redis-server.ts";

const up = useUpstream();
const redis = useRedisServer();

/** Each storage with a fresh cache of its own. */
const STORAGES: [string, () => Partial<EcoAIConfig<OpenAI>>][] = [
  ["memory", () => ({ storage: "memory" })],
  ["sqlite", () => ({ storage: "sqlite", sqlitePath: join(up.dir, `flush-${Math.random().toString(36).slice(2)}.db`) })],
  ["redis", () => ({ storage: "redis", redisUrl: redis.server.url, redisKeyPrefix: `flush-${Math.random().toString(36).slice(2)}:` })],
];

const TENANTS = [undefined, "tenant-a", "tenant-b"] as const;

/** One entry per partition: none, tenant-a, tenant-b. */
async function fill(eco: EcoAI<OpenAI>): Promise<void> {
  for (const namespace of TENANTS) await eco.chat.completions.create(ask("one question, three tenants"), namespace ? { ecoai: { namespace } } : {});
}

/** Which partitions still answer from the cache (a call that goes upstream refills its partition). */
async function cached(eco: EcoAI<OpenAI>): Promise<(string | undefined)[]> {
  const hits: (string | undefined)[] = [];
  for (const namespace of TENANTS) {
    const before = up.sim.count(CHAT_ROUTE);
    await eco.chat.completions.create(ask("one question, three tenants"), namespace ? { ecoai: { namespace } } : {});
    if (up.sim.count(CHAT_ROUTE) === before) hits.push(namespace);
  }
  return hits;
}

for (const [storage, config] of STORAGES) {
  describe(`flush() on ${storage}`, () => {
    test("without a filter it removes this instance's namespace only: the entries written without one when it has none", async () => {
      const eco = up.eco(config());
      await fill(eco);
      expect(await eco.flush()).toBe(1);
      expect(await cached(eco)).toEqual(["tenant-a", "tenant-b"]);
    });

    // Two instances on one cache: a memory cache is each instance's own, so the case is skipped there.
    test.skipIf(storage === "memory")("an instance with a namespace removes its own entries; { namespace } removes another tenant's", async () => {
      const shared = config();
      const tenant = up.eco({ ...shared, namespace: "tenant-a" });
      const plain = up.eco(shared);
      await fill(plain);
      expect(await tenant.flush()).toBe(1);
      expect(await tenant.flush({ namespace: "tenant-b" })).toBe(1);
      expect(await tenant.flush({ namespace: "tenant-b" })).toBe(0);
      expect(await cached(plain)).toEqual([undefined]);
    });

    test("{ allNamespaces: true } removes every tenant's entries; model and pattern narrow it", async () => {
      const eco = up.eco(config());
      await fill(eco);
      for (const namespace of ["tenant-a", "tenant-b"]) await eco.chat.completions.create(ask("another model", { model: "gpt-4o-mini" }), { ecoai: { namespace } });
      expect(await eco.flush({ allNamespaces: true, model: "gpt-4o-mini" })).toBe(2);
      expect(await eco.flush({ allNamespaces: true, pattern: "*nothing matches*" })).toBe(0);
      expect(await eco.flush({ allNamespaces: true })).toBe(3);
      expect(await cached(eco)).toEqual([]);
    });
  });
}

test("flush() refuses a namespace together with allNamespaces, and a non-boolean allNamespaces", async () => {
  const eco = up.eco({ storage: "memory" });
  await expect(eco.flush({ allNamespaces: true, namespace: "tenant-a" })).rejects.toBeInstanceOf(EcoAIConfigError);
  await expect(eco.flush({ allNamespaces: "yes" as never })).rejects.toThrow(/allNamespaces "yes" \(from flush\(\) argument\)/);
  await expect(eco.flush({ namespace: "" })).rejects.toThrow(/namespace "" \(from flush\(\) argument\)/);
});
