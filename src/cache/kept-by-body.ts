/**
 * What is made from stored entry bodies (a parsed response, a rebuilt one, a stream read back),
 * kept by the body it was made from for the hits that would make it again. Bounded by count and
 * by the characters of the bodies: what is kept stays small.
 *
 * @module
 */

/** Bodies whose values are kept, at most; beyond it the oldest kept is let go. */
const KEPT_BODIES = 256;
/** Characters of the bodies kept, at most. */
const KEPT_CHARACTERS = 4 * 1024 * 1024;
/** Longer bodies are not kept: what they make is made every time. */
export const MAX_KEPT_BODY = 64 * 1024;

/**
 * Values by the entry body they were made from, within {@link KEPT_BODIES} and
 * {@link KEPT_CHARACTERS}; a body longer than {@link MAX_KEPT_BODY} is not kept.
 *
 * @example
 * const parsed = keptByBody<unknown>();
 * const response = parsed.get(body) ?? JSON.parse(body);
 */
export function keptByBody<T>() {
  const values = new Map<string, T>();
  let keptCharacters = 0;
  return {
    // A longer body is never kept: not looked for either (a map lookup hashes the whole string,
    // about 10 µs for a 200 KB body read anew).
    get: (body: string): T | undefined => (body.length > MAX_KEPT_BODY ? undefined : values.get(body)),
    set(body: string, value: T): void {
      if (body.length > MAX_KEPT_BODY || values.has(body)) return;
      while (values.size > 0 && (values.size >= KEPT_BODIES || keptCharacters + body.length > KEPT_CHARACTERS)) {
        const oldest = values.keys().next().value as string;
        values.delete(oldest);
        keptCharacters -= oldest.length;
      }
      values.set(body, value);
      keptCharacters += body.length;
    },
  };
}
