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

/** Whether a header (lower-case name) enters the key. */
export function isKeyedHeader(name: string): boolean {
  return !UNKEYED.has(name) && !CREDENTIAL.test(name) && !UNKEYED_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/**
 * The keyed headers of a request whose headers are `sources` merged in order, as the SDKs merge
 * them: names lower-cased; a name a later source sets replaces every earlier value; a `null`
 * value removes the header; `undefined` is skipped. Each source may be a `Headers`, an array of
 * `[name, value]` pairs, a record (values may be arrays) or the Stainless SDKs' internal
 * nullable headers. Undefined when no keyed header is left.
 */
export function keyedHeaders(...sources: unknown[]): Record<string, string> | undefined {
  const merged = new Map<string, string[]>();
  for (const source of sources) {
    const seen = new Set<string>();
    for (const [rawName, value] of headerRows(source)) {
      const name = rawName.toLowerCase();
      if (!seen.has(name)) {
        seen.add(name);
        merged.delete(name);
      }
      if (value === null) merged.delete(name);
      else merged.set(name, [...(merged.get(name) ?? []), value]);
    }
  }
  const keyed = [...merged].filter(([name]) => isKeyedHeader(name));
  if (keyed.length === 0) return undefined;
  return Object.fromEntries(keyed.map(([name, values]) => [name, values.join(", ")]));
}

function* headerRows(source: unknown): Iterable<readonly [string, string | null]> {
  if (typeof source !== "object" || source === null) return;
  const nullable = source as { values?: unknown; nulls?: unknown };
  if (isHeaders(nullable.values) && nullable.nulls instanceof Set) {
    yield* headerRows(nullable.values);
    for (const name of nullable.nulls) yield [String(name), null];
    return;
  }
  if (isHeaders(source)) {
    const rows: [string, string][] = [];
    source.forEach((value, name) => rows.push([name, value]));
    yield* rows;
    return;
  }
  const rows: Iterable<unknown> = Array.isArray(source) ? source : Object.entries(source);
  for (const row of rows) {
    if (!Array.isArray(row) || typeof row[0] !== "string") continue;
    const values: unknown[] = Array.isArray(row[1]) ? row[1] : [row[1]];
    for (const value of values) {
      if (value === undefined) continue;
      yield [row[0], value === null ? null : String(value)];
    }
  }
}

function isHeaders(value: unknown): value is Headers {
  return typeof value === "object" && value !== null && typeof (value as Headers).forEach === "function" && typeof (value as Headers).get === "function";
}
