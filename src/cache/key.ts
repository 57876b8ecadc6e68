import { createHash } from "node:crypto";

/**
 * Canonical JSON of a value: object keys sorted at every depth, `undefined` (and functions)
 * dropped as `JSON.stringify` does, binary data replaced by the SHA-256 of its bytes so that an
 * image enters the key as a short, exact fingerprint.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value)) ?? "null";
}

function canonicalize(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  const bytes = binaryView(value);
  if (bytes) return { $sha256: sha256Hex(bytes) };
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : canonicalize(item)));
  if (value instanceof Date) return value.toISOString();
  const record = value as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const name of Object.keys(record).sort()) {
    const item = record[name];
    if (item !== undefined && typeof item !== "function") sorted[name] = canonicalize(item);
  }
  return sorted;
}

function binaryView(value: object): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return undefined;
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * SHA-256 (hex) of the canonical form of a value. ecoai keys every request as
 * `hashCacheKey({ provider, endpoint, baseURL, params })` (plus `namespace` when one is set), so
 * the same request written with its keys in another order has the same key.
 *
 * @example
 * hashCacheKey({ provider: "openai", endpoint: "chat.completions", baseURL: "https://api.openai.com/v1",
 *   params: { model: "gpt-4o", messages: [{ role: "user", content: "Hi" }] } })
 * // → "3f1c…" (64 hex characters)
 */
export function hashCacheKey(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
