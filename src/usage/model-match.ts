/**
 * How a model id finds its row in a data table (prices, unpriced models, energy profiles): the
 * longest key the id starts with, where what follows the key is only a version (a date snapshot,
 * a revision number, `-latest`, `-preview`, a Vertex `@` version). `gpt-4o-2024-08-06` and
 * `claude-3-7-sonnet-latest` find their family; `gpt-4o-mini-tts` does not become `gpt-4o-mini`,
 * so a variant with its own price is never silently priced as its base model.
 * @module
 */

/**
 * What may follow a table key: nothing, or version parts only. Each part is `-` then two or more
 * digits (`-0613`, `-2024-08-06`, `-05-20`, `-001`), `-0`, `-latest`, `-preview` or `-exp`; a
 * Vertex AI id ends in `@<version>`. A single digit 1–9 is a new minor version (`claude-opus-4-1`
 * is not `claude-opus-4`), so it never matches.
 */
const VERSION_SUFFIX = /^(?:-(?:0|\d{2,}|latest|preview|exp))*(?:@[\w.-]+)?$/;

/** Lowercase, trimmed, without the `models/` prefix the Gemini REST API puts on model names. */
export function normalizeModel(model: string): string {
  const m = model.trim().toLowerCase();
  return m.startsWith("models/") ? m.slice(7) : m;
}

/** True when `key` names `model`'s family: `model` is `key` plus at most a version suffix. */
export function keyMatches(key: string, normalizedModel: string): boolean {
  return normalizedModel.startsWith(key) && VERSION_SUFFIX.test(normalizedModel.slice(key.length));
}

/**
 * The longest key of `keys` whose family `model` belongs to, or `undefined`.
 *
 * @example
 * longestKey(["gpt-4o", "gpt-4o-mini"], "gpt-4o-mini-2024-07-18"); // "gpt-4o-mini"
 * longestKey(["gpt-4o-mini"], "gpt-4o-mini-tts");                  // undefined
 */
export function longestKey(keys: Iterable<string>, model: string): string | undefined {
  const normalized = normalizeModel(model);
  let best: string | undefined;
  for (const key of keys) {
    if ((best === undefined || key.length > best.length) && keyMatches(key, normalized)) best = key;
  }
  return best;
}

/** Lookups remembered per matcher. Bounded: model strings come from callers. */
const MEMO_LIMIT = 1024;

/**
 * {@link longestKey} over a fixed table, remembering its answers: the usage log looks a model
 * up on every call.
 *
 * @example
 * const familyOf = keyMatcher(Object.keys(PRICE_TABLE));
 * familyOf("gpt-4o-2024-08-06"); // "gpt-4o"
 */
export function keyMatcher(keys: readonly string[]): (model: string) => string | undefined {
  const memo = new Map<string, string | undefined>();
  return (model) => {
    if (memo.has(model)) return memo.get(model);
    const key = longestKey(keys, model);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(model, key);
    return key;
  };
}

/**
 * The longest of `keys` (any case) that `model` plainly starts with: how user overrides match,
 * since a user's key names everything it is meant to cover.
 *
 * @example
 * longestPrefix(["acme", "acme-llm"], "ACME-llm-7b"); // "acme-llm"
 */
export function longestPrefix(keys: Iterable<string>, model: string): string | undefined {
  const normalized = normalizeModel(model);
  let best: string | undefined;
  for (const key of keys) {
    if ((best === undefined || key.length > best.length) && normalized.startsWith(key.toLowerCase())) best = key;
  }
  return best;
}
