/**
 * Deep copies of responses that are data: plain objects and arrays, dates, typed arrays, fields
 * set to `undefined`, primitives (what `JSON.parse` gives, and what some methods rebuild from it).
 * A copy is the same value field for field, in the same order, with the same prototypes, sharing
 * nothing that a caller could change.
 *
 * Whether a rebuilt value is such data is checked once ({@link isCopyableData}), when it is kept;
 * its copies then take the quick path ({@link copiedData}). Anything else (a `Map`, a class
 * instance, a getter, a hidden or symbol-keyed field, a frozen object, an object reached twice) is
 * not data here: the engine rebuilds such a response for every hit, as it does for every method
 * that does not opt in.
 *
 * @module
 */

/** The typed arrays a copy makes anew, by prototype (a `Buffer` is a `Uint8Array` of another prototype, and not data here). */
const TYPED_ARRAYS = new Map<object, new (source: ArrayLike<number> & ArrayLike<bigint>) => unknown>(
  [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array].map((type) => [
    type.prototype,
    type as unknown as new (source: ArrayLike<number> & ArrayLike<bigint>) => unknown,
  ]),
);

/**
 * Whether `value` is data {@link copiedData} reproduces whole: every object in it a plain object
 * (prototype `Object.prototype` or `null`) with only enumerable, writable, configurable own
 * string-keyed fields and not frozen or sealed, an array of the same kind with items only (holes allowed), a `Date`
 * or a typed array of its own (the whole of its buffer), and no object reached twice.
 */
export function isCopyableData(value: unknown, seen = new Set<object>()): boolean {
  if (typeof value === "function") return false;
  if (typeof value !== "object" || value === null) return true;
  if (seen.has(value)) return false;
  seen.add(value);
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Date.prototype) return Object.getOwnPropertyNames(value).length === 0 && Object.getOwnPropertySymbols(value).length === 0;
  const typed = TYPED_ARRAYS.get(prototype);
  if (typed !== undefined) {
    const view = value as unknown as ArrayBufferView;
    // Own keys beyond its elements (fields set on it) would not be copied.
    return view.byteOffset === 0 && view.byteLength === view.buffer.byteLength && !(view.buffer instanceof SharedArrayBuffer) && Reflect.ownKeys(value).length === (value as unknown as ArrayLike<unknown>).length;
  }
  const isArray = Array.isArray(value);
  if (isArray ? prototype !== Array.prototype : prototype !== Object.prototype && prototype !== null) return false;
  if (!Object.isExtensible(value)) return false;
  const length = isArray ? (value as unknown[]).length : 0;
  for (const key of Reflect.ownKeys(value)) {
    if (isArray && key === "length") continue;
    // An array's copy holds its items only: a field set on it would be lost.
    if (isArray && !isIndex(key, length)) return false;
    const field = Object.getOwnPropertyDescriptor(value, key)!;
    if (typeof key === "symbol" || !("value" in field) || !field.enumerable || !field.writable || !field.configurable) return false;
    if (!isCopyableData(field.value, seen)) return false;
  }
  return true;
}

function isIndex(key: string | symbol, length: number): boolean {
  if (typeof key !== "string") return false;
  const index = Number(key);
  return Number.isInteger(index) && index >= 0 && index < length && String(index) === key;
}

/** A deep copy of `value`, which {@link isCopyableData} accepted. */
export function copiedData(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const length = value.length;
    const items = new Array<unknown>(length);
    for (let index = 0; index < length; index++) if (index in value) items[index] = copiedData(value[index]);
    return items;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) {
    const source = value as Record<string, unknown>;
    const copy: Record<string, unknown> = prototype === null ? Object.create(null) : {};
    for (const key in source) {
      if (!Object.hasOwn(source, key)) continue;
      const item = copiedData(source[key]);
      // An own `__proto__` field (as JSON.parse makes it): assigned, it would set the prototype.
      if (key === "__proto__") Object.defineProperty(copy, key, { value: item, writable: true, enumerable: true, configurable: true });
      else copy[key] = item;
    }
    return copy;
  }
  if (prototype === Date.prototype) return new Date((value as Date).getTime());
  return new (TYPED_ARRAYS.get(prototype)!)(value as ArrayLike<number> & ArrayLike<bigint>);
}
