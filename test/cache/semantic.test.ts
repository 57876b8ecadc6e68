import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ratesFor } from "../../src/usage/pricing.ts";
import { ask, CHAT_ROUTE, recordingLogger, useUpstream } from "../harness.ts";

const up = useUpstream();
const EMBEDDINGS = "openai.embeddings";

// Cosine similarities under the simulator's embeddings (src/simulator/embedding.ts):
const STORED = "What is the capital of France?";
const ABOVE = "What is the capital city of France?"; // 0.91
const BELOW = "What's the capital of France?"; // 0.86
const NEAR_COPY = "what is the capital of france"; // 0.97

/** A wrapped client with semantic caching through the simulator's embeddings, at threshold 0.9. */
function semanticEco(extra: Parameters<typeof up.eco>[0] = {}) {
  return up.eco({ semantic: { threshold: 0.9 }, ...extra });
}

function counts() {
  const chat = up.sim.count(CHAT_ROUTE);
  const embeddings = up.sim.count(EMBEDDINGS);
  return () => ({ chat: up.sim.count(CHAT_ROUTE) - chat, embeddings: up.sim.count(EMBEDDINGS) - embeddings });
}

describe("semantic matching", () => {
  test("a paraphrase above the threshold is served the stored answer; one below goes upstream", async () => {
    const eco = semanticEco();
    const delta = counts();
    const stored = await eco.chat.completions.create(ask(STORED));
    const similar = await eco.chat.completions.create(ask(ABOVE));
    expect(delta()).toEqual({ chat: 1, embeddings: 2 });
    expect(similar.choices[0]!.message.content).toBe(stored.choices[0]!.message.content);
    expect(similar.id).toBe(stored.id);

    const different = await eco.chat.completions.create(ask(BELOW));
    expect(delta()).toEqual({ chat: 2, embeddings: 3 });
    expect(different.id).not.toBe(stored.id);
  });

  test("a semantic hit is never stored as an exact entry for the new prompt", async () => {
    const eco = semanticEco();
    await eco.chat.completions.create(ask(STORED));
    await eco.chat.completions.create(ask(ABOVE));
    const delta = counts();
    await eco.chat.completions.create(ask(ABOVE), { ecoai: { semantic: false } });
    expect(delta()).toEqual({ chat: 1, embeddings: 0 });
  });

  test("the default path embeds with the wrapped OpenAI client, model text-embedding-3-small", async () => {
    const eco = up.eco({ semantic: true });
    const delta = counts();
    await eco.chat.completions.create(ask("Which embedding model is used by default?"));
    expect(delta().embeddings).toBe(1);
    const request = up.sim.requests.findLast((r) => r.route === EMBEDDINGS)!;
    expect(request.body).toMatchObject({ model: "text-embedding-3-small", input: "Which embedding model is used by default?" });
  });

  test("an exact repeat is served by the exact key without an embedding", async () => {
    const eco = semanticEco();
    await eco.chat.completions.create(ask("exact repeats skip the embedding"));
    const delta = counts();
    await eco.chat.completions.create(ask("exact repeats skip the embedding"));
    expect(delta()).toEqual({ chat: 0, embeddings: 0 });
  });

  test("nothing matches across models, system prompts, earlier turns, namespaces or parameters", async () => {
    const eco = semanticEco();
    const system = { role: "system" as const, content: "You answer in French." };
    const earlier = [
      { role: "user" as const, content: "Let us talk about geography." },
      { role: "assistant" as const, content: "Gladly." },
    ];
    const base = (content: string) => ({ model: "gpt-4o", messages: [system, ...earlier, { role: "user" as const, content }], temperature: 0 });
    await eco.chat.completions.create(base(STORED));
    const delta = counts();
    // The control: the same context with a near copy of the prompt is a hit.
    await eco.chat.completions.create(base(NEAR_COPY));
    expect(delta().chat).toBe(0);

    const variants = [
      { ...base(NEAR_COPY), model: "gpt-4o-mini" },
      { ...base(NEAR_COPY), messages: [{ role: "system" as const, content: "You answer in German." }, ...earlier, { role: "user" as const, content: NEAR_COPY }] },
      { ...base(NEAR_COPY), messages: [system, { role: "user" as const, content: NEAR_COPY }] },
      { ...base(NEAR_COPY), messages: [system, { role: "user" as const, content: "Let us talk about history." }, earlier[1]!, { role: "user" as const, content: NEAR_COPY }] },
      { ...base(NEAR_COPY), temperature: 1 },
      { ...base(NEAR_COPY), max_tokens: 50 },
      { ...base(NEAR_COPY), response_format: { type: "json_object" as const } },
    ];
    for (const [i, variant] of variants.entries()) {
      await eco.chat.completions.create(variant);
      expect({ variant: i, chat: delta().chat }).toEqual({ variant: i, chat: i + 1 });
    }
    await eco.chat.completions.create(base(NEAR_COPY), { ecoai: { namespace: "tenant-b" } });
    expect(delta().chat).toBe(variants.length + 1);
  });

  test("the instance namespace partitions semantic matches", async () => {
    const sqlitePath = join(up.dir, "namespaces-cache.db");
    const a = semanticEco({ sqlitePath, namespace: "tenant-a" });
    const b = semanticEco({ sqlitePath, namespace: "tenant-b" });
    await a.chat.completions.create(ask(STORED));
    const delta = counts();
    await b.chat.completions.create(ask(NEAR_COPY));
    await a.chat.completions.create(ask(NEAR_COPY));
    expect(delta().chat).toBe(1);
  });

  test("structured prompts take part, with their response format in the scope", async () => {
    const eco = semanticEco();
    const json = { response_format: { type: "json_object" as const } };
    await eco.chat.completions.create(ask(`${STORED} Answer in JSON.`, json));
    const delta = counts();
    await eco.chat.completions.create(ask(`${NEAR_COPY} answer in json`, json));
    expect(delta()).toEqual({ chat: 0, embeddings: 1 });
  });

  test("the Responses API takes part, with its instructions in the scope", async () => {
    const eco = semanticEco();
    const respond = (input: string, instructions = "Be brief.") => eco.responses.create({ model: "gpt-4o", instructions, input });
    const upstream = () => up.sim.count("openai.responses");
    const stored = await respond(STORED);
    const before = upstream();
    const served = await respond(NEAR_COPY);
    expect(upstream()).toBe(before);
    expect(served.output_text).toBe(stored.output_text);
    expect((await eco.history({ limit: 1 }))[0]).toMatchObject({ cacheHit: true, semanticHit: true });
    await respond(NEAR_COPY, "Be verbose.");
    expect(upstream()).toBe(before + 1);
  });

  test("tool and image prompts match exactly only and are never embedded", async () => {
    const eco = semanticEco();
    const tools = [{ type: "function" as const, function: { name: "lookup", parameters: { type: "object", properties: {} } } }];
    const image = (text: string) => ({
      model: "gpt-4o",
      messages: [{ role: "user" as const, content: [{ type: "text" as const, text }, { type: "image_url" as const, image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }] }],
    });
    const delta = counts();
    await eco.chat.completions.create(ask(STORED, { tools }));
    await eco.chat.completions.create(ask(NEAR_COPY, { tools }));
    await eco.chat.completions.create(image(STORED));
    await eco.chat.completions.create(image(NEAR_COPY));
    expect(delta()).toEqual({ chat: 4, embeddings: 0 });
  });

  test("per-call semantic: false forces exact matching", async () => {
    const eco = semanticEco();
    await eco.chat.completions.create(ask(STORED));
    const delta = counts();
    await eco.chat.completions.create(ask(NEAR_COPY), { ecoai: { semantic: false } });
    expect(delta()).toEqual({ chat: 1, embeddings: 0 });
  });
});

