import { expect, test } from "bun:test";
import { chatSemanticParts, geminiSemanticParts, responsesSemanticParts } from "../../src/providers/semantic-parts.ts";

const system = { role: "system", content: "You are terse." };

test("the last user text leaves the context; everything else stays, in place", () => {
  const params = {
    model: "gpt-4o",
    temperature: 0,
    stream: false,
    messages: [system, { role: "user", content: "first" }, { role: "assistant", content: "ok" }, { role: "user", name: "ann", content: "second question" }],
  };
  expect(chatSemanticParts(params)).toEqual({
    text: "second question",
    context: {
      model: "gpt-4o",
      temperature: 0,
      messages: [system, { role: "user", content: "first" }, { role: "assistant", content: "ok" }, { role: "user", name: "ann", content: null }],
    },
  });
  expect(params.messages[3]!.content).toBe("second question");
});

test("two requests differing only in the last user text share a context", () => {
  const a = chatSemanticParts({ model: "m", messages: [system, { role: "user", content: "How are you?" }] });
  const b = chatSemanticParts({ model: "m", messages: [system, { role: "user", content: [{ type: "text", text: "how are you" }] }] });
  expect(a!.context).toEqual(b!.context);
  expect(b!.text).toBe("how are you");
});

test("a last user turn with anything but text, or no text, is not split", () => {
  const image = { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } };
  expect(chatSemanticParts({ messages: [{ role: "user", content: [{ type: "text", text: "what is this" }, image] }] })).toBeUndefined();
  expect(chatSemanticParts({ messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "42" }] }] })).toBeUndefined();
  expect(chatSemanticParts({ messages: [{ role: "user", content: "   " }] })).toBeUndefined();
  expect(chatSemanticParts({ messages: [system] })).toBeUndefined();
  expect(chatSemanticParts({ prompt: "no messages" })).toBeUndefined();
});

test("Responses API: a string input, or the last user message of an input list, leaves the context", () => {
  expect(responsesSemanticParts({ model: "gpt-4o", instructions: "Be brief.", input: "Hello there" })).toEqual({
    text: "Hello there",
    context: { model: "gpt-4o", instructions: "Be brief.", input: null },
  });
  const list = responsesSemanticParts({
    model: "gpt-4o",
    input: [{ role: "developer", content: "Be brief." }, { role: "user", content: [{ type: "input_text", text: "Hello" }] }],
  });
  expect(list).toEqual({ text: "Hello", context: { model: "gpt-4o", input: [{ role: "developer", content: "Be brief." }, { role: "user", content: null }] } });
  expect(responsesSemanticParts({ input: [{ role: "user", content: [{ type: "input_image", image_url: "data:image/png;base64,AAAA" }] }] })).toBeUndefined();
  expect(responsesSemanticParts({ input: "" })).toBeUndefined();
});

test("Gemini: the last user turn's plain-text parts leave the contents; instruction and config stay", () => {
  const keyed = {
    model: "gemini-2.5-flash",
    contents: [
      { role: "user", parts: [{ text: "Hi" }] },
      { role: "model", parts: [{ text: "Hello" }] },
      { role: "user", parts: [{ text: "What is" }, { text: "the capital?" }] },
    ],
    config: { systemInstruction: "Be brief.", temperature: 0 },
  };
  expect(geminiSemanticParts(keyed)).toEqual({
    text: "What is\nthe capital?",
    context: { ...keyed, contents: [keyed.contents[0], keyed.contents[1], { role: "user", parts: null }] },
  });
  const image = { inlineData: { mimeType: "image/png", data: "AAAA" } };
  expect(geminiSemanticParts({ contents: [{ role: "user", parts: [{ text: "what is this" }, image] }] })).toBeUndefined();
  expect(geminiSemanticParts({ contents: [{ role: "user", parts: [{ text: "x", thought: true }] }] })).toBeUndefined();
  expect(geminiSemanticParts({ contents: "not canonical" })).toBeUndefined();
});
