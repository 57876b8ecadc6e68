import { EcoAIError } from "../errors.ts";
import { isRecord } from "./text.ts";

/**
 * `@google/generative-ai` responses as the SDK hands them out. The SDK exports neither the function
 * that adds `text()`, `functionCalls()` and `functionCall()` to a response (and to every stream
 * chunk) nor the one that aggregates a stream's chunks into its `response`, so both are rebuilt
 * here from its source, errors included; its error classes are its own, imported from it.
 */

type Json = Record<string, unknown>;

/** The SDK's error classes a response's helpers and its stream throw. */
export interface GenerativeAIErrors {
  GoogleGenerativeAIError: new (message: string) => Error;
  GoogleGenerativeAIResponseError: new (message: string, response?: unknown) => Error;
  GoogleGenerativeAIAbortError: new (message: string) => Error;
  GoogleGenerativeAIFetchError: new (message: string, status?: number, statusText?: string, errorDetails?: unknown) => Error;
}

/** A variable, not a literal: neither tsc nor a bundler resolves an optional package the user may not have. */
const SDK_PACKAGE = "@google/generative-ai";

let loading: Promise<GenerativeAIErrors> | undefined;

/** The SDK's error classes, imported on first use (the SDK is optional). */
export function generativeAIErrors(): Promise<GenerativeAIErrors> {
  loading ??= (import(SDK_PACKAGE) as Promise<GenerativeAIErrors>).then(
    (sdk) => sdk,
    (error: unknown) => {
      loading = undefined;
      throw new EcoAIError("ECOAI_SDK_UNAVAILABLE", "could not import @google/generative-ai to serve a cached response; install it next to ecoai.", { cause: error });
    },
  );
  return loading;
}

/** Stops after which the SDK's helpers throw instead of reading the answer. */
const BAD_FINISH_REASONS = new Set(["RECITATION", "SAFETY", "LANGUAGE"]);

const hadBadFinish = (candidate: unknown): boolean => isRecord(candidate) && !!candidate.finishReason && BAD_FINISH_REASONS.has(String(candidate.finishReason));

/** The SDK's message for a blocked prompt or a candidate stopped by a bad finish reason. */
function blockMessage(response: Json): string {
  const candidates = Array.isArray(response.candidates) ? response.candidates : [];
  const feedback = isRecord(response.promptFeedback) ? response.promptFeedback : undefined;
  if (candidates.length === 0 && feedback) {
    return `Response was blocked${feedback.blockReason ? ` due to ${feedback.blockReason}` : ""}${feedback.blockReasonMessage ? `: ${feedback.blockReasonMessage}` : ""}`;
  }
  const first = candidates[0];
  if (isRecord(first) && hadBadFinish(first)) return `Candidate was blocked due to ${first.finishReason}${first.finishMessage ? `: ${first.finishMessage}` : ""}`;
  return "";
}

function firstParts(response: Json): Json[] {
  const first = Array.isArray(response.candidates) ? response.candidates[0] : undefined;
  const content = isRecord(first) ? first.content : undefined;
  return isRecord(content) && Array.isArray(content.parts) ? content.parts.filter(isRecord) : [];
}

function textOf(response: Json): string {
  const texts: string[] = [];
  for (const part of firstParts(response)) {
    if (part.text) texts.push(String(part.text));
    const code = isRecord(part.executableCode) ? part.executableCode : undefined;
    if (code) texts.push(`\n\`\`\`${code.language}\n${code.code}\n\`\`\`\n`);
    const result = isRecord(part.codeExecutionResult) ? part.codeExecutionResult : undefined;
    if (result) texts.push(`\n\`\`\`\n${result.output}\n\`\`\`\n`);
  }
  return texts.join("");
}

function functionCallsOf(response: Json): unknown[] | undefined {
  const calls = firstParts(response).flatMap((part) => (part.functionCall ? [part.functionCall] : []));
  return calls.length > 0 ? calls : undefined;
}

/**
 * Adds the SDK's helpers to `response` (in place, as the SDK does): `text()`, `functionCalls()`
 * and the deprecated `functionCall()`, reading the first candidate, throwing the SDK's
 * `GoogleGenerativeAIResponseError` for a blocked prompt or a safety, recitation or language stop.
 */
export function withHelpers<T extends Json>(response: T, errors: GenerativeAIErrors): T {
  const read = <R>(what: string, fallback: R, reader: () => R, blockedPrefix: string) => (): R => {
    const candidates = Array.isArray(response.candidates) ? response.candidates : [];
    if (candidates.length > 0) {
      if (candidates.length > 1) {
        console.warn(`This response had ${candidates.length} candidates. Returning ${what} from the first candidate only. Access response.candidates directly to use the other candidates.`);
      }
      if (hadBadFinish(candidates[0])) throw new errors.GoogleGenerativeAIResponseError(blockMessage(response), response);
      return reader();
    }
    if (response.promptFeedback) throw new errors.GoogleGenerativeAIResponseError(`${blockedPrefix}${blockMessage(response)}`, response);
    return fallback;
  };
  const target = response as Json;
  target.text = read("text", "", () => textOf(response), "Text not available. ");
  target.functionCall = read(
    "function calls",
    undefined,
    () => {
      console.warn("response.functionCall() is deprecated. Use response.functionCalls() instead.");
      return functionCallsOf(response)?.[0];
    },
    "Function call not available. ",
  );
  target.functionCalls = read("function calls", undefined, () => functionCallsOf(response), "Function call not available. ");
  return response;
}

/**
 * The `response` a stream's chunks resolve to, aggregated as the SDK aggregates them: the last
 * chunk's prompt feedback, per candidate the latest finish reason, ratings and metadata and every
 * chunk's parts appended (not joined), the last usage. It has no id or model version.
 */
export function aggregateChunks(chunks: readonly Json[]): Json {
  const last = chunks.at(-1);
  const aggregated: Json = { promptFeedback: last?.promptFeedback };
  for (const chunk of chunks) {
    if (Array.isArray(chunk.candidates)) {
      const candidates = (aggregated.candidates ??= []) as Json[];
      for (const [index, candidate] of (chunk.candidates as Json[]).entries()) {
        const merged = (candidates[index] ??= { index });
        merged.citationMetadata = candidate.citationMetadata;
        merged.groundingMetadata = candidate.groundingMetadata;
        merged.finishReason = candidate.finishReason;
        merged.finishMessage = candidate.finishMessage;
        merged.safetyRatings = candidate.safetyRatings;
        const content = isRecord(candidate.content) ? candidate.content : undefined;
        if (content && Array.isArray(content.parts)) {
          merged.content ??= { role: content.role || "user", parts: [] };
          const parts = (merged.content as { parts: Json[] }).parts;
          // One object for every part of a chunk, filled by each in turn: the SDK's own behaviour.
          const part: Json = {};
          for (const piece of content.parts as Json[]) {
            if (piece.text) part.text = piece.text;
            if (piece.functionCall) part.functionCall = piece.functionCall;
            if (piece.executableCode) part.executableCode = piece.executableCode;
            if (piece.codeExecutionResult) part.codeExecutionResult = piece.codeExecutionResult;
            if (Object.keys(part).length === 0) part.text = "";
            parts.push(part);
          }
        }
      }
    }
    if (chunk.usageMetadata) aggregated.usageMetadata = chunk.usageMetadata;
  }
  return aggregated;
}
