import type { LanguageModelMiddleware } from "ai";
import type { CachedCall } from "../../cache/engine.ts";
import { validCallOptions } from "../../call-options.ts";
import type { EcoAIConfig } from "../../config.ts";
import { ASSERT_OPEN, EcoAIBase, ENGINE } from "../../eco-base.ts";
import type { CallLimits } from "../../providers/adapter.ts";
import { trimmedBaseURL } from "../../providers/adapter.ts";
import { isRecord } from "../../providers/text.ts";
import type { CallOptions } from "../../types.ts";
import { providerFamily } from "../provider-family.ts";
import { AI_SDK_GENERATE, ECOAI_PROVIDER_OPTIONS, decodeResult, encodeResult, keyedCallOptions, type AiSdkRequest, type EncodedResult } from "./generate-method.ts";

/** Options of {@link ecoaiMiddleware}: those of `new EcoAI()` without `client`. */
export type EcoAIMiddlewareOptions = Omit<EcoAIConfig, "client">;

/** What the AI SDK hands a middleware's `wrapGenerate` and `wrapStream`. */
type WrapOptions = Parameters<NonNullable<LanguageModelMiddleware["wrapGenerate"]>>[0];
type LanguageModelV4 = WrapOptions["model"];
type LanguageModelV4CallOptions = WrapOptions["params"];
type LanguageModelV4GenerateResult = Awaited<ReturnType<WrapOptions["doGenerate"]>>;

/**
 * A language model middleware for the AI SDK's `wrapLanguageModel`, with ecoai's cache, usage
 * log and settings; also the instance's management methods (`summary`, `history`, `flush`,
 * `setMode`, `close`). See {@link ecoaiMiddleware}.
 */
export class EcoAIMiddleware extends EcoAIBase {
  readonly specificationVersion = "v4" as const;

  /** Cached `generateText` / `generateObject` steps: one model call each. */
  readonly wrapGenerate = async ({ doGenerate, params, model }: WrapOptions): Promise<LanguageModelV4GenerateResult> => {
    this[ASSERT_OPEN]("generate");
    // The live result of a miss goes back as it came; stored and shared results are decoded.
    const live = new WeakMap<EncodedResult, LanguageModelV4GenerateResult>();
    const send = async () => {
      const result = stamped(await doGenerate());
      const encoded = encodeResult(result);
      live.set(encoded, result);
      return encoded;
    };
    const answer = (await this[ENGINE].call(aiSdkCall(model, params, send))) as EncodedResult;
    return live.get(answer) ?? decodeResult<LanguageModelV4GenerateResult>(answer);
  };
}

/**
 * The result with the time it was generated. Providers that do not report one (Anthropic, Google)
 * leave it to the AI SDK, which stamps the time of the call: a hit would then say "now". Stamped
 * here, a hit carries the time of the answer it replays, as the OpenAI provider's do.
 */
function stamped(result: LanguageModelV4GenerateResult): LanguageModelV4GenerateResult {
  if (result.response?.timestamp !== undefined) return result;
  return { ...result, response: { ...result.response, timestamp: new Date() } };
}

/** The engine's view of one model call. */
function aiSdkCall(model: LanguageModelV4, params: LanguageModelV4CallOptions, send: () => Promise<EncodedResult>): CachedCall {
  const request: AiSdkRequest = { provider: model.provider, modelId: model.modelId, options: keyedCallOptions(params as unknown as Record<string, unknown>) };
  return {
    provider: providerFamily(model.provider, model.modelId),
    baseURL: modelBaseURL(model),
    wire: {},
    method: AI_SDK_GENERATE,
    params: request,
    options: ecoaiCallOptions(params),
    send,
    limits: params.abortSignal && abortLimits(params.abortSignal),
  };
}

/**
 * Where the model's provider sends requests (the first-party providers keep it in their model's
 * settings), so that one model id behind two gateways keys apart; empty when the model does not say.
 */
function modelBaseURL(model: LanguageModelV4): string {
  const config = (model as { config?: unknown }).config;
  return isRecord(config) && typeof config.baseURL === "string" ? trimmedBaseURL(config.baseURL) : "";
}

/** ecoai's per-call options, given as `providerOptions: { ecoai: { bypass, refresh, ttl, semantic, namespace } }`. */
function ecoaiCallOptions(params: LanguageModelV4CallOptions): CallOptions {
  return validCallOptions(params.providerOptions?.[ECOAI_PROVIDER_OPTIONS]);
}

/** The caller's abort signal bounds its wait on an identical call; it ends the wait as it ends a fetch. */
function abortLimits(signal: AbortSignal): CallLimits {
  const aborted = () => (signal.reason instanceof Error ? signal.reason : new DOMException("This operation was aborted", "AbortError"));
  return { signal, aborted, timedOut: aborted };
}

/**
 * A middleware for the AI SDK's `wrapLanguageModel` that serves repeated model calls from
 * ecoai's cache (`generateText`, `generateObject` and each step of a tool loop), logs every call
 * to the usage log under the provider and model the AI SDK reports, and shares the store,
 * settings file and dashboard of `new EcoAI()`. It also carries the instance's management methods.
 * Per call, `providerOptions: { ecoai: { bypass, refresh, ttl, semantic, namespace } }`.
 *
 * @example
 * import { generateText, wrapLanguageModel } from "ai";
 * import { openai } from "@ai-sdk/openai";
 * import { ecoaiMiddleware } from "ecoai/ai-sdk";
 *
 * const cache = ecoaiMiddleware({ storage: "sqlite" });
 * const model = wrapLanguageModel({ model: openai("gpt-4o"), middleware: cache });
 * const { text } = await generateText({ model, prompt: "Name three prime numbers." }); // the second run costs nothing
 * console.log(await cache.summary());
 */
export function ecoaiMiddleware(options: EcoAIMiddlewareOptions = {}): EcoAIMiddleware {
  return new EcoAIMiddleware(options);
}
