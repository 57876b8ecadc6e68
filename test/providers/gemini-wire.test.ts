import { describe, expect, test } from "bun:test";
import { canonicalContents, isAnswer, modelName, promptText, usage, wantsJson } from "../../src/providers/gemini-wire.ts";

const candidate = (finishReason: string | undefined, parts: unknown[] = [{ text: "ok" }]) => ({ content: { role: "model", parts }, finishReason });
const response = (...candidates: unknown[]) => ({ candidates });

describe("Gemini answers", () => {
  test("STOP and MAX_TOKENS are answers; every other stop, a missing one and a blocked prompt are not", () => {
    expect(isAnswer(response(candidate("STOP")), false)).toBe(true);
    expect(isAnswer(response(candidate("MAX_TOKENS")), false)).toBe(true);
    for (const reason of ["SAFETY", "RECITATION", "LANGUAGE", "OTHER", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "MALFORMED_FUNCTION_CALL", "IMAGE_SAFETY", "FINISH_REASON_UNSPECIFIED", undefined]) {
      expect(isAnswer(response(candidate(reason)), false)).toBe(false);
    }
    expect(isAnswer(response(candidate("STOP"), candidate("SAFETY")), false)).toBe(false);
    expect(isAnswer({ promptFeedback: { blockReason: "BLOCKLIST" } }, false)).toBe(false);
    expect(isAnswer({ ...response(candidate("STOP")), promptFeedback: { blockReason: "OTHER" } }, false)).toBe(false);
    expect(isAnswer(response(), false)).toBe(false);
    expect(isAnswer(null, false)).toBe(false);
  });

  test("when JSON is asked for, the text (thoughts aside) must parse; a function call needs no JSON", () => {
    expect(isAnswer(response(candidate("STOP", [{ text: '{"a":' }, { text: "1}" }])), true)).toBe(true);
    expect(isAnswer(response(candidate("STOP", [{ text: "thinking…", thought: true }, { text: "[1,2]" }])), true)).toBe(true);
    expect(isAnswer(response(candidate("STOP", [{ text: "Sure! {}" }])), true)).toBe(false);
    expect(isAnswer(response(candidate("STOP", [{ functionCall: { name: "f", args: {} } }])), true)).toBe(true);
  });

  test("JSON is asked for by a JSON MIME type or a schema outside enum mode", () => {
    expect(wantsJson({ responseMimeType: "application/json" })).toBe(true);
    expect(wantsJson({ responseMimeType: "application/json", responseSchema: { type: "OBJECT" } })).toBe(true);
    expect(wantsJson({ responseJsonSchema: { type: "object" } })).toBe(true);
    expect(wantsJson({ responseMimeType: "text/x.enum", responseSchema: { type: "STRING", enum: ["a"] } })).toBe(false);
    expect(wantsJson({ responseMimeType: "text/plain" })).toBe(false);
    expect(wantsJson(undefined)).toBe(false);
  });
});

describe("Gemini usage, prompt text, contents", () => {
  test("prompt and tool-use prompt tokens are input, cached content is cached input, candidates and thoughts are output", () => {
    const metadata = { promptTokenCount: 100, toolUsePromptTokenCount: 5, cachedContentTokenCount: 40, candidatesTokenCount: 20, thoughtsTokenCount: 30, totalTokenCount: 155 };
    expect(usage({ usageMetadata: metadata })).toEqual({ inputTokens: 105, cachedInputTokens: 40, outputTokens: 50, reasoningTokens: 30 });
    expect(usage({})).toEqual({ inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 });
  });

  test("the prompt is the last user turn's text parts", () => {
    const contents = [
      { role: "user", parts: [{ text: "first" }] },
      { role: "model", parts: [{ text: "answer" }] },
      { role: "user", parts: [{ text: "second" }, { inlineData: { mimeType: "image/png", data: "AA==" } }, { text: "part" }] },
      { role: "function", parts: [{ functionResponse: { name: "f", response: {} } }] },
    ];
    expect(promptText(contents)).toBe("second\npart");
    expect(promptText([{ parts: [{ text: "no role" }] }])).toBe("no role");
  });

  test("a string, a part, parts and turns become the turns the SDK sends; what the SDK rejects is left to it", () => {
    const turn = [{ role: "user", parts: [{ text: "hi" }] }];
    expect(canonicalContents("hi")).toEqual(turn);
    expect(canonicalContents({ text: "hi" })).toEqual(turn);
    expect(canonicalContents(["hi"])).toEqual(turn);
    expect(canonicalContents([{ text: "hi" }])).toEqual(turn);
    expect(canonicalContents(turn)).toEqual(turn);
    expect(canonicalContents({ role: "user", parts: [{ text: "hi" }] })).toEqual(turn);
    expect(canonicalContents([])).toBeUndefined();
    expect(canonicalContents({ functionCall: { name: "f" } })).toBeUndefined();
    expect(canonicalContents([{ text: "hi" }, { role: "user", parts: [] }])).toBeUndefined();
  });

  test("model names lose their models/ prefix for pricing and logs", () => {
    expect(modelName("models/gemini-2.5-pro")).toBe("gemini-2.5-pro");
    expect(modelName("gemini-2.5-pro")).toBe("gemini-2.5-pro");
    expect(modelName("tunedModels/abc")).toBe("tunedModels/abc");
  });
});
