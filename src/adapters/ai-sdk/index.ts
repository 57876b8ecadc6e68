/**
 * ecoai for the AI SDK: a language model middleware with ecoai's cache, usage log and dashboard.
 * @module
 */
export { ecoaiMiddleware, EcoAIMiddleware, type EcoAIMiddlewareOptions } from "./middleware.ts";
