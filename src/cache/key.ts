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
  return JSON.stringify(canonical(value, "")) ?? "null";
}

/**
 * `value` as `JSON.stringify` would see it, rebuilt with sorted keys (in objects without a
 * prototype, so an own `__proto__` stays a key), `$` keys escaped and binary data replaced by its
 * marker. Primitives, boxed primitives and what JSON drops are left for `JSON.stringify` itself.
 */
function canonical(input: unknown, name: string | number): unknown {
  if (typeof input !== "object" || input === null) return input;
  // Before `toJSON`: a Buffer's would turn its bytes into a long array of numbers.
  const marker = binaryMarker(input);
  if (marker) return marker;
  const toJSON = (input as { toJSON?: unknown }).toJSON;
  if (typeof toJSON !== "function") return rebuilt(input);
  const value: unknown = toJSON.call(input, String(name));
  if (typeof value !== "object" || value === null) return value;
  return binaryMarker(value) ?? rebuilt(value);
}

/** An object or array (its `toJSON` applied) with its items canonical. */
function rebuilt(value: object): unknown {
  if (Array.isArray(value)) {
    const items = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index++) items[index] = canonical(value[index], index);
    return items;
  }
  const prototype = Object.getPrototypeOf(value);
  // JSON.stringify unboxes these itself.
  if (prototype !== Object.prototype && prototype !== null && isBoxed(value)) return value;
  const record = value as Record<string, unknown>;
  const sorted: Record<string, unknown> = Object.create(null);
  for (const key of sortedKeys(record)) sorted[key.charCodeAt(0) === 36 ? `$${key}` : key] = canonical(record[key], key);
  return sorted;
}

/**
 * The object's own enumerable keys in the order `Array.prototype.sort` puts strings (UTF-16 code
 * units). A request's objects have a few keys each, which an insertion sort orders several times
 * faster than the built-in sort's generic comparison.
 */
function sortedKeys(record: object): string[] {
  const keys = Object.keys(record);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > key; j--) keys[j + 1] = keys[j]!;
    keys[j + 1] = key;
  }
  return keys;
}

/** Whether `value` is a `Number`, `String`, `Boolean` or `BigInt` object (not one that only claims the tag). */
function isBoxed(value: object): boolean {
  switch (Object.prototype.toString.call(value)) {
    case "[object Number]":
      return hasSlot(Number.prototype.valueOf, value);
    case "[object String]":
      return hasSlot(String.prototype.valueOf, value);
    case "[object Boolean]":
      return hasSlot(Boolean.prototype.valueOf, value);
    case "[object BigInt]":
      return hasSlot(BigInt.prototype.valueOf, value);
    default:
      return false;
  }
}

/** Whether `valueOf` accepts `value`, i.e. it holds the primitive that method reads. */
function hasSlot(valueOf: () => unknown, value: object): boolean {
  try {
    valueOf.call(value);
    return true;
  } catch {
    return false;
  }
}

/** The marker object of binary data, or undefined when `value` is not binary. */
function binaryMarker(value: object): Record<string, unknown> | undefined {
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
  const marker: Record<string, unknown> = Object.create(null);
  marker[BINARY_MARKER] = { kind, sha256 };
  return marker;
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

/** Bun's own SHA-256 when running under Bun (the same digest, in half the time of `node:crypto`'s). */
const bunSha256 = (globalThis as { Bun?: { SHA256: { hash(data: string | Uint8Array, encoding: "hex"): string } } }).Bun?.SHA256;

function sha256Hex(data: string | Uint8Array): string {
  if (bunSha256) return bunSha256.hash(data, "hex");
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
    wire: hasDefinedPart(call.wire) ? call.wire : undefined,
  };
}

/**
 * The key of a call: {@link hashCacheKey} of its {@link requestIdentity} with `params`, as
 * `hashCacheKey({ ...requestIdentity(call, namespace), params })` gives it.
 */
export function requestKey(call: RequestIdentity, namespace: string, params: unknown): string {
  // That object's canonical form, made directly: its keys are these, in this (sorted) order; none
  // starts with `$` or is an array index, and it has no `toJSON`.
  const sorted: Record<string, unknown> = Object.create(null);
  sorted.baseURL = canonical(call.baseURL, "baseURL");
  sorted.endpoint = canonical(call.method.endpoint, "endpoint");
  sorted.namespace = namespace === "" ? undefined : canonical(namespace, "namespace");
  sorted.params = canonical(params, "params");
  sorted.provider = canonical(call.provider, "provider");
  sorted.wire = hasDefinedPart(call.wire) ? canonicalWire(call.wire) : undefined;
  return sha256Hex(JSON.stringify(sorted));
}

/**
 * Canonical wires of frozen header records: a client's default headers, merged once and shared
 * by its every call (see `keyedHeadersOf`), cannot change, so the wire made of them alone is
 * rebuilt once. Only read by `JSON.stringify`, never handed out.
 */
const wiresOfFrozenHeaders = new WeakMap<object, unknown>();

/** The canonical form of a request's wire; the common one, a client's frozen default headers and nothing else, made once. */
function canonicalWire(wire: Record<string, unknown>): unknown {
  const headers = wire.headers;
  if (typeof headers !== "object" || headers === null || !Object.isFrozen(headers) || !onlyHeaders(wire)) return canonical(wire, "wire");
  let known = wiresOfFrozenHeaders.get(headers);
  if (known === undefined) {
    known = canonical({ headers }, "wire");
    wiresOfFrozenHeaders.set(headers, known);
  }
  return known;
}

/** Whether `wire` is a plain object whose only defined own field is `headers` (so no `toJSON` of its own to apply). */
function onlyHeaders(wire: Record<string, unknown>): boolean {
  if (Object.getPrototypeOf(wire) !== Object.prototype) return false;
  for (const part in wire) if (Object.hasOwn(wire, part) && part !== "headers" && wire[part] !== undefined) return false;
  return true;
}

function hasDefinedPart(wire: Record<string, unknown>): boolean {
  for (const part in wire) if (Object.hasOwn(wire, part) && wire[part] !== undefined) return true;
  return false;
}
