export type { CachedMethod, ProviderAdapter } from "./adapter.ts";
export { openaiAdapter } from "./openai.ts";
export { anthropicAdapter } from "./anthropic.ts";
export { googleGenAIAdapter } from "./google-genai.ts";
export { googleGenerativeAIAdapter } from "./google-generative-ai.ts";
export { detectProvider, SUPPORTED_CLIENTS } from "./detect.ts";
