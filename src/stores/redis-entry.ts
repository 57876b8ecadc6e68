/**
 * An entry's hash in Redis as the store reads it: which fields, in which order, and the entry they
 * make, from a reply in bytes (ioredis) or in text (Bun's client, which reads no vector).
 *
 * @module
 */
import type { PromptType, Provider } from "../types.ts";
import { toVector } from "./redis-vectors.ts";
import type { CacheEntry } from "./store.ts";

/** The fields of an entry's hash that `get` reads, in the order {@link toEntry} reads them. */
export const ENTRY_FIELDS = ["body", "createdAt", "provider", "endpoint", "model", "namespace", "prompt", "promptType", "inputTokens", "cachedInputTokens", "outputTokens", "scope", "vector", "evidence"];
/** The position of `scope` in {@link ENTRY_FIELDS}: an entry with one has a (binary) vector. */
export const SCOPE = 11;
/**
 * {@link ENTRY_FIELDS} for a client that replies in text: the same positions, `vector`'s reading
 * `scope` again instead (null exactly when the entry has no vector; with one, the entry is read
 * through ioredis).
 */
export const TEXT_FIELDS = ENTRY_FIELDS.map((field) => (field === "vector" ? "scope" : field));

/**
 * The entry the fields read by {@link ENTRY_FIELDS} make (as bytes, or as text when no vector was
 * read); undefined when none exists (no field at all).
 */
export function toEntry(key: string, values: readonly (Buffer | string | null)[]): CacheEntry | undefined {
  // Every entry has a body: only a hash without one needs the look at every field.
  if (values[0] === null && values.every((value) => value === null)) return undefined;
  const text = (index: number) => {
    const value = values[index];
    return typeof value === "string" ? value : (value?.toString() ?? "");
  };
  const entry: CacheEntry = {
    key,
    body: text(0),
    createdAt: Number(text(1)),
    provider: text(2) as Provider,
    endpoint: text(3),
    model: text(4),
    namespace: text(5),
    prompt: text(6),
    promptType: text(7) as PromptType,
    usage: {
      inputTokens: Number(text(8)),
      cachedInputTokens: Number(text(9)),
      outputTokens: Number(text(10)),
    },
  };
  const vector = values[12];
  if (values[SCOPE] && vector && typeof vector !== "string") entry.semantic = { scope: text(SCOPE), vector: toVector(vector) };
  if (values[13]) entry.evidence = text(13);
  return entry;
}

/** The vector's raw float32 bytes (little-endian on every platform ecoai runs on). */
export function vectorBytes(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}