describe("with the rest of the cache", () => {
  test("identical concurrent misses share one embedding and one upstream call", async () => {
    const eco = semanticEco();
    const delta = counts();
    const answers = await Promise.all(Array.from({ length: 5 }, () => eco.chat.completions.create(ask("Five at once, one request."))));
    expect(delta()).toEqual({ chat: 1, embeddings: 1 });
    expect(new Set(answers.map((answer) => answer.id)).size).toBe(1);
  });

  test("a caller that joins an identical call in flight gets no semantic answer it ruled out", async () => {
    const eco = semanticEco();
    const stored = await eco.chat.completions.create(ask(STORED));
    await Bun.sleep(30);
    up.sim.delayMs = 100;
    try {
      const leader = eco.chat.completions.create(ask(NEAR_COPY));
      await Bun.sleep(20);
      const exactOnly = eco.chat.completions.create(ask(NEAR_COPY), { ecoai: { semantic: false } });
      const strict = eco.chat.completions.create(ask(NEAR_COPY), { ecoai: { ttl: 0.02 } });
      expect((await leader).id).toBe(stored.id);
      expect((await exactOnly).id).not.toBe(stored.id);
      expect((await strict).id).not.toBe(stored.id);
    } finally {
      up.sim.delayMs = 0;
    }
  });

  test("a stored prompt too old for the call's ttl is not served", async () => {
    const eco = semanticEco();
    await eco.chat.completions.create(ask(STORED));
    await Bun.sleep(20);
    const delta = counts();
    await eco.chat.completions.create(ask(NEAR_COPY), { ecoai: { ttl: 0.01 } });
    expect(delta().chat).toBe(1);
  });

  test("stale stored prompts closer to the query do not hide a fresh one", async () => {
    // Designed vectors: the query is nearest the eight old prompts, then the fresh one (cosine 0.98).
    const vectors: Record<string, number[]> = { query: [1, 0, 0, 0], fresh: [1, 0.2, 0, 0] };
    for (let i = 0; i < 8; i++) vectors[`old ${i}`] = [1, 0, 0.01 * (i + 1), 0];
    // Guards off: the texts are labels of designed vectors, not prompts to compare.
    const eco = up.eco({ semantic: { threshold: 0.9, embedFn: async (text) => vectors[text]!, embeddingModel: "designed", guards: false } });
    for (let i = 0; i < 8; i++) await eco.chat.completions.create(ask(`old ${i}`), { ecoai: { refresh: true } });
    await Bun.sleep(300);
    const fresh = await eco.chat.completions.create(ask("fresh"), { ecoai: { refresh: true } });
    const before = up.sim.count(CHAT_ROUTE);
    const served = await eco.chat.completions.create(ask("query"), { ecoai: { ttl: 0.2 } });
    expect(up.sim.count(CHAT_ROUTE) - before).toBe(0);
    expect(served.id).toBe(fresh.id);
  });

  test("refresh skips the semantic lookup and stores its own vector", async () => {
    const eco = semanticEco();
    await eco.chat.completions.create(ask(STORED));
    const delta = counts();
    await eco.chat.completions.create(ask(NEAR_COPY), { ecoai: { refresh: true } });
    expect(delta()).toEqual({ chat: 1, embeddings: 1 });
    await eco.chat.completions.create(ask("WHAT IS THE CAPITAL OF FRANCE"));
    expect(delta().chat).toBe(1);
  });

  test("the memory store takes part too", async () => {
    const eco = semanticEco({ storage: "memory" });
    await eco.chat.completions.create(ask(STORED));
    const delta = counts();
    await eco.chat.completions.create(ask(NEAR_COPY));
    expect(delta()).toEqual({ chat: 0, embeddings: 1 });
  });
});

