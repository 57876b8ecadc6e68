/**
 * Request headers that steer the simulator for one request, so a test can shape a single
 * call without touching the shared simulator (every SDK can send extra headers per request).
 *
 * @module
 */

/**
 * Header names the simulator reads.
 *
 * @example
 * ```ts
 * await client.chat.completions.create(
 *   { model, messages, stream: true },
 *   { headers: { [SIM_HEADERS.chunkGapMs]: "20", [SIM_HEADERS.cutAfter]: "3" } },
 * );
 * ```
 */
export const SIM_HEADERS = {
  /** Milliseconds before the response starts (overrides `Simulator.delayMs`). */
  delayMs: "x-sim-delay-ms",
  /** Milliseconds between two events of a stream (overrides `Simulator.chunkGapMs`). */
  chunkGapMs: "x-sim-chunk-gap-ms",
  /** Drop the connection after this many stream events, with no closing event. */
  cutAfter: "x-sim-cut-after",
  /** Send the provider's mid-stream error event after this many stream events. */
  errorAfter: "x-sim-error-after",
  /** Make the answer at least this many tokens long. */
  replyTokens: "x-sim-reply-tokens",
  /** Report this many prompt tokens as served from the provider's prompt cache. */
  cachedTokens: "x-sim-cached-tokens",
  /** Report this many prompt tokens as written to the provider's prompt cache (Anthropic `cache_creation_input_tokens`). */
  cacheWriteTokens: "x-sim-cache-write-tokens",
  /** Report this many reasoning tokens, added to the output tokens (OpenAI `reasoning_tokens`). */
  reasoningTokens: "x-sim-reasoning-tokens",
} as const;

/** The non-negative integer in header `name`, or `undefined` when absent or not a number. */
export function headerNumber(headers: Record<string, string>, name: string): number | undefined {
  const raw = headers[name];
  if (raw === undefined) return undefined;
  const value = Number.parseInt(raw, 10);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}
