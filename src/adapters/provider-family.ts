import type { Provider } from "../types.ts";
import { energyProfileFor } from "../usage/energy-models.ts";

/**
 * Provider names the frameworks report, by prefix, and the provider ecoai logs them under, so
 * that calls through a framework stand beside direct SDK calls on the dashboard. The AI SDK
 * reports `openai.chat`, `anthropic.messages`, `google.generative-ai`; LangChain's model type is
 * `openai`, `anthropic`, `google-genai`.
 */
const FAMILIES: readonly (readonly [prefix: string, provider: Provider])[] = [
  ["openai", "openai"],
  ["azure", "openai"],
  ["anthropic", "anthropic"],
  ["google", "gemini"],
  ["vertex", "gemini"],
  ["gemini", "gemini"],
];

/**
 * The provider a framework's call is logged under: its provider name's family, else the family
 * of the model (a Claude model through a cloud gateway is Anthropic's), else `openai`, whose wire
 * format most other hosted models speak.
 *
 * @example providerFamily("openai.responses", "gpt-4o")          // "openai"
 * @example providerFamily("amazon-bedrock", "claude-sonnet-4-5") // "anthropic"
 */
export function providerFamily(reported: string, model: string): Provider {
  const name = reported.toLowerCase();
  for (const [prefix, provider] of FAMILIES) if (name.startsWith(prefix)) return provider;
  return energyProfileFor(model)?.profile.provider ?? "openai";
}
