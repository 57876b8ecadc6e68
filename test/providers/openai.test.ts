import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { openDatabase } from "../../src/sqlite/database.ts";
import { ask, CHAT_ROUTE, recordingLogger, TEST_API_KEY, useUpstream } from "../harness.ts";

const up = useUpstream();

describe("OpenAI chat completions through the real SDK", () => {
  test("a repeated call makes no upstream request and returns the same response", async () => {
    const eco = up.eco();
    const before = up.sim.count(CHAT_ROUTE);
    const first = await eco.chat.completions.create(ask("What is the capital of France?"));
    const second = await eco.chat.completions.create(ask("What is the capital of France?"));
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
    expect(second).toEqual(first);
    expect(second.id).toBe(first.id);
    expect(second.choices[0]!.message.content).toBe(first.choices[0]!.message.content);
    expect(second).not.toBe(first);
    // `_request_id` is there as on a live response (non-enumerable, read-only); no request was made, so it is null.
    expect(Object.getOwnPropertyDescriptor(second, "_request_id")).toEqual({ ...Object.getOwnPropertyDescriptor(first, "_request_id")!, value: null });
  });

  test("the same request with its keys in another order is a hit", async () => {
    const eco = up.eco();
    const before = up.sim.count(CHAT_ROUTE);
    await eco.chat.completions.create({ model: "gpt-4o", temperature: 0, messages: [{ role: "user", content: "order" }] });
    await eco.chat.completions.create({ messages: [{ content: "order", role: "user" }], temperature: 0, model: "gpt-4o" });
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
  });

  test("a changed parameter, model or message misses", async () => {
    const eco = up.eco();
    const before = up.sim.count(CHAT_ROUTE);
    await eco.chat.completions.create(ask("Name a colour", { temperature: 0 }));
    await eco.chat.completions.create(ask("Name a colour", { temperature: 1 }));
    await eco.chat.completions.create(ask("Name a colour", { temperature: 0, model: "gpt-4o-mini" }));
    await eco.chat.completions.create(ask("Name a color", { temperature: 0 }));
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(4);
  });

  test("fields that cannot change the answer (end-user ids, prompt-cache key, metadata) share one entry", async () => {
    const eco = up.eco();
    const before = up.sim.count(CHAT_ROUTE);
    const first = await eco.chat.completions.create(ask("Who wrote Hamlet?", { user: "user-a", safety_identifier: "hash-a", prompt_cache_key: "a", metadata: { trace: "1" } }));
    const second = await eco.chat.completions.create(ask("Who wrote Hamlet?", { user: "user-b", safety_identifier: "hash-b", prompt_cache_key: "b", metadata: { trace: "2" } }));
    await eco.chat.completions.create(ask("Who wrote Hamlet?"));
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
    expect(second.id).toBe(first.id);
  });

  test("a hit mutated by the caller does not change what the cache serves next", async () => {
    const eco = up.eco();
    await eco.chat.completions.create(ask("mutation"));
    const hit = await eco.chat.completions.create(ask("mutation"));
    const original = hit.choices[0]!.message.content;
    hit.choices[0]!.message.content = "tampered";
    const again = await eco.chat.completions.create(ask("mutation"));
    expect(again.choices[0]!.message.content).toBe(original);
  });

  test("10 concurrent identical misses make one upstream request and all get the answer", async () => {
    const eco = up.eco();
    up.sim.delayMs = 50;
    try {
      const before = up.sim.count(CHAT_ROUTE);
      const results = await Promise.all(Array.from({ length: 10 }, () => eco.chat.completions.create(ask("coalesce me"))));
      expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
      for (const result of results) expect(result).toEqual(results[0]!);
      const history = await eco.history();
      expect(history).toHaveLength(10);
      expect(history.filter((record) => record.cacheHit)).toHaveLength(9);
    } finally {
      up.sim.delayMs = 0;
    }
  });

  test("an upstream 500 re-throws the SDK's own error and is not cached", async () => {
    const eco = up.eco();
    up.sim.failNext(500, { route: CHAT_ROUTE });
    const failure = await eco.chat.completions.create(ask("fails once")).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.InternalServerError);
    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(500);
    const before = up.sim.count(CHAT_ROUTE);
    const ok = await eco.chat.completions.create(ask("fails once"));
    expect(ok.choices[0]!.message.content).toBeString();
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
  });

  test("concurrent callers waiting on a failing request all get the SDK error", async () => {
    const eco = up.eco();
    up.sim.delayMs = 30;
    up.sim.failNext(429, { route: CHAT_ROUTE });
    try {
      const outcomes = await Promise.allSettled([1, 2, 3].map(() => eco.chat.completions.create(ask("rate limited"))));
      for (const outcome of outcomes) {
        expect(outcome.status).toBe("rejected");
        expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(OpenAI.RateLimitError);
      }
    } finally {
      up.sim.delayMs = 0;
    }
  });

  test("non-answers are not cached: content filter, refusal, invalid JSON in JSON mode", async () => {
    const eco = up.eco();
    for (const request of [
      ask("[sim:content-filter] tell me"),
      ask("[sim:refusal] tell me"),
      ask("[sim:invalid-json] give json", { response_format: { type: "json_object" } }),
    ]) {
      const before = up.sim.count(CHAT_ROUTE);
      await eco.chat.completions.create(request);
      await eco.chat.completions.create(request);
      expect(up.sim.count(CHAT_ROUTE) - before).toBe(2);
    }
  });

  test("valid JSON output and a length stop are cached", async () => {
    const eco = up.eco();
    for (const request of [ask("give json", { response_format: { type: "json_object" } }), ask("a long story please about many things", { max_tokens: 2 })]) {
      const before = up.sim.count(CHAT_ROUTE);
      const first = await eco.chat.completions.create(request);
      await eco.chat.completions.create(request);
      expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
      if ("max_tokens" in request) expect(first.choices[0]!.finish_reason).toBe("length");
    }
  });

  test("streams still stream and always go upstream", async () => {
    const eco = up.eco();
    const plain = await eco.chat.completions.create(ask("stream this"));
    const before = up.sim.count(CHAT_ROUTE);
    for (let round = 0; round < 2; round++) {
      const stream = await eco.chat.completions.create({ ...ask("stream this"), stream: true });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
      expect(text).toBe(plain.choices[0]!.message.content!);
    }
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(2);
  });

  test("stream: false is the same request as no stream field", async () => {
    const eco = up.eco();
    const before = up.sim.count(CHAT_ROUTE);
    await eco.chat.completions.create(ask("explicit non-stream"));
    await eco.chat.completions.create({ ...ask("explicit non-stream"), stream: false });
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(1);
  });

  test("every other client property is forwarded unchanged", async () => {
    const eco = up.eco();
    const models = await eco.models.list();
    expect(models.data.length).toBeGreaterThan(0);
    const embedding = await eco.embeddings.create({ model: "text-embedding-3-small", input: "hello" });
    expect(embedding.data[0]!.embedding.length).toBeGreaterThan(0);
    expect(eco.baseURL).toBe(up.sim.openaiBaseURL);
    expect(eco.client).toBeInstanceOf(OpenAI);
    expect(up.sim.count("openai.models")).toBeGreaterThan(0);
  });

  test("the API key is written to no file", async () => {
    const eco = up.eco({ storage: "sqlite" });
    await eco.chat.completions.create(ask("secret check"));
    await eco.chat.completions.create(ask("secret check"));
    await eco.close();
    for (const name of readdirSync(up.dir)) {
      expect(readFileSync(join(up.dir, name)).includes(TEST_API_KEY)).toBe(false);
    }
  });
});

