import { describe, expect, test } from "bun:test";
import type { EcoAIConfig } from "../../src/index.ts";
import { ask, CHAT_ROUTE, useUpstream } from "../harness.ts";

const EMBEDDINGS = "openai.embeddings";
const STORED = "What is the capital of France?";
const NEAR_COPY = "what is the capital of france"; // 0.97 under the simulator's embeddings
const SAME_WORDS = "WHAT IS THE CAPITAL OF FRANCE?"; // 1.0

/**
 * Semantic caching over a store that several instances share (a SQLite file, a Redis server):
 * vectors persist with their entries, are seen by other instances and go when flushed.
 * `backend(name)` gives the options of one shared cache; the same name, the same cache.
 */
export function runSharedSemanticSuite(storeName: string, up: ReturnType<typeof useUpstream>, backend: (name: string) => Partial<EcoAIConfig>): void {
  const eco = (name: string) => up.eco({ semantic: { threshold: 0.9 }, ...backend(name) } as never);
  const counts = () => {
    const chat = up.sim.count(CHAT_ROUTE);
    const embeddings = up.sim.count(EMBEDDINGS);
    return () => ({ chat: up.sim.count(CHAT_ROUTE) - chat, embeddings: up.sim.count(EMBEDDINGS) - embeddings });
  };

  describe(`semantic caching shared through ${storeName}`, () => {
    test("a new EcoAI on the same cache hits without re-embedding the stored prompts", async () => {
      const first = eco("restart");
      for (const prompt of [STORED, "How do I reset my password?", "Recommend a mystery novel set in Venice."]) {
        await first.chat.completions.create(ask(prompt));
      }
      await first.close();

      const second = eco("restart");
      const delta = counts();
      const served = await second.chat.completions.create(ask("how do i reset my password??"));
      expect(delta()).toEqual({ chat: 0, embeddings: 1 });
      expect(served.choices[0]!.message.content).toContain("reset my password");
    });

    test("a running instance sees the vectors another instance writes", async () => {
      const reader = eco("shared");
      const writer = eco("shared");
      await reader.chat.completions.create(ask("Loads the scope before the other instance writes."));
      await writer.chat.completions.create(ask(STORED));
      const delta = counts();
      await reader.chat.completions.create(ask(NEAR_COPY));
      expect(delta().chat).toBe(0);
    });

    test("flush removes vectors with their entries", async () => {
      const instance = eco("flush-here");
      await instance.chat.completions.create(ask(STORED));
      expect(await instance.flush()).toBe(1);
      const delta = counts();
      await instance.chat.completions.create(ask(NEAR_COPY));
      expect(delta().chat).toBe(1);
    });

    test("a vector another instance loaded is not served once its entry is flushed", async () => {
      const flusher = eco("flush-there");
      const other = eco("flush-there");
      await flusher.chat.completions.create(ask(STORED));
      const delta = counts();
      await other.chat.completions.create(ask(NEAR_COPY)); // served: the other instance now holds the vector
      expect(delta().chat).toBe(0);
      expect(await flusher.flush()).toBe(1);
      await other.chat.completions.create(ask(SAME_WORDS));
      expect(delta().chat).toBe(1);
    });
  });
}
