import { isRecord } from "./text.ts";

/**
 * Gemini `streamGenerateContent` chunks, shared by both Gemini SDKs: each chunk is a whole
 * `GenerateContentResponse` carrying the next slice of every candidate's parts; the last one a
 * candidate sends has its `finishReason`. Chunks add up to the response `generateContent` returns
 * for the same answer, and a stored response splits back into chunks.
 */

type Json = Record<string, unknown>;

/** The chunk fields a response keeps in the order the API (and `@google/genai`) gives them. */
const RESPONSE_FIELDS = ["candidates", "modelVersion", "promptFeedback", "responseId", "usageMetadata", "modelStatus"];
const CANDIDATE_FIELDS = ["content", "citationMetadata", "tokenCount", "finishReason", "groundingMetadata", "avgLogprobs", "index", "logprobsResult", "safetyRatings", "urlContextMetadata", "finishMessage"];

/** Characters of text per synthesised chunk: a few tokens, as the API sends them. */
const SYNTHESISED_CHUNK_CHARS = 12;

/** Whether a chunk reports a failed generation (the API's mid-stream `{ error }` body). */
export function isErrorChunk(chunk: Json): boolean {
  return isRecord(chunk.error);
}

/**
 * Whether chunks make a stream that ended normally: no error chunk, and the prompt blocked or every
 * candidate finished (a stream cut off mid-answer has a candidate without its finish reason).
 */
export function isFinished(chunks: readonly Json[]): boolean {
  if (chunks.length === 0 || chunks.some(isErrorChunk)) return false;
  if (chunks.some((chunk) => isRecord(chunk.promptFeedback) && chunk.promptFeedback.blockReason != null)) return true;
  const finished = new Map<number, boolean>();
  for (const chunk of chunks) {
    for (const [position, candidate] of candidatesOf(chunk).entries()) {
      const index = candidateIndex(candidate, position);
      finished.set(index, (finished.get(index) ?? false) || candidate.finishReason != null);
    }
  }
  return finished.size > 0 && [...finished.values()].every(Boolean);
}

/**
 * The response the chunks add up to, as `generateContent` returns the same answer: per candidate
 * its parts in order (adjacent text parts of the same kind joined), the last value of every other
 * field (finish reason, ratings, metadata), and the last usage. Undefined for no chunk.
 */
export function assembleChunks(chunks: readonly Json[]): Json | undefined {
  const answers = chunks.filter((chunk) => !isErrorChunk(chunk));
  if (answers.length === 0) return undefined;
  const top: Json = {};
  const candidates = new Map<number, Json>();
  for (const chunk of answers) {
    for (const [field, value] of Object.entries(chunk)) {
      if (field === "candidates" || value === undefined) continue;
      // The id and model version are the stream's own; everything else reports the latest state.
      if ((field === "responseId" || field === "modelVersion" || field === "createTime") && field in top) continue;
      top[field] = value;
    }
    for (const [position, candidate] of candidatesOf(chunk).entries()) {
      const index = candidateIndex(candidate, position);
      const merged = candidates.get(index) ?? {};
      candidates.set(index, merged);
      for (const [field, value] of Object.entries(candidate)) {
        if (field === "content" && isRecord(value)) merged.content = mergeContent(merged.content, value);
        else if (value !== undefined) merged[field] = value;
      }
    }
  }
  if (candidates.size > 0) {
    top.candidates = [...candidates.entries()].sort(([a], [b]) => a - b).map(([index, candidate]) => ordered({ ...candidate, index }, CANDIDATE_FIELDS));
  }
  return ordered(top, RESPONSE_FIELDS);
}

/**
 * The chunks of a stream answering with `response`: each candidate's text in slices of a few
 * tokens, its other parts whole; every chunk with the response's id and model version and a usage
 * that counts the prompt only, the last with the finish reasons, ratings and the full usage, as
 * the API streams them. A response without candidates (a blocked prompt) is one chunk.
 */
