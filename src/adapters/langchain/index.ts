/**
 * ecoai for LangChain.js: a cache for `@langchain/core` chat models with ecoai's stores, usage log and dashboard.
 * @module
 */
export { EcoAICache, type EcoAICacheOptions } from "./cache.ts";
