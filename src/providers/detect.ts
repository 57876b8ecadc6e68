import { EcoAIConfigError } from "../errors.ts";
import type { ProviderAdapter } from "./adapter.ts";
import { anthropicAdapter } from "./anthropic.ts";
import { googleGenAIAdapter } from "./google-genai.ts";
import { googleGenerativeAIAdapter } from "./google-generative-ai.ts";
import { openaiAdapter } from "./openai.ts";

const ADAPTERS: readonly ProviderAdapter[] = [openaiAdapter, anthropicAdapter, googleGenAIAdapter, googleGenerativeAIAdapter];

/** What `client` may be, for error messages. */
export const SUPPORTED_CLIENTS = ADAPTERS.map((adapter) => adapter.sdk).join(", ");

/**
 * The adapter for a client, found by its shape (no SDK is imported).
 * @throws EcoAIConfigError listing the supported clients when none matches.
 */
export function detectProvider(client: unknown): ProviderAdapter {
  if (typeof client === "object" && client !== null) {
    const adapter = ADAPTERS.find((candidate) => candidate.detect(client));
    if (adapter) return adapter;
  }
  throw new EcoAIConfigError("client", client, "constructor option", `not a supported client; pass an instance of ${SUPPORTED_CLIENTS}.`, "ECOAI_UNSUPPORTED_CLIENT");
}
