import { expect, test } from "bun:test";
import { createLexicalEmbedder } from "../../src/index.ts";
import { dotAt } from "../../src/cache/vector-sketch.ts";

const embed = createLexicalEmbedder();
const cosine = async (a: string, b: string) => {
  const [x, y] = [await embed(a), await embed(b)];
  return dotAt(x, y, 0, x.length);
};

test("vectors are deterministic, of the asked length and of unit length", async () => {
  const vector = await embed("How do I reset my password?");
  expect(vector).toHaveLength(512);
  expect(Array.from(await embed("How do I reset my password?"))).toEqual(Array.from(vector));
  expect(dotAt(vector, vector, 0, vector.length)).toBeCloseTo(1, 5);
  expect(await createLexicalEmbedder({ dimensions: 64 })("x")).toHaveLength(64);
});

test("case, punctuation and spacing do not count; shared wording scores high, unrelated text low", async () => {
  expect(await cosine("How do I reset my password?", "how do  I reset my PASSWORD")).toBeCloseTo(1, 5);
  expect(await cosine("How do I reset my password?", "How do I reset my account password?")).toBeGreaterThan(0.8);
  expect(await cosine("How do I reset my password?", "Recommend a mystery novel set in Venice.")).toBeLessThan(0.3);
});

test("text without words embeds to the zero vector, and bad dimensions are refused", async () => {
  expect(Array.from(await embed("?!")).every((value) => value === 0)).toBe(true);
  expect(() => createLexicalEmbedder({ dimensions: 3 })).toThrow(RangeError);
});
