import { describe, expect, test } from "bun:test";
import { answerText, normalisedText } from "../../src/cache/semantic-compare.ts";
import { countsAt, readEvidence, writeEvidence, wrongChance } from "../../src/cache/semantic-evidence.ts";

describe("answer text", () => {
  test("is read from every provider's response shape, ids and metadata left out", () => {
    expect(answerText({ id: "chatcmpl-1", model: "gpt-4o", choices: [{ message: { role: "assistant", content: "Paris." } }] })).toBe("Paris.");
    expect(answerText({ id: "msg_1", content: [{ type: "text", text: "Paris." }], usage: { output_tokens: 2 } })).toBe("Paris.");
    expect(answerText({ candidates: [{ content: { parts: [{ text: "Par" }, { text: "is." }], role: "model" } }], modelVersion: "gemini-2.5-flash" })).toBe("Par\nis.");
    expect(answerText({ id: "resp_1", output: [{ type: "message", content: [{ type: "output_text", text: "Paris." }] }] })).toBe("Paris.");
  });

  test("normalised text ignores case, spacing and punctuation only", () => {
    expect(normalisedText("  Paris, France! ")).toBe(normalisedText("paris france"));
    expect(normalisedText("Paris")).not.toBe(normalisedText("Lyon"));
  });
});

describe("evidence", () => {
  test("an agreement counts for higher scores, a disagreement for lower ones", () => {
    const checks = [
      { score: 0.9, agreed: true },
      { score: 0.95, agreed: false },
    ];
    expect(countsAt(checks, 0.92)).toEqual({ checks: 2, disagreed: 1 });
    expect(countsAt(checks, 0.96)).toEqual({ checks: 1, disagreed: 0 });
    expect(countsAt(checks, 0.85)).toEqual({ checks: 1, disagreed: 1 });
  });

  test("an unchecked answer counts as wrong; agreeing checks bring the estimate down", () => {
    expect(wrongChance({ checks: 0, disagreed: 0 }, { checks: 0, disagreed: 0 })).toBe(1);
    expect(wrongChance({ checks: 9, disagreed: 0 }, { checks: 0, disagreed: 0 })).toBeCloseTo(0.1, 10);
    // Other entries' checks at that score are a prior worth at most 20 checks.
    expect(wrongChance({ checks: 0, disagreed: 0 }, { checks: 1000, disagreed: 0 })).toBeCloseTo((20 / 1001 + 1) / 21, 10);
  });

  test("is kept as versioned text, the newest 64 checks; unreadable text is no evidence", () => {
    let text: string | undefined;
    for (let i = 0; i < 70; i++) text = writeEvidence(readEvidence(text), { score: 0.9, agreed: i % 2 === 0 });
    expect(readEvidence(text)).toHaveLength(64);
    expect(readEvidence("not json")).toEqual([]);
    expect(readEvidence('{"v":99,"checks":[[0.9,1]]}')).toEqual([]);
  });
});
