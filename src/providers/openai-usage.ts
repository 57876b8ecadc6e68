import type { TokenUsage } from "../types.ts";
import { isRecord } from "./text.ts";

/**
 * Token usage of an OpenAI response. Chat completions name their counts `prompt_tokens` and
 * `completion_tokens`; the Responses and Images APIs `input_tokens` and `output_tokens`. Input
 * counts include what OpenAI served from its prompt cache (`<input>_tokens_details.cached_tokens`);
 * output counts include reasoning tokens (`<output>_tokens_details.reasoning_tokens`).
 */
export function openaiTokenUsage(response: unknown, naming: "prompt" | "input"): TokenUsage {
  const usage = isRecord(response) && isRecord(response.usage) ? response.usage : {};
  const [input, output] = naming === "prompt" ? ["prompt", "completion"] : ["input", "output"];
  const details = usage[`${input}_tokens_details`];
  const outputDetails = usage[`${output}_tokens_details`];
  const reasoning = Number((isRecord(outputDetails) ? outputDetails.reasoning_tokens : undefined) ?? 0);
  return {
    inputTokens: Number(usage[`${input}_tokens`] ?? 0),
    cachedInputTokens: Number((isRecord(details) ? details.cached_tokens : undefined) ?? 0),
    outputTokens: Number(usage[`${output}_tokens`] ?? 0),
    ...(reasoning > 0 ? { reasoningTokens: reasoning } : {}),
  };
}
