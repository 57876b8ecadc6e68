import { describe, expect, test } from "bun:test";
import { estimateTokens } from "../../src/simulator/reply.ts";
import { streamPieces, tokenLogprobs, tokenize } from "../../src/simulator/tokens.ts";

const sample = 'Simulated answer from gpt-4o: you asked "What is the capital of France?". This reply is deterministic.';

describe("simulated tokens", () => {
  test("tokens join back to the text and count as estimateTokens does", () => {
    expect(tokenize(sample).join("")).toBe(sample);
    expect(tokenize(sample)).toHaveLength(estimateTokens(sample));
    expect(tokenize("")).toEqual([]);
  });

  test("an astral character is never split across two tokens", () => {
    const text = "abc😀def😀";
    const tokens = tokenize(text);
    expect(tokens.join("")).toBe(text);
    for (const token of tokens) expect(token).toBe(Buffer.from(token).toString("utf8"));
  });

  test("stream pieces are one to four tokens each, vary in size, and are the same for the same text", () => {
    const pieces = streamPieces(sample);
    expect(pieces.join("")).toBe(sample);
    const sizes = pieces.map((piece) => tokenize(piece).length);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    expect(new Set(sizes).size).toBeGreaterThan(1);
    expect(streamPieces(sample)).toEqual(pieces);
    expect(streamPieces("")).toEqual([]);
  });

  test("logprobs cover every token, with the asked number of distinct alternatives", () => {
    const logprobs = tokenLogprobs(sample, 3);
    expect(logprobs.map((entry) => entry.token).join("")).toBe(sample);
    for (const entry of logprobs) {
      expect(entry.bytes).toEqual([...Buffer.from(entry.token)]);
      expect(entry.top_logprobs).toHaveLength(3);
      expect(entry.top_logprobs[0]!.token).toBe(entry.token);
      expect(new Set(entry.top_logprobs.map((alternative) => alternative.token)).size).toBe(3);
    }
    expect(tokenLogprobs(sample)[0]!.top_logprobs).toEqual([]);
  });
});
