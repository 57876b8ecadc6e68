/**
 * Identical concurrent calls make one upstream request whatever the store's timing: here every
 * lookup of a real store resolves in the same event-loop turn, as a store's reads may when they
 * yield to the loop together.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import type OpenAI from "openai";
import { createCacheEngine } from "../../src/cache/engine.ts";
import { DEFAULTS } from "../../src/defaults.ts";
import { detectProvider } from "../../src/providers/index.ts";
import { createMemoryStore } from "../../src/stores/memory.ts";
import { createSqliteStore } from "../../src/stores/sqlite.ts";
import type { Store } from "../../src/stores/store.ts";
import { wrapClient } from "../../src/wrap.ts";
import { ask, CHAT_ROUTE, useUpstream } from "../harness.ts";

const up = useUpstream();

/**
 * `store` with its lookups held back: every `get` made within 20 ms of the first is answered in
 * one turn, together with the others.
 */
function lookupsLandingTogether(store: Store): Store {
  const get = store.get.bind(store);
  let held: (() => void)[] | undefined;
  store.get = (key) => {
    const result = get(key);
    return new Promise((resolve, reject) => {
      if (!held) {
        const batch: (() => void)[] = (held = []);
        setTimeout(() => {
          held = undefined;
          for (const release of batch) release();
        }, 20);
      }
      held.push(() => void result.then(resolve, reject));
    });
  };
  return store;
}

/** Closes the engines a test opened. */
const closing: (() => Promise<void>)[] = [];

/** An OpenAI client whose cached methods run through an engine over `store`, as `EcoAI` runs them. */
function cachedOver(store: Store): OpenAI {
  const engine = createCacheEngine({
    store,
    usageLog: undefined,
    logger: { warn: () => {} },
    settings: () => ({ mode: DEFAULTS.mode, ttl: DEFAULTS.ttl, ttlByModel: {}, cachingEnabled: true, namespace: "turns", replay: DEFAULTS.replay }),
  });
  const client = up.openai();
  const adapter = detectProvider(client);
  closing.push(() => engine.close());
  return wrapClient({}, client, adapter, (call, requestOptions) =>
    engine.call({ ...call, provider: adapter.provider, baseURL: adapter.baseURL(client), limits: adapter.limits?.(client, call.params, requestOptions) }),
  ) as OpenAI;
}

const stores: [string, () => Store][] = [
  ["memory", () => createMemoryStore({ maxEntries: DEFAULTS.memoryMaxEntries })],
  ["sqlite", () => createSqliteStore({ path: join(up.dir, `turns-${Math.random().toString(36).slice(2)}.db`) })],
];

describe.each(stores)("lookups of the %s store resolving in one turn", (name, open) => {
  test("10 concurrent identical streams make 1 upstream request; every caller gets every event", async () => {
    const client = cachedOver(lookupsLandingTogether(open()));
    up.sim.chunkGapMs = 2;
    try {
      const before = up.sim.count(CHAT_ROUTE);
      const read = async () => (await Array.fromAsync(await client.chat.completions.create({ ...ask(`streamed in one turn ${name}`), stream: true }))).map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
      const texts = await Promise.all(Array.from({ length: 10 }, read));
      expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
      expect(texts[0]!.length).toBeGreaterThan(0);
      for (const text of texts) expect(text).toBe(texts[0]!);
    } finally {
      up.sim.chunkGapMs = 0;
      await Promise.all(closing.splice(0).map((close) => close()));
    }
  });

  test("10 concurrent identical plain calls make 1 upstream request; every caller gets the answer", async () => {
    const client = cachedOver(lookupsLandingTogether(open()));
    try {
      const before = up.sim.count(CHAT_ROUTE);
      const answers = await Promise.all(Array.from({ length: 10 }, () => client.chat.completions.create(ask(`plain in one turn ${name}`))));
      expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
      for (const answer of answers) expect(answer).toEqual(answers[0]!);
    } finally {
      await Promise.all(closing.splice(0).map((close) => close()));
    }
  });

  test("10 concurrent identical streams after the answer is stored are 10 hits with no upstream request", async () => {
    const client = cachedOver(lookupsLandingTogether(open()));
    try {
      const request = ask(`stored then streamed in one turn ${name}`);
      const plain = await client.chat.completions.create(request);
      const again = await client.chat.completions.create(request);
      console.log('after plain', up.sim.count(CHAT_ROUTE));
      const before = up.sim.count(CHAT_ROUTE);
      const read = async () => (await Array.fromAsync(await client.chat.completions.create({ ...request, stream: true }))).map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
      const texts = await Promise.all(Array.from({ length: 10 }, read));
      console.log('after streams', up.sim.count(CHAT_ROUTE) - before);
      const answers = await Promise.all(Array.from({ length: 10 }, () => client.chat.completions.create(request)));
      expect(up.sim.count(CHAT_ROUTE) - before).toBe(0);
      for (const text of texts) expect(text).toBe(plain.choices[0]!.message.content!);
      for (const answer of answers) expect(answer).toEqual(plain);
    } finally {
      await Promise.all(closing.splice(0).map((close) => close()));
    }
  });
});
