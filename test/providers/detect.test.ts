import { describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI, { AzureOpenAI } from "openai";
import { detectProvider, SUPPORTED_CLIENTS } from "../../src/providers/index.ts";
import { configError } from "../expect-error.ts";
import { EcoAI } from "../../src/index.ts";

describe("provider detection by shape", () => {
  test("OpenAI, AzureOpenAI and Anthropic clients are recognised", () => {
    expect(detectProvider(new OpenAI({ apiKey: "sk-x" })).provider).toBe("openai");
    expect(detectProvider(new AzureOpenAI({ apiKey: "x", endpoint: "https://x.openai.azure.com", apiVersion: "2024-10-21" })).provider).toBe("openai");
    expect(detectProvider(new Anthropic({ apiKey: "sk-ant-x" })).provider).toBe("anthropic");
  });

  test("the base URL that enters keys is the client's own", () => {
    const client = new Anthropic({ apiKey: "k", baseURL: "http://127.0.0.1:1/anthropic/" });
    expect(detectProvider(client).baseURL(client)).toBe("http://127.0.0.1:1/anthropic");
  });

  test.each([
    ["an object with messages.create but no stream", { messages: { create() {} }, baseURL: "x" }],
    ["an Anthropic-like object that also has chat", { messages: { create() {}, stream() {} }, chat: {}, baseURL: "x" }],
    ["a resource, not a client", new Anthropic({ apiKey: "k" }).messages],
  ])("%s → EcoAIConfigError listing every supported client", (_label, client) => {
    const error = configError(() => new EcoAI({ client: client as never }));
    expect(error.code).toBe("ECOAI_UNSUPPORTED_CLIENT");
    expect(error.message).toContain(SUPPORTED_CLIENTS);
    expect(SUPPORTED_CLIENTS).toContain("openai");
    expect(SUPPORTED_CLIENTS).toContain("@anthropic-ai/sdk");
  });
});