export function splitResponse(response: Json): Json[] {
  const { candidates, usageMetadata, ...rest } = response;
  if (!Array.isArray(candidates) || candidates.length === 0) return [response];
  const pieces = candidates.map((candidate) => candidatePieces(isRecord(candidate) ? candidate : {}));
  const steps = Math.max(1, ...pieces.map((parts) => parts.length));
  const usage = isRecord(usageMetadata) ? usageMetadata : undefined;
  const promptOnly = usage && { promptTokenCount: usage.promptTokenCount, totalTokenCount: usage.promptTokenCount, promptTokensDetails: usage.promptTokensDetails };
  const chunks: Json[] = [];
  for (let step = 0; step < steps; step++) {
    const last = step === steps - 1;
    const chunkCandidates = candidates.map((raw, position) => {
      const { content, ...ending } = isRecord(raw) ? raw : {};
      const parts = pieces[position]![step];
      const role = isRecord(content) ? content.role : undefined;
      const slice = parts && parts.length > 0 ? { content: role === undefined ? { parts } : { parts, role } } : {};
      return last ? ordered({ ...slice, ...ending }, CANDIDATE_FIELDS) : { ...slice, ...(candidates.length > 1 ? { index: ending.index ?? position } : {}) };
    });
    const chunkUsage = last ? usageMetadata : promptOnly;
    chunks.push(ordered({ ...rest, candidates: chunkCandidates, ...(chunkUsage === undefined ? {} : { usageMetadata: chunkUsage }) }, RESPONSE_FIELDS));
  }
  return chunks;
}

/** A candidate's parts per chunk: its text cut into slices, any other part whole in its own chunk. */
function candidatePieces(candidate: Json): Json[][] {
  const parts = isRecord(candidate.content) && Array.isArray(candidate.content.parts) ? candidate.content.parts.filter(isRecord) : [];
  const pieces: Json[][] = [];
  for (const part of parts) {
    if (typeof part.text !== "string" || part.text === "") {
      pieces.push([part]);
      continue;
    }
    const { text, ...kind } = part;
    for (const slice of textSlices(text)) pieces.push([{ ...kind, text: slice }]);
  }
  return pieces;
}

/** `text` in slices of about {@link SYNTHESISED_CHUNK_CHARS} characters, cut after a space where one is near. */
function textSlices(text: string): string[] {
  const slices: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + SYNTHESISED_CHUNK_CHARS);
    const space = text.lastIndexOf(" ", end);
    if (end < text.length && space > start) end = space + 1;
    // Never split a surrogate pair.
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end++;
    slices.push(text.slice(start, end));
    start = end;
  }
  return slices;
}

/** Parts of two slices of one candidate's content: adjacent text of the same kind (thought or answer) joined. */
function mergeContent(previous: unknown, next: Json): Json {
  const before = isRecord(previous) ? previous : {};
  const parts = Array.isArray(before.parts) ? [...(before.parts as unknown[])] : [];
  for (const part of Array.isArray(next.parts) ? next.parts : []) {
    const last = parts.at(-1);
    if (isRecord(part) && isRecord(last) && isPlainText(part) && isPlainText(last) && last.thought === part.thought) {
      parts[parts.length - 1] = { ...last, ...part, text: String(last.text) + String(part.text) };
    } else {
      parts.push(part);
    }
  }
  return { ...before, ...next, parts };
}

/** A part holding only text (and whether it is a thought, and its signature). */
function isPlainText(part: Json): boolean {
  return typeof part.text === "string" && Object.keys(part).every((field) => field === "text" || field === "thought" || field === "thoughtSignature");
}

function candidatesOf(chunk: Json): Json[] {
  return Array.isArray(chunk.candidates) ? chunk.candidates.filter(isRecord) : [];
}

/** A candidate's index: its own, else its place in the chunk (a single candidate omits it). */
function candidateIndex(candidate: Json, position: number): number {
  return typeof candidate.index === "number" ? candidate.index : position;
}

/** `value` with `fields` first, in that order, then its other fields. */
function ordered(value: Json, fields: readonly string[]): Json {
  const result: Json = {};
  for (const field of fields) if (value[field] !== undefined) result[field] = value[field];
  for (const [field, item] of Object.entries(value)) if (!(field in result) && item !== undefined) result[field] = item;
  return result;
}