describe("per-call options", () => {
  test("bypass goes upstream, neither reads nor writes the cache, and is logged", async () => {
    const eco = up.eco();
    const before = up.sim.count(CHAT_ROUTE);
    await eco.chat.completions.create(ask("bypass"), { ecoai: { bypass: true } });
    await eco.chat.completions.create(ask("bypass"));
    await eco.chat.completions.create(ask("bypass"), { ecoai: { bypass: true } });
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(3);
    expect((await eco.summary()).totalCalls).toBe(3);
  });

  test("refresh replaces the stored answer", async () => {
    const eco = up.eco();
    const first = await eco.chat.completions.create(ask("refresh"));
    const refreshed = await eco.chat.completions.create(ask("refresh"), { ecoai: { refresh: true } });
    const after = await eco.chat.completions.create(ask("refresh"));
    expect(refreshed.id).not.toBe(first.id);
    expect(after.id).toBe(refreshed.id);
  });

  test("ttl per call limits the age of what it is served", async () => {
    const eco = up.eco();
    const first = await eco.chat.completions.create(ask("per-call ttl"));
    await Bun.sleep(30);
    const stale = await eco.chat.completions.create(ask("per-call ttl"), { ecoai: { ttl: 0.01 } });
    expect(stale.id).not.toBe(first.id);
  });

  test("namespaces never share answers", async () => {
    const eco = up.eco({ namespace: "tenant-a" });
    const a = await eco.chat.completions.create(ask("tenant question"));
    const b = await eco.chat.completions.create(ask("tenant question"), { ecoai: { namespace: "tenant-b" } });
    const a2 = await eco.chat.completions.create(ask("tenant question"));
    expect(b.id).not.toBe(a.id);
    expect(a2.id).toBe(a.id);
  });

  test("the ecoai key is stripped before the SDK sees the options, other options still apply", async () => {
    const eco = up.eco();
    await eco.chat.completions.create(ask("headers"), { ecoai: { bypass: true }, headers: { "x-custom": "kept" } });
    const last = up.sim.requests.at(-1)!;
    expect(last.headers["x-custom"]).toBe("kept");
    expect(Object.keys(last.headers).some((name) => name.includes("ecoai"))).toBe(false);
    expect(JSON.stringify(last.body)).not.toContain("bypass");
  });

  test("bad per-call options throw a message naming them, before any request", async () => {
    const eco = up.eco();
    const before = up.sim.count();
    await expect(eco.chat.completions.create(ask("x"), { ecoai: { ttl: -1 } })).rejects.toThrow(/ecoai\.ttl -1 \(from per-call option\)/);
    await expect(eco.chat.completions.create(ask("x"), { ecoai: { bypas: true } as never })).rejects.toThrow(/ecoai\.bypas/);
    expect(up.sim.count()).toBe(before);
  });
});

