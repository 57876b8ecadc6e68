/**
 * Checks of what the management methods (`flush`, `history`, `setMode`, `summary`) are given,
 * as strict as the constructor's: a misspelt field or a string where a filter belongs would
 * otherwise read as "no filter", and `flush` would remove everything.
 *
 * @module
 */
import { EcoAIConfigError, type ConfigSource } from "./errors.ts";
import type { FlushFilter, HistoryQuery, Mode, Provider } from "./types.ts";
import { validBoolean, validMode, validNonEmptyString } from "./validate.ts";

const FLUSH_FIELDS = Object.keys({ pattern: 1, model: 1, namespace: 1, allNamespaces: 1 } satisfies Record<keyof FlushFilter, 1>);
const HISTORY_FIELDS = Object.keys({ limit: 1, offset: 1, from: 1, to: 1, model: 1, provider: 1 } satisfies Record<keyof HistoryQuery, 1>);
const PROVIDERS = Object.keys({ openai: 1, anthropic: 1, gemini: 1 } satisfies Record<Provider, 1>);

const sourceOf = (method: string): ConfigSource => `${method}() argument`;

/** The fields of an optional object argument, each one known. */
function knownFields(method: string, name: string, input: unknown, fields: readonly string[], example: string): Record<string, unknown> {
  if (input === undefined) return {};
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new EcoAIConfigError(name, input, sourceOf(method), `expected an object such as ${example}, or nothing.`);
  }
  const record = input as Record<string, unknown>;
  for (const field of Object.keys(record)) {
    if (!fields.includes(field)) throw new EcoAIConfigError(field, record[field], sourceOf(method), `unknown field; expected one of ${fields.join(", ")}.`);
  }
  return record;
}

/** A string field, when set: non-empty. */
function text(method: string, record: Record<string, unknown>, field: string, what: string): string | undefined {
  return record[field] === undefined ? undefined : validNonEmptyString(field, { value: record[field], source: sourceOf(method) }, what);
}

/** `flush(filter)`: nothing, or an object of known, non-empty fields; one namespace or all of them, not both. */
export function validFlushFilter(input: unknown): FlushFilter {
  const record = knownFields("flush", "filter", input, FLUSH_FIELDS, '{ pattern: "*refund*", model: "gpt-4o" }');
  const allNamespaces = record.allNamespaces === undefined ? undefined : validBoolean("allNamespaces", { value: record.allNamespaces, source: sourceOf("flush") });
  const namespace = text("flush", record, "namespace", "a non-empty string");
  if (allNamespaces && namespace !== undefined) {
    throw new EcoAIConfigError("namespace", namespace, sourceOf("flush"), "leave it out with allNamespaces: true, or leave allNamespaces out to flush one namespace.");
  }
  return {
    pattern: text("flush", record, "pattern", 'a glob such as "*refund*"'),
    model: text("flush", record, "model", 'a model name such as "gpt-4o"'),
    namespace,
    allNamespaces,
  };
}

function wholeNumber(record: Record<string, unknown>, field: string): number | undefined {
  const value = record[field];
  if (value === undefined) return undefined;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  throw new EcoAIConfigError(field, value, sourceOf("history"), "expected a whole number ≥ 0.");
}

function timestamp(record: Record<string, unknown>, field: string): Date | string | undefined {
  const value = record[field];
  if (value === undefined) return undefined;
  if ((value instanceof Date || typeof value === "string") && !Number.isNaN(new Date(value).getTime())) return value;
  throw new EcoAIConfigError(field, value, sourceOf("history"), 'expected a Date or a date string such as "2025-01-31T00:00:00Z".');
}

/** `history(query)`: nothing, or an object of known fields with usable values. */
export function validHistoryQuery(input: unknown): HistoryQuery {
  const record = knownFields("history", "query", input, HISTORY_FIELDS, "{ limit: 20, model: \"gpt-4o\" }");
  const provider = record.provider;
  if (provider !== undefined && !PROVIDERS.includes(provider as string)) {
    throw new EcoAIConfigError("provider", provider, sourceOf("history"), `expected one of ${PROVIDERS.join(", ")}.`);
  }
  return {
    limit: wholeNumber(record, "limit"),
    offset: wholeNumber(record, "offset"),
    from: timestamp(record, "from"),
    to: timestamp(record, "to"),
    model: text("history", record, "model", 'a model name such as "gpt-4o"'),
    provider: provider as Provider | undefined,
  };
}

/** `setMode(mode)`: `"dev"` or `"prod"`. */
export function validSetMode(mode: unknown): Mode {
  return validMode("mode", { value: mode, source: sourceOf("setMode") });
}

/** A method that takes no argument was given one (e.g. `summary({ model })`, which would read as a filter). */
export function noArguments(method: string, args: readonly unknown[]): void {
  if (args.length > 0 && args.some((arg) => arg !== undefined)) {
    throw new EcoAIConfigError("argument", args[0], sourceOf(method), `${method}() takes no argument.`);
  }
}
