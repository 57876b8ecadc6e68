import type { TokenUsage } from "../types.ts";
import { isRecord } from "./text.ts";

/**
 * Token usage of an OpenAI response. Chat completions name their counts `prompt_tokens` and
 * `completion_tokens`; the Responses and Images APIs `input_tokens` and `output_tokens`. Input
 * counts include what OpenAI served from its prompt cache (`<input>_tokens_details.cached_tokens`);
 * output counts include reasoning tokens (`<output>_tokens_details.reasoning_tokens`).
 */
export function openaiTokenUsage(response: unknown, naming: "prompt" | "input"): TokenUsage {
  const usage = isRecord(response) && isRecord(response.usage) ? response.usage : NO_USAGE;
  // Read on every hit too (the counts a store does not keep): the field names are made once.
  const names = naming === "prompt" ? PROMPT_NAMES : INPUT_NAMES;
  const details = usage[names.inputDetails];
  const outputDetails = usage[names.outputDetails];
  const reasoning = Number((isRecord(outputDetails) ? outputDetails.reasoning_tokens : undefined) ?? 0);
  const counts: TokenUsage = {
    inputTokens: Number(usage[names.input] ?? 0),
    cachedInputTokens: Number((isRecord(details) ? details.cached_tokens : undefined) ?? 0),
    outputTokens: Number(usage[names.output] ?? 0),
  };
  if (reasoning > 0) counts.reasoningTokens = reasoning;
  return counts;
}

const NO_USAGE: Record<string, unknown> = Object.freeze({});

/** The usage fields of each naming. */
const PROMPT_NAMES = { input: "prompt_tokens", inputDetails: "prompt_tokens_details", output: "completion_tokens", outputDetails: "completion_tokens_details" };
const INPUT_NAMES = { input: "input_tokens", inputDetails: "input_tokens_details", output: "output_tokens", outputDetails: "output_tokens_details" };
