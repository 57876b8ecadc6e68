/**
 * What the engine reports of a call: its usage row as the usage log and telemetry receive it,
 * and a hit's tokens (what its stored entry keeps, completed from the served response).
 *
 * @module
 */
import type { TokenUsage } from "../types.ts";
import type { NewUsageRecord } from "../usage/log.ts";
import type { CachedCall, RequestFacts, SemanticFacts } from "./cached-call.ts";

/** A call's usage row; the usage log prices it (what it cost, what it saved) when it writes it. */
export function usageRecord(call: CachedCall, facts: RequestFacts, key: string | null, namespace: string, startedAt: number, usage: TokenUsage, hit: boolean, semantic: SemanticFacts): NewUsageRecord {
  const matched = semantic.semanticKey;
  const record: NewUsageRecord = {
    // A number: formatted when the row is written, off the call's path.
    timestamp: Date.now(),
    provider: call.provider,
    endpoint: call.method.endpoint,
    model: facts.model,
    cacheHit: hit,
    semanticHit: matched !== undefined,
    cacheKey: matched ?? key,
    namespace,
    prompt: facts.prompt,
    promptType: facts.promptType,
    usage,
    latencyMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
  };
  if (matched !== undefined) record.match = { key: matched, score: semantic.semanticScore ?? Number.NaN, prompt: semantic.semanticPrompt ?? "" };
  // The embedding a call needed is charged to that call, hit or miss.
  if (semantic.embedding) record.embedding = { tokens: semantic.embedding.tokens, costUsd: semantic.embedding.costUsd };
  if (semantic.check) record.check = semantic.check;
  return record;
}

/**
 * Stores keep the three main token counts; what they do not keep (the images of an image
 * response, reasoning and prompt-cache writes) is read again from the served response. The
 * stored counts are returned as they are when the response adds nothing (most hits).
 */
export function hitUsage(call: CachedCall, stored: TokenUsage, response: unknown): TokenUsage {
  if (stored.images !== undefined && stored.reasoningTokens !== undefined && stored.cacheWriteInputTokens !== undefined) return stored;
  const { images, reasoningTokens, cacheWriteInputTokens } = call.method.usage(response, call.params);
  const addsImages = stored.images === undefined && images !== undefined;
  const addsReasoning = stored.reasoningTokens === undefined && reasoningTokens !== undefined;
  const addsCacheWrites = stored.cacheWriteInputTokens === undefined && cacheWriteInputTokens !== undefined;
  if (!addsImages && !addsReasoning && !addsCacheWrites) return stored;
  const usage: TokenUsage = { ...stored };
  if (addsImages) usage.images = images;
  if (addsReasoning) usage.reasoningTokens = reasoningTokens;
  if (addsCacheWrites) usage.cacheWriteInputTokens = cacheWriteInputTokens;
  return usage;
}
