/** Semantic matching through the middleware: the engine's, with the AI SDK's prompt split at its last user text. */
import { expect, test } from "bun:test";
import { generateText } from "ai";
import { createLexicalEmbedder } from "../../../src/index.ts";
import { useAiSdk } from "./context.ts";

const ctx = useAiSdk();

test("a reworded prompt is a semantic hit; under another system prompt it never is", async () => {
  const cache = ctx.middleware({ semantic: { embedFn: createLexicalEmbedder(), embeddingModel: "lexical", threshold: 0.8 } });
  const model = ctx.model("openai", cache);
  ctx.sim.reset();
  const first = await generateText({ model, system: "Be brief.", prompt: "What is the capital city of France?" });
  const similar = await generateText({ model, system: "Be brief.", prompt: "What is the capital city of France, please?" });
  await generateText({ model, system: "Answer in French.", prompt: "What is the capital city of France, please?" });
  expect(ctx.sim.count("openai.responses")).toBe(2);
  expect(similar.text).toBe(first.text);
  const rows = await cache.history();
  expect(rows.map((row) => [row.cacheHit, row.semanticHit])).toEqual([[false, false], [true, true], [false, false]]);
});
