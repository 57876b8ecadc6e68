import { afterAll, beforeAll } from "bun:test";
import { createAnthropic } from "@ai-sdk/anthropic";
import { createGoogleGenerativeAI } from "@ai-sdk/google";
import { createOpenAI } from "@ai-sdk/openai";
import { wrapLanguageModel } from "ai";
import { ecoaiMiddleware, type EcoAIMiddleware, type EcoAIMiddlewareOptions } from "../../../src/adapters/ai-sdk/index.ts";
import { startSimulator, type Simulator } from "../../../src/simulator/index.ts";
import { filesNamed, TEST_API_KEY } from "../../harness.ts";
import { tempDir } from "../../temp.ts";

/** The three first-party AI SDK providers, pointed at the simulator, with the route each one's calls reach. */
export const PROVIDERS = {
  openai: { route: "openai.responses", model: (sim: Simulator, id = "gpt-4o") => createOpenAI({ baseURL: sim.openaiBaseURL, apiKey: TEST_API_KEY })(id) },
  "openai.chat": { route: "openai.chat.completions", model: (sim: Simulator, id = "gpt-4o-mini") => createOpenAI({ baseURL: sim.openaiBaseURL, apiKey: TEST_API_KEY }).chat(id) },
  anthropic: { route: "anthropic.messages", model: (sim: Simulator, id = "claude-sonnet-4-5") => createAnthropic({ baseURL: `${sim.anthropicBaseURL}/v1`, apiKey: TEST_API_KEY })(id) },
  google: { route: "gemini.generateContent", model: (sim: Simulator, id = "gemini-2.5-flash") => createGoogleGenerativeAI({ baseURL: `${sim.geminiBaseURL}/v1beta`, apiKey: TEST_API_KEY })(id) },
} as const;

export type ProviderName = keyof typeof PROVIDERS;

/** One simulator and temp folder per test file; middlewares with their own files, closed after it. */
export function useAiSdk() {
  const opened: EcoAIMiddleware[] = [];
  const context = {
    sim: undefined as unknown as Simulator,
    dir: tempDir(),
    /** A middleware with its own cache and usage files unless `name` is shared. */
    middleware(options: EcoAIMiddlewareOptions = {}, name = Math.random().toString(36).slice(2)): EcoAIMiddleware {
      const cache = ecoaiMiddleware({ ...filesNamed(context.dir, name), ...options });
      opened.push(cache);
      return cache;
    },
    /** `provider`'s model wrapped with `cache`. */
    model(provider: ProviderName, cache: EcoAIMiddleware, id?: string) {
      return wrapLanguageModel({ model: PROVIDERS[provider].model(context.sim, id), middleware: cache });
    },
  };
  beforeAll(async () => {
    context.sim = await startSimulator();
  });
  afterAll(async () => {
    await Promise.all(opened.map((cache) => cache.close()));
    await context.sim.close();
  });
  return context;
}
