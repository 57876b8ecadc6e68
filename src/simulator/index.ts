/**
 * `ecoai/simulator`: a local simulator of the OpenAI, Anthropic and Gemini HTTP APIs. It speaks
 * each provider's wire format (JSON, SSE streams of many small deltas with a configurable gap
 * and injectable faults, multipart uploads, embeddings, error statuses) and counts requests, so
 * the real SDK clients can be pointed at it to try ecoai offline and to prove in tests that a
 * repeated call made no request. Re-exports only.
 *
 * @module
 */
export { startSimulator } from "./server.ts";
export { SIM_MARKERS, LONG_REPLY_TOKENS, replyText } from "./reply.ts";
export { SIM_HEADERS } from "./headers.ts";
export { embedText, cosineSimilarity, DEFAULT_DIMENSIONS } from "./embedding.ts";
export { OPENAI_MODELS } from "./openai.ts";
export type {
  FailNextOptions,
  FailNextStreamOptions,
  StreamFault,
  RecordedRequest,
  SimulatorOptions,
  Simulator,
} from "./types.ts";