describe("modes and expiry", () => {
  test("prod mode: an entry older than ttlByModel for its model is a miss and is replaced", async () => {
    const eco = up.eco({ mode: "prod", ttl: 3600, ttlByModel: { "gpt-4o-mini": 0.05 } });
    const mini = ask("expiry", { model: "gpt-4o-mini" });
    const big = ask("expiry");
    const miniFirst = await eco.chat.completions.create(mini);
    const bigFirst = await eco.chat.completions.create(big);
    await Bun.sleep(80);
    const miniSecond = await eco.chat.completions.create(mini);
    const bigSecond = await eco.chat.completions.create(big);
    expect(miniSecond.id).not.toBe(miniFirst.id);
    expect(bigSecond.id).toBe(bigFirst.id);
    expect((await eco.chat.completions.create(mini)).id).toBe(miniSecond.id);
  });

  test("dev mode ignores age; setMode switches to prod expiry", async () => {
    const eco = up.eco({ ttl: 0.02 });
    const first = await eco.chat.completions.create(ask("dev forever"));
    await Bun.sleep(40);
    expect((await eco.chat.completions.create(ask("dev forever"))).id).toBe(first.id);
    eco.setMode("prod");
    expect(eco.mode).toBe("prod");
    expect((await eco.chat.completions.create(ask("dev forever"))).id).not.toBe(first.id);
  });

  test("cachingEnabled: false sends every call upstream and still logs it", async () => {
    const eco = up.eco({ cachingEnabled: false });
    const before = up.sim.count(CHAT_ROUTE);
    await eco.chat.completions.create(ask("no cache"));
    await eco.chat.completions.create(ask("no cache"));
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(2);
    const summary = await eco.summary();
    expect(summary.totalCalls).toBe(2);
    expect(summary.cacheHits).toBe(0);
  });
});

describe("storage faults", () => {
  test("a corrupt cache row is a miss, not a crash, and is replaced", async () => {
    const sqlitePath = join(up.dir, "corrupt-cache.db");
    const logger = recordingLogger();
    const eco = up.eco({ sqlitePath, logger });
    const first = await eco.chat.completions.create(ask("corrupt"));
    const db = openDatabase(sqlitePath);
    db.prepare("UPDATE cache_entries SET body = ?").run("{not json");
    db.close();
    const second = await eco.chat.completions.create(ask("corrupt"));
    expect(second.id).not.toBe(first.id);
    expect((await eco.chat.completions.create(ask("corrupt"))).id).toBe(second.id);
    expect(logger.messages.some((message) => message.includes("unreadable cache entry"))).toBe(true);
  });

  test("a cache file that cannot be opened turns into pass-through with one warning", async () => {
    const blocker = join(up.dir, "not-a-folder");
    writeFileSync(blocker, "x");
    const logger = recordingLogger();
    const eco = up.eco({ sqlitePath: join(blocker, "cache.db"), logger });
    const before = up.sim.count(CHAT_ROUTE);
    await eco.chat.completions.create(ask("no store"));
    await eco.chat.completions.create(ask("no store"));
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(2);
    expect(logger.messages.filter((message) => message.includes("could not open"))).toHaveLength(1);
  });

  test("a store that fails mid-run passes calls through and warns once per outage", async () => {
    const sqlitePath = join(up.dir, "dropped-cache.db");
    const logger = recordingLogger();
    const eco = up.eco({ sqlitePath, logger });
    await eco.chat.completions.create(ask("outage"));
    const db = openDatabase(sqlitePath);
    db.exec("DROP TABLE cache_entries");
    db.close();
    const before = up.sim.count(CHAT_ROUTE);
    for (let i = 0; i < 3; i++) await eco.chat.completions.create(ask("outage"));
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(3);
    expect(logger.messages.filter((message) => message.includes("failed"))).toHaveLength(1);
  });
});
