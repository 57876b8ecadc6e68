import { expect, test } from "bun:test";
import { createLexicalEmbedder } from "../../src/index.ts";
import type { SemanticJudgeInput } from "../../src/types.ts";
import { useProviders } from "../providers/wrapped.ts";

const { up, wrap, anthropic } = useProviders();
const ROUTE = "anthropic.messages";

function ask(content: string) {
  return { model: "claude-haiku-4-5", max_tokens: 256, system: "Be brief.", messages: [{ role: "user" as const, content }] };
}

const semantic = { embedFn: createLexicalEmbedder(), embeddingModel: "lexical", threshold: 0.9 };

test("Anthropic messages in shadow mode: the judge sees both answers' text, nothing is served, the check is logged", async () => {
  const seen: SemanticJudgeInput[] = [];
  const eco = wrap(anthropic(), { semantic: { ...semantic, shadow: true, judge: (input) => (seen.push(input), false) } });
  const before = up.sim.count(ROUTE);
  const stored = await eco.messages.create(ask("What is the capital of France?"));
  const fresh = await eco.messages.create(ask("what is the capital of france"));
  expect(up.sim.count(ROUTE) - before).toBe(2);
  const text = (message: typeof stored) => message.content.map((block) => (block.type === "text" ? block.text : "")).join("\n");
  expect(seen).toEqual([expect.objectContaining({ storedPrompt: "What is the capital of France?", storedAnswer: text(stored), freshAnswer: text(fresh) })]);
  expect((await eco.history({ limit: 1 }))[0]).toMatchObject({ provider: "anthropic", semanticCheck: "shadow", checkAgreed: false });
  expect((await eco.summary()).shadow).toMatchObject({ checks: 1, agreed: 0, agreementRate: 0 });
});

test("Anthropic messages in verified mode: a match is verified until its checks agree, then served", async () => {
  const eco = wrap(anthropic(), { semantic: { ...semantic, maxErrorRate: 0.25, explore: 0, judge: () => true } });
  await eco.messages.create(ask("What is the capital of France?"));
  const before = up.sim.count(ROUTE);
  const variants = ["what is the capital of france", "what is the capital of France", "What is the capital of france", "what is the capital of france?", "What is the capital of France??", "WHAT is the capital of France?", "what IS the capital of France?", "What is THE capital of France?"];
  for (const prompt of variants) await eco.messages.create(ask(prompt));
  const upstream = up.sim.count(ROUTE) - before;
  expect(upstream).toBeGreaterThan(0);
  expect(upstream).toBeLessThan(variants.length);
  const rows = await eco.history({ limit: variants.length });
  expect(rows.filter((row) => row.semanticCheck === "verification")).toHaveLength(upstream);
  expect(rows[0]).toMatchObject({ semanticHit: true, cacheHit: true });
});
