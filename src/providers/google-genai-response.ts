import { EcoAIError } from "../errors.ts";
import { isRecord } from "./text.ts";

/**
 * `@google/genai` responses as the SDK hands them out: instances of its `GenerateContentResponse`
 * class (so `.text`, `.functionCalls` and `.data` work), with the hidden usage fields the SDK
 * attaches to every response and stream chunk it returns. Shared by cached plain calls and
 * replayed streams.
 */

/** A variable, not a literal: neither tsc nor a bundler resolves an optional package the user may not have. */
const SDK_PACKAGE = "@google/genai";

/** The SDK's response class. */
export type ResponseClass = new () => object;

let loading: Promise<ResponseClass> | undefined;

/**
 * The SDK's `GenerateContentResponse` class, imported on the first hit (never at load: the SDK
 * is optional). Importing, rather than borrowing the constructor of a live response, also serves
 * hits in a process that has made no call yet. With the SDK installed as ecoai's peer, the import
 * resolves to the caller's own copy, so `instanceof GenerateContentResponse` holds.
 */
export function responseClass(): Promise<ResponseClass> {
  loading ??= (import(SDK_PACKAGE) as Promise<{ GenerateContentResponse: ResponseClass }>).then(
    (sdk) => sdk.GenerateContentResponse,
    (error: unknown) => {
      loading = undefined;
      throw new EcoAIError("ECOAI_SDK_UNAVAILABLE", "could not import @google/genai to rebuild a cached response; install it next to ecoai.", { cause: error });
    },
  );
  return loading;
}

/**
 * `json` (a response as JSON keeps it) as the SDK returns it: a `GenerateContentResponse` with the
 * same own fields, whose `usageMetadata` carries what the SDK adds to it and JSON drops.
 */
export function liveResponse(Response: ResponseClass, json: Record<string, unknown>): object {
  const response = Object.assign(new Response(), json) as Record<string, unknown>;
  if (isRecord(response.usageMetadata) && tracksInitialPromptTokens(Response)) withInitialPromptTokenCount(response.usageMetadata);
  return response;
}

/**
 * Versions of the SDK that follow a response across continuation hops (those with the
 * `initialPromptTokenCount` getter) give every returned `usageMetadata` a hidden
 * `_initialPromptTokenCount` and an `initialPromptTokenCount` getter; earlier versions add nothing.
 */
function tracksInitialPromptTokens(Response: ResponseClass): boolean {
  return Object.getOwnPropertyDescriptor(Response.prototype, "initialPromptTokenCount")?.get !== undefined;
}

/**
 * Adds the two hidden fields as the SDK defines them (non-enumerable, so JSON never held them).
 * The initial prompt count is the prompt count: they differ only for an answer the SDK merged from
 * several continuation hops, whose first hop's count JSON did not keep.
 */
function withInitialPromptTokenCount(usage: Record<string, unknown>): void {
  if (usage.promptTokenCount !== undefined) {
    Object.defineProperty(usage, "_initialPromptTokenCount", { value: usage.promptTokenCount, enumerable: false, configurable: true, writable: true });
  }
  Object.defineProperty(usage, "initialPromptTokenCount", {
    get(this: Record<string, unknown>) {
      return this._initialPromptTokenCount ?? this.promptTokenCount;
    },
    enumerable: false,
    configurable: true,
  });
}
