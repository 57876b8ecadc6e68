/**
 * The headers of a request as a key sees them. A header may change the answer (`anthropic-beta`,
 * `OpenAI-Beta`, `api-version`, a proxy's routing header), so every header enters the key except
 * those that cannot: credentials (rotating a key must not empty the cache), the SDK's own
 * bookkeeping, and tracing.
 *
 * @module
 */

/** Header names (lower case) that never change the answer. */
const UNKEYED = new Set([
  "accept",
  "accept-encoding",
  "connection",
  "content-length",
  "content-type",
  "user-agent",
  "x-goog-api-client",
  "x-server-timeout",
  "anthropic-dangerous-direct-browser-access",
  "traceparent",
  "tracestate",
  "baggage",
  "b3",
  "sentry-trace",
  "request-id",
  "x-request-id",
  "x-correlation-id",
  "x-amzn-trace-id",
  "x-cloud-trace-context",
  "x-ms-client-request-id",
]);

/** Prefixes of header names that never change the answer (SDK telemetry, B3 tracing). */
const UNKEYED_PREFIXES = ["x-stainless-", "x-b3-"];

/** Credentials by name: `authorization`, `x-api-key`, `api-key`, `x-goog-api-key`, `helicone-auth`, `cookie`, `idempotency-key`… */
const CREDENTIAL = /(^|-)(authorization|auth|key|token|secret|cookie|password)$/;

/** Names already judged, so a call does not test the same few names again. */
const judged = new Map<string, boolean>();
/** Header names are few per application; one that invents a name per request does not grow the memo past this. */
const MAX_JUDGED = 1024;

/** Whether a header (lower-case name) enters the key. */
export function isKeyedHeader(name: string): boolean {
  let keyed = judged.get(name);
  if (keyed === undefined) {
    keyed = !UNKEYED.has(name) && !CREDENTIAL.test(name) && !UNKEYED_PREFIXES.some((prefix) => name.startsWith(prefix));
    if (judged.size < MAX_JUDGED) judged.set(name, keyed);
  }
  return keyed;
}

/**
 * The keyed headers of a request whose headers are `sources` merged in order, as the SDKs merge
 * them: names lower-cased; a name a later source sets replaces every earlier value; a `null`
 * value removes the header; `undefined` is skipped. Each source may be a `Headers`, an array of
 * `[name, value]` pairs, a record (values may be arrays) or the Stainless SDKs' internal
 * nullable headers. Undefined when no keyed header is left.
 */
export function keyedHeaders(...sources: unknown[]): Record<string, string> | undefined {
  // Runs on every call: most calls set no header at all, which is told without merging anything.
  if (sources.every(setsNoHeader)) return undefined;
  let merged: Map<string, string[]> | undefined;
  for (const source of sources) {
    let seen: Set<string> | undefined;
    forEachHeaderRow(source, (rawName, value) => {
      const name = rawName.toLowerCase();
      merged ??= new Map();
      seen ??= new Set();
      if (!seen.has(name)) {
        seen.add(name);
        merged.delete(name);
      }
      if (value === null) merged.delete(name);
      else {
        const values = merged.get(name);
        if (values) values.push(value);
        else merged.set(name, [value]);
      }
    });
  }
  if (!merged) return undefined;
  const keyed: [string, string][] = [];
  for (const [name, values] of merged) if (isKeyedHeader(name)) keyed.push([name, values.join(", ")]);
  // Defined, not assigned: a header named `__proto__` is a key like any other.
  return keyed.length === 0 ? undefined : Object.fromEntries(keyed);
}

/**
 * Whether a header source is absent, or a plain record (or one without a prototype) whose every
 * value is `undefined` or `null` (or a list of them): merged, it leaves no header. Any other
 * source (a `Headers`, a list of pairs, the SDKs' nullable headers) is merged to be known.
 */
export function setsNoHeader(source: unknown): boolean {
  return everyHeaderValue(source, (value) => value == null || (Array.isArray(value) && value.every((item) => item == null)));
}

