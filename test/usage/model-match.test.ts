import { describe, expect, test } from "bun:test";
import { keyMatcher, keyMatches, longestKey, longestPrefix, normalizeModel } from "../../src/usage/model-match.ts";
import { tokenCount } from "../../src/usage/token-count.ts";

describe("model ids find their family", () => {
  const keys = ["gpt-4o", "gpt-4o-mini", "gpt-4", "claude-opus-4", "claude-opus-4-1", "gemini-2.5-flash", "gemini-2.5-flash-lite", "gpt-image-1", "gpt-image-1.5"];
  const cases: [string, string | undefined][] = [
    ["gpt-4o", "gpt-4o"],
    ["gpt-4o-2024-08-06", "gpt-4o"],
    ["gpt-4o-mini-2024-07-18", "gpt-4o-mini"],
    ["gpt-4-0613", "gpt-4"],
    ["claude-opus-4-20250514", "claude-opus-4"],
    ["claude-opus-4-0", "claude-opus-4"],
    ["claude-opus-4-1-20250805", "claude-opus-4-1"],
    ["claude-opus-4-1@20250805", "claude-opus-4-1"],
    ["gemini-2.5-flash-preview-05-20", "gemini-2.5-flash"],
    ["gemini-2.5-flash-preview-09-2025", "gemini-2.5-flash"],
    ["gemini-2.5-flash-lite-preview-06-17", "gemini-2.5-flash-lite"],
    ["models/gemini-2.5-flash", "gemini-2.5-flash"],
    ["GPT-4o-Mini", "gpt-4o-mini"],
    ["  gpt-4o  ", "gpt-4o"],
    ["gpt-image-1.5", "gpt-image-1.5"],
    ["gpt-image-1-2025-04-23", "gpt-image-1"],
  ];
  for (const [model, family] of cases) {
    test(`${model} → ${family}`, () => expect(longestKey(keys, model)).toBe(family));
  }

  test("a variant with its own name is not taken for its base model", () => {
    for (const variant of ["gpt-4o-mini-tts", "gpt-4o-realtime-preview", "gpt-4o-search-preview", "gpt-4-32k", "gpt-4o-mini-transcribe"]) {
      expect(longestKey(keys, variant), variant).toBeUndefined();
    }
    expect(longestKey(keys, "gpt-4o-mini-tts")).toBeUndefined();
    expect(longestKey(keys, "claude-opus-4-9")).toBeUndefined(); // a new minor version, not Opus 4
    expect(longestKey(keys, "gemini-2.5-flash-image")).toBeUndefined();
  });

  test("fine-tunes and deployments are not matched", () => {
    expect(longestKey(keys, "ft:gpt-4o-mini-2024-07-18:acme::abc123")).toBeUndefined();
    expect(longestKey(keys, "my-gpt-4o-deployment")).toBeUndefined();
  });

  test("keyMatches and normalizeModel", () => {
    expect(normalizeModel(" Models/Gemini-2.5-Pro ")).toBe("gemini-2.5-pro");
    expect(keyMatches("o3", "o3-2025-04-16")).toBe(true);
    expect(keyMatches("o3", "o3-mini")).toBe(false);
    expect(keyMatches("o3", "o3-pro-2025-06-10")).toBe(false);
  });
});

describe("user overrides match by plain prefix", () => {
  test("the longest key the model starts with, in any case", () => {
    expect(longestPrefix(["acme", "acme-llm"], "ACME-llm-7b-chat")).toBe("acme-llm");
    expect(longestPrefix(["GPT-4o"], "models/gpt-4o-mini-tts")).toBe("GPT-4o");
    expect(longestPrefix([""], "anything")).toBe("");
    expect(longestPrefix(["acme"], "other")).toBeUndefined();
  });
});

describe("token counts", () => {
  test("missing, negative and non-finite counts are zero", () => {
    expect([undefined, -5, Number.NaN, Number.POSITIVE_INFINITY, 0, 120].map(tokenCount)).toEqual([0, 0, 0, 0, 0, 120]);
  });
});

describe("keyMatcher", () => {
  test("answers as longestKey does, again and again", () => {
    const keys = ["gpt-4o", "gpt-4o-mini"];
    const familyOf = keyMatcher(keys);
    for (const model of ["gpt-4o-mini-2024-07-18", "gpt-4o-mini-tts", "GPT-4o", "gpt-4o-mini-2024-07-18", "gpt-4o-mini-tts"]) {
      expect(familyOf(model), model).toBe(longestKey(keys, model));
    }
    // More distinct ids than it remembers still answer correctly.
    for (let i = 0; i < 3000; i++) expect(familyOf(`gpt-4o-${1000 + i}`)).toBe("gpt-4o");
  });
});