describe("failures", () => {
  test("an embedding failure falls back to exact matching, warns once, and the call succeeds", async () => {
    const logger = recordingLogger();
    const eco = semanticEco({ logger });
    await eco.chat.completions.create(ask(STORED));
    up.sim.failNext(500, { route: EMBEDDINGS, times: 2 });
    const delta = counts();
    const near = await eco.chat.completions.create(ask(NEAR_COPY));
    const exact = await eco.chat.completions.create(ask(STORED));
    await eco.chat.completions.create(ask(ABOVE));
    expect(near.choices[0]!.message.content).toBeString();
    expect(exact.choices[0]!.message.content).toBeString();
    expect(delta()).toEqual({ chat: 2, embeddings: 2 });
    expect(logger.messages.filter((m) => m.includes("semantic embeddings"))).toHaveLength(1);
    // Embeddings are back: a near copy of a stored prompt is served again.
    await eco.chat.completions.create(ask("WHAT IS THE CAPITAL OF FRANCE?"));
    expect(delta().chat).toBe(2);
    expect(logger.messages.some((m) => m.includes("recovered"))).toBe(true);
  });

  test("a failed embedding is not retried by the SDK: the call falls back to exact matching at once", async () => {
    const eco = up.wrap(up.openai({ maxRetries: 2 }), { semantic: { threshold: 0.9 } });
    up.sim.failNext(503, { route: EMBEDDINGS, times: 3 });
    const delta = counts();
    try {
      const answer = await eco.chat.completions.create(ask("Is an embedding outage retried?"));
      expect(answer.choices[0]!.message.content).toBeString();
      expect(delta()).toEqual({ chat: 1, embeddings: 1 });
    } finally {
      // Failures the fallback left unused must not reach the next test.
      up.sim.reset();
    }
  });

  test("an embedFn that throws leaves exact caching working", async () => {
    const logger = recordingLogger();
    const eco = up.eco({ logger, semantic: { embedFn: async () => Promise.reject(new Error("embedding service down")) } });
    const delta = counts();
    for (let i = 0; i < 3; i++) await eco.chat.completions.create(ask("still cached exactly"));
    expect(delta()).toEqual({ chat: 1, embeddings: 0 });
    expect(logger.messages.filter((m) => m.includes("semantic embeddings"))).toHaveLength(1);
  });
});

