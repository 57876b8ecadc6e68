/** Small response helpers shared by the dashboard's routes. */

export function json(data: unknown, status = 200): Response {
  return new Response(JSON.stringify(data), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  });
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

/** A free-text query parameter, at most `max` characters. */
export function textParam(params: URLSearchParams, name: string, max: number): string | undefined {
  const raw = params.get(name);
  if (raw === null || raw === "") return undefined;
  if (raw.length > max) throw new BadRequest(`${name} must be at most ${max} characters`);
  return raw;
}
