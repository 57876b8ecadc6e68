import { expect, test } from "bun:test";
import { providerFamily } from "../../src/adapters/provider-family.ts";

test("framework provider names map to the provider their calls are logged under", () => {
  expect(providerFamily("openai.responses", "gpt-4o")).toBe("openai");
  expect(providerFamily("azure.chat", "gpt-4o")).toBe("openai");
  expect(providerFamily("anthropic.messages", "claude-sonnet-4-5")).toBe("anthropic");
  expect(providerFamily("google.generative-ai", "gemini-2.5-flash")).toBe("gemini");
  expect(providerFamily("googlegenerativeai", "gemini-2.5-flash")).toBe("gemini");
});

test("an unknown provider name goes by the model's family, else openai", () => {
  expect(providerFamily("amazon-bedrock", "claude-sonnet-4-5")).toBe("anthropic");
  expect(providerFamily("mistral.chat", "mistral-large-latest")).toBe("openai");
});
