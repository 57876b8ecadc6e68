import type { LanguageModelMiddleware } from "ai";
import type { CachedCall } from "../../cache/engine.ts";
import { validCallOptions } from "../../call-options.ts";
import type { EcoAIConfig } from "../../config.ts";
import { ASSERT_OPEN, EcoAIBase, ENGINE } from "../../eco-base.ts";
import { trimmedBaseURL, type CachedMethod, type CallLimits, type StreamExchange } from "../../providers/adapter.ts";
import { isRecord } from "../../providers/text.ts";
import type { CallOptions } from "../../types.ts";
import { providerFamily } from "../provider-family.ts";
import { AI_SDK_GENERATE, ECOAI_PROVIDER_OPTIONS, encodeResult, keyedCallOptions, type AiSdkRequest, type EncodedResult } from "./generate-method.ts";
import { AI_SDK_STREAM, partsResponse, resultOf } from "./stream-parts.ts";

/** Options of {@link ecoaiMiddleware}: those of `new EcoAI()` without `client`. */
export type EcoAIMiddlewareOptions = Omit<EcoAIConfig, "client">;

/** What the AI SDK hands a middleware's `wrapGenerate` and `wrapStream`. */
type WrapOptions = Parameters<NonNullable<LanguageModelMiddleware["wrapGenerate"]>>[0];
type LanguageModelV4 = WrapOptions["model"];
type LanguageModelV4CallOptions = WrapOptions["params"];
type LanguageModelV4GenerateResult = Awaited<ReturnType<WrapOptions["doGenerate"]>>;
type LanguageModelV4StreamResult = Awaited<ReturnType<WrapOptions["doStream"]>>;

/** One method for both paths: a stream and a plain call of the same request share an entry. */
const AI_SDK_METHOD: CachedMethod = { ...AI_SDK_GENERATE, stream: AI_SDK_STREAM };

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
    const { send, decoded } = generating(doGenerate);
    return decoded((await this[ENGINE].call(aiSdkCall(model, params, send))) as EncodedResult | LanguageModelV4GenerateResult);
  };

  /**
   * Cached `streamText` / `streamObject` steps: on a miss the caller reads the model's stream as
   * it comes while every part is recorded; on a hit the recorded parts are replayed.
   */
  readonly wrapStream = async ({ doGenerate, doStream, params, model }: WrapOptions): Promise<LanguageModelV4StreamResult> => {
    this[ASSERT_OPEN]("stream");
    const call = aiSdkCall(model, params, generating(doGenerate).send);
    const sendStreaming = async (_sent: Record<string, unknown>, exchange: StreamExchange): Promise<LanguageModelV4StreamResult> => {
      let live: LanguageModelV4StreamResult | undefined;
      const response = await exchange({
        live: async (signal) => partsResponse((live = await doStream()) as Parameters<typeof partsResponse>[0], signal),
        signal: params.abortSignal,
      });
      const { stream, ...recorded } = await resultOf(response.body!);
      // A live caller gets its own result's fields; a replay or a shared stream the recorded ones.
      return { ...(recorded as Omit<LanguageModelV4StreamResult, "stream">), ...live, stream: stream as unknown as LanguageModelV4StreamResult["stream"] };
    };
    return (await this[ENGINE].call({ ...call, params: { ...call.params, streamed: true }, sendStreaming })) as LanguageModelV4StreamResult;
  };
}

/**
 * The engine's `send` for a model's `doGenerate`, and the result for what the engine answered:
 * the live result of a miss as it came, a stored or shared one as the engine rebuilt (decoded) it.
 */
function generating(doGenerate: WrapOptions["doGenerate"]) {
  const live = new WeakMap<EncodedResult, LanguageModelV4GenerateResult>();
  return {
    async send(): Promise<EncodedResult> {
      const result = stamped(await doGenerate());
      const encoded = encodeResult(result);
      live.set(encoded, result);
      return encoded;
    },
    // Anything but the live result was rebuilt from its stored JSON for this call alone.
    decoded: (answer: EncodedResult | LanguageModelV4GenerateResult): LanguageModelV4GenerateResult => live.get(answer as EncodedResult) ?? (answer as LanguageModelV4GenerateResult),
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
  const request: AiSdkRequest = {
    provider: model.provider,
    modelId: model.modelId,
    options: keyedCallOptions(params as unknown as Record<string, unknown>),
    ...(params.includeRawChunks ? { rawChunks: true } : {}),
  };
  return {
    provider: providerFamily(model.provider, model.modelId),
    baseURL: modelBaseURL(model),
    wire: {},
    method: AI_SDK_METHOD,
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

/** ecoai's per-call options, given as `providerOptions: { ecoai: { bypass, refresh, ttl, semantic, namespace, replay } }`. */
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
 * ecoai's cache (`generateText`, `generateObject`, `streamText`, `streamObject`, and each step of
 * a tool loop), logs every call to the usage log under the provider and model the AI SDK
 * reports, and shares the store, settings file and dashboard of `new EcoAI()`. It also carries
 * the instance's management methods.
 * Per call, `providerOptions: { ecoai: { bypass, refresh, ttl, semantic, namespace, replay } }`.
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
