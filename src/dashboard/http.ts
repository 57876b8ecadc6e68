/** Small response helpers shared by the dashboard's routes. */

export function json(data: unknown, status = 200): Response {
  return new Response(JSON.stringify(data), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  });
}

/** A plain-text answer, for refusals that are not the API's. */
export function plainText(status: number, text: string): Response {
  return new Response(text, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
}

/**
 * The largest request body the dashboard takes: its only write is a settings object of a few
 * hundred bytes, and any web page may send a no-cors POST to a local port.
 */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * The request's body as text, or `undefined` when it is larger than `max` bytes: a declared
 * length is refused unread, a streamed body is read no further than `max`.
 */
export async function bodyText(request: Request, max: number): Promise<string | undefined> {
  if (!request.body) return "";
  if (Number(request.headers.get("content-length") ?? 0) > max) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A 400 (or other) answer whose `error` says what was wrong and what is accepted. */
export function jsonError(status: number, error: string, extra: Record<string, unknown> = {}): Response {
  return json({ error, ...extra }, status);
}

/** A request parameter that is not acceptable; answered with a 400 naming it. */
export class BadRequest extends Error {
  override name = "BadRequest";
}

/** Parses a whole-number query parameter within bounds, or the default when absent. */
export function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = params.get(name);
  if (raw === null || raw === "") return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new BadRequest(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Parses a query parameter that must be one of `allowed`. */
export function oneOf<T extends string>(params: URLSearchParams, name: string, allowed: readonly T[], fallback: T): T {
  const raw = params.get(name);
  if (raw === null || raw === "") return fallback;
  if (!allowed.includes(raw as T)) throw new BadRequest(`${name} must be one of ${allowed.join(", ")}, got ${JSON.stringify(raw)}`);
  return raw as T;
}

/** A free-text query parameter, at most `max` characters; empty counts as absent unless `emptyIsValue`. */
export function textParam(params: URLSearchParams, name: string, max: number, { emptyIsValue = false } = {}): string | undefined {
  const raw = params.get(name);
  if (raw === null || (raw === "" && !emptyIsValue)) return undefined;
  if (raw.length > max) throw new BadRequest(`${name} must be at most ${max} characters`);
  return raw;
}
