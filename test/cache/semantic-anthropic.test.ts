import { expect, test } from "bun:test";
import { createLexicalEmbedder } from "../../src/index.ts";
import { useProviders } from "../providers/wrapped.ts";

const { up, wrap, anthropic } = useProviders();
const ROUTE = "anthropic.messages";

function ask(content: string, extra: Record<string, unknown> = {}) {
  return { model: "claude-haiku-4-5", max_tokens: 256, messages: [{ role: "user" as const, content }], ...extra };
}

test("Anthropic messages take part in semantic matching, within one system prompt and model", async () => {
  const texts: string[] = [];
  const lexical = createLexicalEmbedder();
  const eco = wrap(anthropic(), { semantic: { embedFn: (text) => (texts.push(text), lexical(text)), embeddingModel: "lexical", threshold: 0.9 } });
  const before = up.sim.count(ROUTE);
  const stored = await eco.messages.create(ask("What is the capital of France?", { system: "Be brief." }));
  const served = await eco.messages.create(ask("what is the capital of france", { system: "Be brief." }));
  expect(up.sim.count(ROUTE) - before).toBe(1);
  expect(served.id).toBe(stored.id);
  expect((await eco.history({ limit: 1 }))[0]).toMatchObject({ provider: "anthropic", cacheHit: true, semanticHit: true });

  await eco.messages.create(ask("what is the capital of france", { system: "Be verbose." }));
  await eco.messages.create(ask("what is the capital of france", { system: "Be brief.", model: "claude-opus-4-1" }));
  expect(up.sim.count(ROUTE) - before).toBe(3);
  expect(texts).toEqual(["What is the capital of France?", "what is the capital of france", "what is the capital of france", "what is the capital of france"]);
});
