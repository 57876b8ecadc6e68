/**
 * A call as OpenTelemetry attributes: the GenAI semantic conventions (operation, provider, model,
 * token usage) plus ecoai's own (`ecoai.*`: cache outcome, key, namespace, cost and savings).
 * @module
 */
import type { Provider } from "../types.ts";
import { tokenCount, type CallAccount, type NewUsageRecord } from "../usage/row.ts";

/** `gen_ai.provider.name` values of the GenAI semantic conventions. */
const PROVIDER_NAMES: Readonly<Record<Provider, string>> = Object.freeze({ openai: "openai", anthropic: "anthropic", gemini: "gcp.gemini" });

/** What happened to a call in the cache. */
export type CacheOutcome = "hit" | "semantic_hit" | "miss" | "bypass";

export function cacheOutcome(record: Pick<NewUsageRecord, "cacheHit" | "semanticHit" | "cacheKey">): CacheOutcome {
  if (record.cacheHit) return record.semanticHit ? "semantic_hit" : "hit";
  return record.cacheKey === null ? "bypass" : "miss";
}

/** `gen_ai.operation.name`: Gemini's endpoints generate content, the others chat (images generate content). */
export function operationName(record: Pick<NewUsageRecord, "provider" | "endpoint" | "promptType">): string {
  if (record.provider === "gemini" || record.promptType === "image_output" || record.endpoint?.startsWith("images")) return "generate_content";
  return "chat";
}

export type Attributes = Record<string, string | number | boolean>;

/** Attributes every metric point of the call carries (low cardinality: no key, no prompt). */
export function metricAttributes(record: NewUsageRecord): Attributes {
  return {
    "gen_ai.operation.name": operationName(record),
    "gen_ai.provider.name": PROVIDER_NAMES[record.provider] ?? String(record.provider),
    "gen_ai.request.model": record.model,
    "ecoai.cache.outcome": cacheOutcome(record),
  };
}

/**
 * The span's attributes. Token usage counts what the provider was asked to generate for this call:
 * the response's tokens on a miss, none on a hit (`ecoai.tokens_saved` has those), so a collector
 * that sums `gen_ai.usage.*` sums what was paid for.
 */
export function spanAttributes(record: NewUsageRecord, account: CallAccount): Attributes {
  const hit = record.cacheHit;
  const attributes: Attributes = {
    ...metricAttributes(record),
    "gen_ai.system": record.provider === "gemini" ? "gemini" : record.provider,
    "gen_ai.usage.input_tokens": hit ? 0 : tokenCount(record.usage?.inputTokens),
    "gen_ai.usage.output_tokens": hit ? 0 : tokenCount(record.usage?.outputTokens),
    "ecoai.cache.hit": hit,
    "ecoai.cache.namespace": record.namespace ?? "",
    "ecoai.prompt.type": record.promptType,
    "ecoai.tokens_saved": account.tokensSaved,
    "ecoai.cost.saved_usd": account.costSavedUsd,
    "ecoai.co2.saved_g": account.co2SavedG,
    "ecoai.priced": account.priced,
  };
  if (record.cacheKey !== null) attributes["ecoai.cache.key"] = record.cacheKey;
  if (account.costUsd !== null) attributes["ecoai.cost.usd"] = account.costUsd + account.embeddingCostUsd;
  if (account.embeddingCostUsd > 0) attributes["ecoai.embedding.cost_usd"] = account.embeddingCostUsd;
  if (record.semanticHit && record.match && Number.isFinite(record.match.score)) attributes["ecoai.cache.semantic.score"] = record.match.score;
  return attributes;
}
