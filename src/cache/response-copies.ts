/**
 * The responses of stored entries, each hit given its own: a caller may change what it was
 * served, and no later hit may see that. Parsing the entry's JSON gives a fresh object; copying a
 * tree parsed once gives the same object (the same fields in the same order, plain objects and
 * arrays) in about half the time, which matters on a hit of a few microseconds.
 *
 * @module
 */
import { readEntryBody } from "./stream-entry.ts";

/** Bodies whose parsed response is kept, at most; beyond it the oldest kept is let go. */
const KEPT_RESPONSES = 256;
/** Characters of the bodies kept, at most, so that what is kept stays small. */
const KEPT_CHARACTERS = 4 * 1024 * 1024;
/** Longer bodies are parsed every time. */
const MAX_KEPT_BODY = 64 * 1024;

/** Fresh copies of the responses stored in entry bodies; one per engine. */
export function createResponseCopies() {
  /** Parsed responses by the body they were parsed from; never handed out, only copied. */
  const parsed = new Map<string, unknown>();
  let keptCharacters = 0;
  return {
    /** A fresh copy of the response in `body` (see stream-entry.ts); throws as parsing it does on a body that is not JSON. */
    of(body: string): unknown {
      let response = parsed.get(body);
      if (response === undefined) {
        // A body with a stream's recording is read whole, recording checked, as before; only others are kept.
        if (body.length > MAX_KEPT_BODY || body.includes("\n")) return readEntryBody(body).response;
        response = JSON.parse(body);
        while (parsed.size > 0 && (parsed.size >= KEPT_RESPONSES || keptCharacters + body.length > KEPT_CHARACTERS)) {
          const oldest = parsed.keys().next().value as string;
          parsed.delete(oldest);
          keptCharacters -= oldest.length;
        }
        parsed.set(body, response);
        keptCharacters += body.length;
      }
      try {
        return copied(response);
      } catch (error) {
        // Nested deeper than a copy can recurse: parsed, as it was before.
        if (error instanceof RangeError) return JSON.parse(body);
        throw error;
      }
    },
  };
}

/** A deep copy of a parsed JSON value: what `JSON.parse` of its text gives. */
function copied(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const length = value.length;
    const items = new Array<unknown>(length);
    for (let index = 0; index < length; index++) items[index] = copied(value[index]);
    return items;
  }
  const source = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const key in source) {
    if (!Object.hasOwn(source, key)) continue;
    const item = copied(source[key]);
    // JSON.parse makes `__proto__` an own field; assigned, it would set the prototype.
    if (key === "__proto__") Object.defineProperty(copy, key, { value: item, writable: true, enumerable: true, configurable: true });
    else copy[key] = item;
  }
  return copy;
}
