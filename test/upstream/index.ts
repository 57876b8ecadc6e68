/**
 * Local upstream simulator: speaks the providers' HTTP wire formats so the real SDK clients
 * can be pointed at it. Re-exports only.
 *
 * @module
 */
export { startUpstream } from "./server.ts";
export { SIM_MARKERS, replyText } from "./reply.ts";
export { embedText, cosineSimilarity, DEFAULT_DIMENSIONS } from "./embedding.ts";
export { OPENAI_MODELS } from "./openai.ts";
export type {
  FailNextOptions,
  RecordedRequest,
  UpstreamOptions,
  UpstreamSimulator,
} from "./types.ts";
