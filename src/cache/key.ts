import { createHash } from "node:crypto";

/**
 * The key's marker for binary data. Every key of a request object that starts with `$` gains one
 * more `$` in the canonical form, so no JSON value can produce an object key of exactly this name.
 */
const BINARY_MARKER = "$binary";

/** Typed-array kinds whose elements are the bytes themselves: the same bytes mean the same data. */
const BYTE_KINDS = new Set(["ArrayBuffer", "SharedArrayBuffer", "DataView", "Uint8Array", "Uint8ClampedArray"]);

/**
 * Bytes hashed elsewhere (an upload read from a stream): in a key, the same value as those bytes
 * in a `Uint8Array` would be.
 */
export class BinaryDigest {
  readonly kind = "bytes";
  constructor(readonly sha256: string) {
    Object.freeze(this);
  }
}

/**
 * Canonical JSON of a request: what `JSON.stringify` would send (`toJSON` applied, boxed
 * primitives unboxed, `undefined`, functions and symbols dropped from objects and `null` in
 * arrays, every own enumerable key kept as data, `__proto__` included), with object keys sorted
 * at every depth. Binary data (typed arrays, `ArrayBuffer`, `DataView`, {@link BinaryDigest})
 * enters as its kind and the SHA-256 of its bytes, under a marker no JSON value can forge.
 *
 * @throws what `JSON.stringify` throws for the value (a cycle, a `BigInt`), or what its `toJSON` throws.
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, "") ?? "null";
}

function serialize(input: unknown, name: string): string | undefined {
  let value = input;
  if (typeof value === "object" && value !== null) {
    // Before `toJSON`: a Buffer's would turn its bytes into a long array of numbers.
    const binary = binaryFingerprint(value);
    if (binary) return binary;
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") value = toJSON.call(value, name);
  } else if (typeof value === "bigint") {
    const toJSON = (Object(value) as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") value = toJSON.call(value, name);
  }
  if (typeof value === "object" && value !== null) value = unboxed(value);
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      // As JSON: -0 is sent as 0, NaN and the infinities as null.
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      throw new TypeError("a BigInt cannot be serialised as JSON");
    case "object":
      return value === null ? "null" : serializeObject(value);
    default:
      return undefined;
  }
}

function serializeObject(value: object): string {
  const binary = binaryFingerprint(value);
  if (binary) return binary;
  if (Array.isArray(value)) {
    const items: string[] = [];
    for (let index = 0; index < value.length; index++) items.push(serialize(value[index], String(index)) ?? "null");
    return `[${items.join(",")}]`;
  }
  const record = value as Record<string, unknown>;
  const fields: string[] = [];
  for (const name of Object.keys(record).sort()) {
    const item = serialize(record[name], name);
    if (item !== undefined) fields.push(`${JSON.stringify(name.startsWith("$") ? `$${name}` : name)}:${item}`);
  }
  return `{${fields.join(",")}}`;
}

/** The value of a `Number`, `String` or `Boolean` object, as `JSON.stringify` reads it; anything else as it is. */
function unboxed(value: object): unknown {
  switch (Object.prototype.toString.call(value)) {
    case "[object Number]":
      return hasSlot(Number.prototype.valueOf, value) ? Number(value) : value;
    case "[object String]":
      return hasSlot(String.prototype.valueOf, value) ? String(value) : value;
    case "[object Boolean]":
      return hasSlot(Boolean.prototype.valueOf, value) ? Boolean.prototype.valueOf.call(value) : value;
    case "[object BigInt]":
      return hasSlot(BigInt.prototype.valueOf, value) ? BigInt.prototype.valueOf.call(value) : value;
    default:
      return value;
  }
}

/** Whether `value` really is a boxed primitive (not an object that only claims the tag). */
function hasSlot(valueOf: () => unknown, value: object): boolean {
  try {
    valueOf.call(value);
    return true;
  } catch {
    return false;
  }
}

/** The marker object of binary data, or undefined when `value` is not binary. */
function binaryFingerprint(value: object): string | undefined {
  let kind: string;
  let sha256: string;
  if (value instanceof BinaryDigest) {
    ({ kind, sha256 } = value);
  } else if (ArrayBuffer.isView(value)) {
    kind = binaryKind(value);
    sha256 = sha256Hex(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  } else if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer === "function" && value instanceof SharedArrayBuffer)) {
    kind = "bytes";
    sha256 = sha256Hex(new Uint8Array(value));
  } else {
    return undefined;
  }
  return `{${JSON.stringify(BINARY_MARKER)}:{"kind":${JSON.stringify(kind)},"sha256":${JSON.stringify(sha256)}}}`;
}

/**
 * The kind of a view: `bytes` for views whose elements are its bytes (a Buffer, a Uint8Array),
 * else the typed array's own name, so that a Float32Array and a Uint8Array holding the same bytes
 * (which JSON sends as different numbers) differ.
 */
function binaryKind(view: ArrayBufferView): string {
  const kind = Object.prototype.toString.call(view).slice(8, -1);
  return BYTE_KINDS.has(kind) ? "bytes" : kind;
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * SHA-256 (hex) of the canonical form of a value (see {@link canonicalJson}). ecoai keys every
 * request as `hashCacheKey({ provider, endpoint, baseURL, params })`, plus `namespace` when one is
 * set and `wire` when something beyond the body changes the request (a per-call query, path or
 * header, a client's default headers and query, an Azure deployment). The same request written
 * with its keys in another order has the same key.
 *
 * @example
 * hashCacheKey({ provider: "openai", endpoint: "chat.completions", baseURL: "https://api.openai.com/v1",
 *   params: { model: "gpt-4o", messages: [{ role: "user", content: "Hi" }] } })
 * // → "3f1c…" (64 hex characters)
 */
export function hashCacheKey(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

/** What identifies a request besides its params; shared by exact keys and semantic scopes. */
export interface RequestIdentity {
  provider: string;
  baseURL: string;
  method: { endpoint: string };
  /** What reaches the wire beside the body and the base URL; its undefined fields are not there. */
  wire: Record<string, unknown>;
}

/**
 * The fields of a key that say where a request goes and who it belongs to: provider, endpoint,
 * base URL, namespace (none: `""`) and wire. Empty parts are left out, so a request without them
 * keys exactly as `hashCacheKey({ provider, endpoint, baseURL, params })`.
 */
export function requestIdentity(call: RequestIdentity, namespace: string): Record<string, unknown> {
  return {
    provider: call.provider,
    endpoint: call.method.endpoint,
    baseURL: call.baseURL,
    namespace: namespace === "" ? undefined : namespace,
    wire: Object.values(call.wire).some((part) => part !== undefined) ? call.wire : undefined,
  };
}