/** Whether a header source sets and removes nothing: absent, or a plain record whose every value is `undefined`. */
export function isEmptyHeaderSource(source: unknown): boolean {
  return everyHeaderValue(source, (value) => value === undefined);
}

/** Whether `source` is absent, or a plain record whose every own value passes `test`. */
function everyHeaderValue(source: unknown, test: (value: unknown) => boolean): boolean {
  if (typeof source !== "object" || source === null) return true;
  if (!isPlainRecord(source)) return false;
  for (const name in source) if (Object.hasOwn(source, name) && !test((source as Record<string, unknown>)[name])) return false;
  return true;
}

/** The keyed headers of records merged before, with the fields (name, value, name, value…) they were merged from. */
const keyedByRecord = new WeakMap<object, { fields: unknown[]; keyed: Record<string, string> | undefined }>();

/**
 * `keyedHeaders(source)` of one source, such as a client's default headers: merged once for a
 * plain record whose values are strings (or `undefined`, `null`), and again only when its own
 * fields have changed since. The headers given back are frozen, as they are shared.
 */
export function keyedHeadersOf(source: unknown): Record<string, string> | undefined {
  if (typeof source !== "object" || source === null || !isPlainRecord(source)) return keyedHeaders(source);
  const known = keyedByRecord.get(source);
  if (known !== undefined && hasFields(source, known.fields)) return known.keyed;
  const fields: unknown[] = [];
  for (const name in source) {
    if (!Object.hasOwn(source, name)) continue;
    const value = (source as Record<string, unknown>)[name];
    // Another value's text may change without the value changing: merged every time.
    if (value !== undefined && value !== null && typeof value !== "string") return keyedHeaders(source);
    fields.push(name, value);
  }
  const merged = keyedHeaders(source);
  const keyed = merged && Object.freeze(merged);
  keyedByRecord.set(source, { fields, keyed });
  return keyed;
}

/** Whether the own fields of `record` are `fields` (name, value, name, value…), in that order. */
function hasFields(record: object, fields: readonly unknown[]): boolean {
  let at = 0;
  for (const name in record) {
    if (!Object.hasOwn(record, name)) continue;
    if (at >= fields.length || fields[at] !== name || fields[at + 1] !== (record as Record<string, unknown>)[name]) return false;
    at += 2;
  }
  return at === fields.length;
}

function isPlainRecord(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && !Array.isArray(value);
}

/** Calls `row` with each name and value (`null`: removed) a header source sets, in order. */
function forEachHeaderRow(source: unknown, row: (name: string, value: string | null) => void): void {
  if (typeof source !== "object" || source === null) return;
  const nullable = source as { values?: unknown; nulls?: unknown };
  if (isHeaders(nullable.values) && nullable.nulls instanceof Set) {
    forEachHeaderRow(nullable.values, row);
    for (const name of nullable.nulls) row(String(name), null);
    return;
  }
  if (isHeaders(source)) {
    const rows: [string, string][] = [];
    source.forEach((value, name) => rows.push([name, value]));
    for (const [name, value] of rows) row(name, value);
    return;
  }
  if (Array.isArray(source)) {
    for (const pair of source) if (Array.isArray(pair)) recordRow(pair[0], pair[1], row);
    return;
  }
  for (const name in source) if (Object.hasOwn(source, name)) recordRow(name, (source as Record<string, unknown>)[name], row);
}

function recordRow(name: unknown, value: unknown, row: (name: string, value: string | null) => void): void {
  if (typeof name !== "string") return;
  if (!Array.isArray(value)) {
    if (value !== undefined) row(name, value === null ? null : String(value));
    return;
  }
  for (const item of value) if (item !== undefined) row(name, item === null ? null : String(item));
}

function isHeaders(value: unknown): value is Headers {
  return typeof value === "object" && value !== null && typeof (value as Headers).forEach === "function" && typeof (value as Headers).get === "function";
}
