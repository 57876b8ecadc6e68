import { expect } from "bun:test";

/**
 * Asserts that `hit` holds what the live result holds, as code written against the SDK reads it:
 * at every depth the same prototype (a `GenerateContentResponse` stays one), the same enumerable
 * properties in the same order (what iteration, spreading and JSON see) with equal values, and
 * the SDK's helper functions present as functions. `hit` is a copy, never `live` itself.
 */
export function expectSameData(hit: unknown, live: unknown): void {
  expect(hit === live, "the hit is a copy, not the live object").toBe(false);
  walk(hit, live, "result", (copy, original, path) => {
    expect(Object.getPrototypeOf(copy) === Object.getPrototypeOf(original), `${path} has the live prototype (${original.constructor?.name})`).toBe(true);
    expect(Object.keys(copy), `${path}: enumerable properties`).toEqual(Object.keys(original));
  });
}

/**
 * Asserts that the properties the SDK hides on a live result (non-enumerable request ids, usage
 * getters) are on `hit` too, at every depth, with the same flags and values; except that the
 * top-level properties named in `receivedOnly` (ids the SDK reads from the HTTP response, which a
 * hit never received) are null.
 */
export function expectSameHiddenProperties(hit: unknown, live: unknown, receivedOnly: readonly string[]): void {
  walk(hit, live, "result", (copy, original, path) => {
    const hidden = (object: object) => Reflect.ownKeys(object).filter((key) => !Object.getOwnPropertyDescriptor(object, key)!.enumerable).map(String).sort();
    expect(hidden(copy), `${path}: non-enumerable properties`).toEqual(hidden(original));
    for (const key of hidden(original)) {
      const at = `${path}.${key}`;
      const own = Object.getOwnPropertyDescriptor(original, key)!;
      const kept = Object.getOwnPropertyDescriptor(copy, key)!;
      expect(flags(kept), `${at}: property flags`).toEqual(flags(own));
      const value = (descriptor: PropertyDescriptor, of: object) => (descriptor.get ? descriptor.get.call(of) : descriptor.value);
      if (path === "result" && receivedOnly.includes(key)) expect(kept.value, `${at} (read from a response the hit never received)`).toBeNull();
      else expect(value(kept, copy), at).toEqual(value(own, original));
    }
  });
}

/** Calls `check` on every pair of objects at the same place in `hit` and `live`, comparing everything else on the way. */
function walk(hit: unknown, live: unknown, path: string, check: (hit: object, live: object, path: string) => void): void {
  if (typeof live === "function") {
    expect(typeof hit, path).toBe("function");
    return;
  }
  if (live === null || typeof live !== "object") {
    expect(hit, path).toEqual(live);
    return;
  }
  expect(typeof hit === "object" && hit !== null, `${path} is an object`).toBe(true);
  check(hit as object, live, path);
  for (const key of Object.keys(live)) walk((hit as Record<string, unknown>)[key], (live as Record<string, unknown>)[key], `${path}.${key}`, check);
}

function flags(descriptor: PropertyDescriptor): Record<string, boolean> {
  return { enumerable: descriptor.enumerable === true, configurable: descriptor.configurable === true, writable: descriptor.writable === true, accessor: "get" in descriptor };
}

/** Changes every string, number and boolean in `value`, in place, as careless caller code might. */
export function tamper(value: unknown): void {
  if (value === null || typeof value !== "object") return;
  for (const key of Object.keys(value)) {
    const record = value as Record<string, unknown>;
    const field = record[key];
    if (typeof field === "string") record[key] = `${field} (changed by the caller)`;
    else if (typeof field === "number") record[key] = field + 1;
    else if (typeof field === "boolean") record[key] = !field;
    else tamper(field);
  }
}
