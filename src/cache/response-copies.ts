/**
 * The responses of stored entries, each hit given its own: a caller may change what it was
 * served, and no later hit may see that. Parsing the entry's JSON gives a fresh object; copying a
 * tree parsed once gives the same object (the same fields in the same order, plain objects and
 * arrays) in about half the time, which matters on a hit of a few microseconds.
 *
 * A method whose rebuild is costly and gives data (`CachedMethod.copiesRebuilt`: the AI SDK's
 * results, decoded with their dates and `undefined` fields) has its rebuilt response kept too, so
 * that a hit is one copy rather than a copy and a rebuild.
 *
 * @module
 */
import { copiedData, isCopyableData } from "./data-copy.ts";
import { keptByBody, MAX_KEPT_BODY } from "./kept-by-body.ts";
import { readEntryBody } from "./stream-entry.ts";

/** A method's rebuild, as the engine calls it; the key of its kept responses. */
type Rebuild = (stored: unknown) => unknown;

/** Fresh copies of the responses stored in entry bodies; one per engine. */
export function createResponseCopies() {
  /** Parsed responses; never handed out, only copied. */
  const parsed = keptByBody<unknown>();
  /** Rebuilt responses by method; never handed out, only copied. */
  const rebuiltByMethod = new WeakMap<Rebuild, ReturnType<typeof keptByBody<unknown>>>();
  return {
    /** A fresh copy of the response in `body` (see stream-entry.ts); throws as parsing it does on a body that is not JSON. */
    of(body: string): unknown {
      let response = parsed.get(body);
      if (response === undefined) {
        // A body with a stream's recording is read whole, recording checked, as before; only others are kept.
        if (body.length > MAX_KEPT_BODY || body.includes("\n")) return readEntryBody(body).response;
        response = JSON.parse(body);
        parsed.set(body, response);
      }
      try {
        // JSON.parse gives data: plain objects and arrays.
        return copiedData(response);
      } catch (error) {
        // Nested deeper than a copy can recurse: parsed, as it was before.
        if (error instanceof RangeError) return JSON.parse(body);
        throw error;
      }
    },
    /**
     * A fresh copy of what `rebuild` made of the response in `body`, when {@link keepRebuilt} kept
     * it; undefined otherwise (the caller then reads and rebuilds the response itself).
     */
    rebuilt(body: string, rebuild: Rebuild): unknown {
      const kept = rebuiltByMethod.get(rebuild)?.get(body);
      return kept === undefined ? undefined : copiedData(kept);
    },
    /**
     * Keeps a copy of `response`, what `rebuild` made of the valid response in `body` (a stream's
     * recording in it checked when it was read), for {@link rebuilt}: only when it is data a copy
     * reproduces (see data-copy.ts), and the body is no longer than those {@link of} keeps.
     */
    keepRebuilt(body: string, rebuild: Rebuild, response: unknown): void {
      if (response === undefined || body.length > MAX_KEPT_BODY) return;
      let kept: unknown;
      try {
        if (!isCopyableData(response)) return;
        kept = copiedData(response);
      } catch {
        // Nested deeper than a copy can recurse (or a value that throws when looked at): rebuilt for each hit, as before.
        return;
      }
      let forMethod = rebuiltByMethod.get(rebuild);
      if (forMethod === undefined) rebuiltByMethod.set(rebuild, (forMethod = keptByBody<unknown>()));
      forMethod.set(body, kept);
    },
  };
}