describe("usage log", () => {
  test("semantic hits are flagged and counted; savings are net of embedding costs", async () => {
    const eco = semanticEco();
    const miss = await eco.chat.completions.create(ask(STORED));
    await eco.chat.completions.create(ask(ABOVE));
    await eco.chat.completions.create(ask(STORED));
    const [exactHit, semanticHit, missRow] = await eco.history();
    const embeddingCost = (tokens: number) => (tokens * ratesFor("text-embedding-3-small").inputPerMTok) / 1e6;
    const rates = ratesFor("gpt-4o");
    const saved = ((miss.usage!.prompt_tokens - (miss.usage!.prompt_tokens_details?.cached_tokens ?? 0)) * rates.inputPerMTok + miss.usage!.completion_tokens * rates.outputPerMTok) / 1e6;

    expect(missRow).toMatchObject({ cacheHit: false, semanticHit: false, prompt: STORED });
    expect(missRow!.embeddingTokens).toBeGreaterThan(0);
    expect(missRow!.embeddingCostUsd).toBeCloseTo(embeddingCost(missRow!.embeddingTokens!), 15);
    expect(missRow!.costSavedUsd).toBeCloseTo(-missRow!.embeddingCostUsd!, 15);

    expect(semanticHit).toMatchObject({ cacheHit: true, semanticHit: true, prompt: ABOVE, tokensSaved: miss.usage!.completion_tokens });
    expect(semanticHit!.embeddingTokens).toBeGreaterThan(0);
    expect(semanticHit!.costSavedUsd).toBeCloseTo(saved - semanticHit!.embeddingCostUsd!, 15);

    expect(exactHit).toMatchObject({ cacheHit: true, semanticHit: false, embeddingTokens: 0, embeddingCostUsd: 0 });
    expect(exactHit!.costSavedUsd).toBeCloseTo(saved, 15);

    const summary = await eco.summary();
    expect(summary).toMatchObject({ totalCalls: 3, cacheHits: 2, cacheMisses: 1, semanticHits: 1 });
    expect(summary.costSavedUsd).toBeCloseTo(2 * saved - missRow!.embeddingCostUsd! - semanticHit!.embeddingCostUsd!, 15);
  });
});
