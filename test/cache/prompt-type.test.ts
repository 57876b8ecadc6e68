import { describe, expect, test } from "bun:test";
import { detectPromptType } from "../../src/cache/prompt-type.ts";

const user = (content: unknown) => ({ model: "m", messages: [{ role: "user", content }] });

describe("detectPromptType", () => {
  test("plain text", () => {
    expect(detectPromptType(user("Hello"))).toBe("text");
    expect(detectPromptType(user([{ type: "text", text: "Hello" }]))).toBe("text");
  });

  test("structured wins over everything", () => {
    expect(detectPromptType({ ...user([{ type: "image_url", image_url: { url: "https://x/y.png" } }]), response_format: { type: "json_object" }, tools: [{}] })).toBe("structured");
    expect(detectPromptType({ model: "gemini", contents: [], config: { responseMimeType: "application/json" } })).toBe("structured");
    expect(detectPromptType({ contents: [], generationConfig: { responseSchema: { type: "object" } } })).toBe("structured");
    expect(detectPromptType({ model: "gemini", contents: [], config: { responseMimeType: "text/plain" } })).toBe("text");
    // Anthropic: output_config.format, and the earlier beta output_format.
    expect(detectPromptType({ ...user("x"), tools: [{ name: "t" }], output_config: { format: { type: "json_schema", schema: {} } } })).toBe("structured");
    expect(detectPromptType({ ...user("x"), output_format: { type: "json_schema", schema: {} } })).toBe("structured");
    expect(detectPromptType({ ...user("x"), output_config: { effort: "low" } })).toBe("text");
    // OpenAI Responses: text.format other than text.
    expect(detectPromptType({ model: "m", input: "x", text: { format: { type: "json_object" } } })).toBe("structured");
    expect(detectPromptType({ model: "m", input: "x", text: { format: { type: "text" } } })).toBe("text");
    // Chat completions alike: the explicit default `response_format: { type: "text" }` asks for no structure.
    expect(detectPromptType({ ...user("x"), response_format: { type: "json_schema", json_schema: { name: "a" } } })).toBe("structured");
    expect(detectPromptType({ ...user("x"), response_format: { type: "text" } })).toBe("text");
  });

  test("tool beats media", () => {
    expect(detectPromptType({ ...user([{ type: "image_url", image_url: { url: "data:image/png;base64,AA" } }]), tools: [{ type: "function" }] })).toBe("tool");
    expect(detectPromptType({ ...user("x"), tool_choice: "auto" })).toBe("tool");
    expect(detectPromptType({ ...user("x"), functions: [{ name: "f" }] })).toBe("tool");
    expect(detectPromptType({ ...user("x"), tools: [] })).toBe("text");
  });

  test("file: Anthropic document, OpenAI file parts, non-media data URIs, Gemini PDFs", () => {
    expect(detectPromptType(user([{ type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBER" } }]))).toBe("file");
    expect(detectPromptType({ model: "m", input: [{ role: "user", content: [{ type: "input_file", file_url: "https://x/a.pdf" }] }] })).toBe("file");
    expect(detectPromptType(user([{ type: "file", file: { file_data: "data:application/pdf;base64,JVBER", filename: "a.pdf" } }]))).toBe("file");
    expect(detectPromptType({ contents: [{ role: "user", parts: [{ inlineData: { mimeType: "application/pdf", data: "JVBER" } }] }] })).toBe("file");
    expect(detectPromptType(user([{ type: "image_url", image_url: { url: "data:image/png;base64,AA" } }, { type: "document", source: {} }]))).toBe("file");
  });

  test("audio: OpenAI input_audio, Gemini audio inlineData, data:audio URIs", () => {
    expect(detectPromptType(user([{ type: "input_audio", input_audio: { data: "UklG", format: "wav" } }]))).toBe("audio");
    expect(detectPromptType({ contents: [{ parts: [{ inlineData: { mimeType: "audio/mp3", data: "SUQz" } }] }] })).toBe("audio");
    expect(detectPromptType(user("data:audio/wav;base64,UklG"))).toBe("audio");
  });

  test("image: image_url, Anthropic image block, Gemini image data, data:image URIs", () => {
    expect(detectPromptType(user([{ type: "image_url", image_url: { url: "https://example.com/cat.png" } }]))).toBe("image");
    expect(detectPromptType(user([{ type: "image", source: { type: "base64", media_type: "image/png", data: "iVBO" } }]))).toBe("image");
    expect(detectPromptType({ contents: [{ parts: [{ inlineData: { mimeType: "image/jpeg", data: "/9j/" } }] }] })).toBe("image");
    expect(detectPromptType({ contents: [{ parts: [{ fileData: { mimeType: "image/png", fileUri: "gs://b/cat.png" } }] }] })).toBe("image");
    expect(detectPromptType(user("data:image/png;base64,iVBO"))).toBe("image");
  });

  test("text that merely mentions data: is text", () => {
    expect(detectPromptType(user("data: is a word; image/png too"))).toBe("text");
  });
});
