/**
 * ecoai: a response cache for the LLM clients you already use.
 * @module
 */
export { EcoAI } from "./eco.ts";
export type { EcoAIConfig } from "./config.ts";
export type { SupportedClient } from "./client-types.ts";
export type { DataWithResponse, EcoAPIPromise } from "./api-promise.ts";
export { EcoAIError, EcoAIConfigError, EcoAIClosedError, type EcoAIErrorCode, type ConfigSource } from "./errors.ts";
export { readSettings, writeSettings, type EcoAISettings } from "./settings.ts";
export { hashCacheKey } from "./cache/key.ts";
export { detectPromptType } from "./cache/prompt-type.ts";
export { createLexicalEmbedder, type LexicalEmbedderOptions } from "./cache/lexical-embedder.ts";
export { createLocalEmbedder } from "./cache/local-embedder.ts";
export { PRICES_AS_OF, ratesFor, type ModelRates, type RateOverrides } from "./usage/pricing.ts";
export type {
  CallOptions,
  FlushFilter,
  HistoryQuery,
  Logger,
  Mode,
  PromptType,
  Provider,
  SemanticConfig,
  StorageType,
  TokenUsage,
  UsageRecord,
  UsageSummary,
} from "./types.ts";
