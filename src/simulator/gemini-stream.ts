/**
 * A Gemini `GenerateContentResponse` as the chunks `streamGenerateContent` sends: text in
 * deltas of a few tokens, each chunk with the response id, model version and a usage that
 * counts only the prompt; the last chunk with the finish reason (and safety ratings) and the
 * full usage. Function calls arrive whole, in one chunk; a blocked prompt is one chunk with
 * `promptFeedback` and no candidates.
 *
 * @module
 */
import { asObject } from "./openai-wire.ts";
import { jsonEvent } from "./sse.ts";
import { streamPieces } from "./tokens.ts";
import type { SseEvent } from "./types.ts";

type Json = Record<string, unknown>;

/** The chunks of a streamed answer whose whole response is `response`. */
export function streamChunks(response: Json): Json[] {
  const { candidates, usageMetadata, ...rest } = response;
  if (!Array.isArray(candidates) || candidates.length === 0) return [response];
  const several = candidates.length > 1;
  const streamed = candidates.map((raw) => streamedCandidate(asObject(raw) ?? {}));
  const steps = Math.max(1, ...streamed.map((candidate) => candidate.pieces.length));
  const usage = asObject(usageMetadata) ?? {};
  const promptOnly = { promptTokenCount: usage.promptTokenCount, totalTokenCount: usage.promptTokenCount, promptTokensDetails: usage.promptTokensDetails };

  const chunks: Json[] = [];
  for (let step = 0; step < steps; step++) {
    const last = step === steps - 1;
    const parts = streamed.map((candidate) => candidate.pieces[step]);
    chunks.push({
      candidates: streamed.map((candidate, index) => {
        const part = parts[index];
        const content = part && part.length > 0 ? { content: { parts: part, role: "model" } } : {};
        // The final chunk carries the candidate's finish reason and ratings; `index` tells candidates apart when there are several.
        if (last) return { ...content, ...candidate.ending };
        return { ...content, ...(several ? { index } : {}) };
      }),
      usageMetadata: last ? usageMetadata : promptOnly,
      ...rest,
    });
  }
  return chunks;
}

/** What the API sends when a generation fails mid-stream: a data event with Gemini's error body. */
export function geminiStreamFailure(): SseEvent[] {
  return [jsonEvent({ error: { code: 500, message: "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting", status: "INTERNAL" } })];
}

/** A candidate's parts per chunk, and the fields of its final chunk. */
function streamedCandidate(candidate: Json): { pieces: Json[][]; ending: Json } {
  const { content, ...ending } = candidate;
  const parts = (asObject(content)?.parts as Json[] | undefined) ?? [];
  const text = parts.length === 1 && typeof parts[0]?.text === "string" ? String(parts[0].text) : undefined;
  if (text === undefined) return { pieces: parts.length > 0 ? [parts] : [], ending };
  const pieces = streamPieces(text).map((piece) => [{ text: piece }]);
  // A safety stop ends with a chunk of its own, without content, after the text let through.
  if (candidate.finishReason === "SAFETY") pieces.push([]);
  return { pieces, ending };
}
