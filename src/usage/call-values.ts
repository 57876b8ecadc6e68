/**
 * What a usage row is computed from, besides when its call ended and how long it took: a server
 * of cache hits records the same few calls over and over, and a record whose values are those of
 * a call seen before has that call's row (but for those two columns) and that call's JSON (but for
 * those two fields). Only plain calls are compared: no semantic match or check, no embedding, no
 * images.
 *
 * @module
 */
import type { NewUsageRecord } from "./row.ts";

/**
 * The values of a plain call that its row is computed from (`toRow` reads nothing else, its
 * cache key aside, by which callers keep these), copied from its record: the engine's records
 * share objects, such as a stored entry's usage, which must not change what was kept.
 */
export interface CallValues {
  provider: unknown;
  model: unknown;
  cacheHit: unknown;
  semanticHit: unknown;
  namespace: unknown;
  prompt: unknown;
  promptType: unknown;
  inputTokens: unknown;
  cachedInputTokens: unknown;
  outputTokens: unknown;
  cacheWriteInputTokens: unknown;
  reasoningTokens: unknown;
}

/** Whether the record's call had no semantic match or check, embedding or images, its usage an object. */
export function isPlainCall(record: NewUsageRecord): boolean {
  const usage = record.usage;
  return record.match === undefined && record.embedding === undefined && record.check === undefined && usage !== null && typeof usage === "object" && usage.images === undefined;
}

/** The values of the plain `record` (see {@link isPlainCall}), copied. */
export function callValuesOf(record: NewUsageRecord): CallValues {
  const { provider, model, cacheHit, semanticHit, namespace, prompt, promptType, usage } = record;
  const { inputTokens, cachedInputTokens, outputTokens, cacheWriteInputTokens, reasoningTokens } = usage;
  return { provider, model, cacheHit, semanticHit, namespace, prompt, promptType, inputTokens, cachedInputTokens, outputTokens, cacheWriteInputTokens, reasoningTokens };
}

/** Whether the plain `record` has every one of `values` (its timestamp and latency aside). */
export function hasCallValues(values: CallValues, record: NewUsageRecord): boolean {
  const usage = record.usage;
  return (
    record.provider === values.provider &&
    record.model === values.model &&
    record.cacheHit === values.cacheHit &&
    record.semanticHit === values.semanticHit &&
    record.namespace === values.namespace &&
    record.prompt === values.prompt &&
    record.promptType === values.promptType &&
    usage.inputTokens === values.inputTokens &&
    usage.cachedInputTokens === values.cachedInputTokens &&
    usage.outputTokens === values.outputTokens &&
    usage.cacheWriteInputTokens === values.cacheWriteInputTokens &&
    usage.reasoningTokens === values.reasoningTokens
  );
}
